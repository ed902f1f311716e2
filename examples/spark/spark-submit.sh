#!/usr/bin/env bash
# Submit a Spark job whose driver and executors read S3 through the lfcs
# sidecar. Prerequisites (see README.md and docs/kubernetes.md):
#   helm install lfcs helm/lakeformation-credential-sidecar -n "$NAMESPACE" -f examples/spark/lfcs-values.yaml
#   kubectl -n "$NAMESPACE" create rolebinding lfcs-spark --clusterrole=edit --serviceaccount="$NAMESPACE:lfcs"
set -euo pipefail
cd "$(dirname "$0")"

: "${K8S_API:?set K8S_API, e.g. https://ABCDEF.gr7.us-east-1.eks.amazonaws.com}"
: "${SPARK_IMAGE:?set SPARK_IMAGE to a Spark image with hadoop-aws 3.4+ and the AWS SDK v2 bundle}"
NAMESPACE="${NAMESPACE:-data}"
REGION="${REGION:-us-east-1}"
BUCKET="${BUCKET:-sales-lake-111122223333}"
APP="${APP:-local:///opt/spark/work-dir/read_two_tables.py}"

# - podTemplateFile: read by spark-submit on THIS machine; Spark keeps the
#   templates' initContainers (the sidecar), volumes, env and annotations.
# - podTemplateContainerName: which template container is Spark's own.
# - fs.s3a.bucket.<bucket>.aws.credentials.provider: S3A's per-bucket
#   setting pins THIS bucket to the container-credentials provider (AWS SDK v2
#   class; it reads AWS_CONTAINER_CREDENTIALS_FULL_URI and
#   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE), i.e. to the sidecar's location
#   profile "sales-lake", which covers both tables' prefixes in the bucket.
#   Other buckets keep their own providers. Do not use
#   org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider: after one
#   failed container fetch it switches to the node's instance role for good.
exec spark-submit \
  --master "k8s://${K8S_API}" \
  --deploy-mode cluster \
  --name lfcs-read-two-tables \
  --conf spark.kubernetes.namespace="${NAMESPACE}" \
  --conf spark.kubernetes.container.image="${SPARK_IMAGE}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=lfcs \
  --conf spark.kubernetes.authenticate.executor.serviceAccountName=lfcs \
  --conf spark.kubernetes.driver.podTemplateFile=driver-pod-template.yaml \
  --conf spark.kubernetes.executor.podTemplateFile=executor-pod-template.yaml \
  --conf spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver \
  --conf spark.kubernetes.executor.podTemplateContainerName=spark-kubernetes-executor \
  --conf "spark.hadoop.fs.s3a.bucket.${BUCKET}.aws.credentials.provider=software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider" \
  --conf spark.hadoop.fs.s3a.endpoint.region="${REGION}" \
  "${APP}" "s3a://${BUCKET}/warehouse/orders" "s3a://${BUCKET}/warehouse/returns"
