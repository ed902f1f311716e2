#!/usr/bin/env bash
# Submit a Spark job that reads Iceberg tables registered with Lake Formation,
# with Iceberg's own Lake Formation integration (glue.lakeformation-enabled)
# sent to the lfcs sidecar's Lake Formation API listener, which caches the
# vended table credentials. Prerequisites (see ../README.md and docs/iceberg.md,
# section "Iceberg with Lake Formation"):
#   helm install lfcs helm/lakeformation-credential-sidecar -n "$NAMESPACE" -f examples/spark/iceberg/lfcs-values.yaml
#   kubectl -n "$NAMESPACE" create rolebinding lfcs-spark --clusterrole=edit --serviceaccount="$NAMESPACE:lfcs"
set -euo pipefail
cd "$(dirname "$0")"

: "${K8S_API:?set K8S_API, e.g. https://ABCDEF.gr7.us-east-1.eks.amazonaws.com}"
: "${SPARK_IMAGE:?set SPARK_IMAGE to a Spark image with iceberg-spark-runtime and iceberg-aws-bundle (Iceberg >= 1.7.0)}"
NAMESPACE="${NAMESPACE:-data}"
REGION="${REGION:-us-east-1}"
ACCOUNT="${ACCOUNT:-111122223333}"
# The role Iceberg assumes; its trust policy must allow sts:TagSession, and
# Lake Formation must list the tag value in its authorized session tag values.
CALLER_ROLE="${CALLER_ROLE:-arn:aws:iam::${ACCOUNT}:role/iceberg-lakeformation-caller}"
APP="${APP:-local:///opt/spark/work-dir/read_orders.py}"

C=spark.sql.catalog.glue
# - client.factory + glue.lakeformation-enabled: Iceberg's
#   LakeFormationAwsClientFactory. It assumes client.assume-role.arn with the
#   LakeFormationAuthorizedCaller session tag, calls Glue GetTable, and for a
#   table registered with Lake Formation gives S3FileIO credentials from
#   GetTemporaryGlueTableCredentials: once per S3 credential resolution. The
#   pod templates' AWS_ENDPOINT_URL_LAKEFORMATION sends those calls to lfcs.
# - glue.account-id: builds the table ARN arn:aws:glue:<region>:<account>:table/<db>/<table>,
#   which must match config.dynamic.allowedTables in lfcs-values.yaml.
exec spark-submit \
  --master "k8s://${K8S_API}" \
  --deploy-mode cluster \
  --name lfcs-iceberg-read-orders \
  --conf spark.kubernetes.namespace="${NAMESPACE}" \
  --conf spark.kubernetes.container.image="${SPARK_IMAGE}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=lfcs \
  --conf spark.kubernetes.authenticate.executor.serviceAccountName=lfcs \
  --conf spark.kubernetes.driver.podTemplateFile=driver-pod-template.yaml \
  --conf spark.kubernetes.executor.podTemplateFile=executor-pod-template.yaml \
  --conf spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver \
  --conf spark.kubernetes.executor.podTemplateContainerName=spark-kubernetes-executor \
  --conf spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions \
  --conf "${C}"=org.apache.iceberg.spark.SparkCatalog \
  --conf "${C}".catalog-impl=org.apache.iceberg.aws.glue.GlueCatalog \
  --conf "${C}".io-impl=org.apache.iceberg.aws.s3.S3FileIO \
  --conf "${C}".glue.lakeformation-enabled=true \
  --conf "${C}".client.factory=org.apache.iceberg.aws.lakeformation.LakeFormationAwsClientFactory \
  --conf "${C}".glue.account-id="${ACCOUNT}" \
  --conf "${C}".client.assume-role.arn="${CALLER_ROLE}" \
  --conf "${C}".client.assume-role.region="${REGION}" \
  --conf "${C}".client.assume-role.tags.LakeFormationAuthorizedCaller=iceberg \
  "${APP}"
