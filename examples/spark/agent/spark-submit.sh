#!/usr/bin/env bash
# The job of ../spark-submit.sh, served by the lfcs node agent instead of a
# sidecar per pod. Prerequisites (the agent in a namespace of its own,
# lfcs-system; Spark in another, spark-jobs):
#   kubectl create namespace lfcs-system
#   kubectl label namespace lfcs-system pod-security.kubernetes.io/enforce=privileged
#   helm install lfcs helm/lakeformation-credential-sidecar -n lfcs-system -f examples/spark/agent/lfcs-values.yaml
#   kubectl create namespace spark-jobs
#   kubectl label namespace spark-jobs pod-security.kubernetes.io/enforce=baseline
#   kubectl -n spark-jobs create serviceaccount spark
#   kubectl -n spark-jobs create rolebinding spark-edit --clusterrole=edit --serviceaccount=spark-jobs:spark
# The driver and executors run as ServiceAccount spark-jobs/spark, which
# config.agent.bindings allows the profile "sales-lake". The `edit` role lets
# the driver create executor pods, in spark-jobs only: never grant it (or any
# pod-creating role) in lfcs-system, whose ServiceAccount "lfcs" holds lfcs's
# IAM role with every tenant's rights. Every ServiceAccount of spark-jobs that
# `edit` can run pods as should be one you would bind as spark is bound.
set -euo pipefail
cd "$(dirname "$0")"

: "${K8S_API:?set K8S_API, e.g. https://ABCDEF.gr7.us-east-1.eks.amazonaws.com}"
: "${SPARK_IMAGE:?set SPARK_IMAGE to a Spark image with hadoop-aws 3.4+ and the AWS SDK v2 bundle}"
# Where Spark runs: the namespace of the binding in lfcs-values.yaml, never the agent's.
NAMESPACE="${NAMESPACE:-spark-jobs}"
REGION="${REGION:-us-east-1}"
BUCKET="${BUCKET:-sales-lake-111122223333}"
APP="${APP:-local:///opt/spark/work-dir/read_two_tables.py}"

exec spark-submit \
  --master "k8s://${K8S_API}" \
  --deploy-mode cluster \
  --name lfcs-agent-read-two-tables \
  --conf spark.kubernetes.namespace="${NAMESPACE}" \
  --conf spark.kubernetes.container.image="${SPARK_IMAGE}" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=spark \
  --conf spark.kubernetes.authenticate.executor.serviceAccountName=spark \
  --conf spark.kubernetes.driver.podTemplateFile=driver-pod-template.yaml \
  --conf spark.kubernetes.executor.podTemplateFile=executor-pod-template.yaml \
  --conf spark.kubernetes.driver.podTemplateContainerName=spark-kubernetes-driver \
  --conf spark.kubernetes.executor.podTemplateContainerName=spark-kubernetes-executor \
  --conf "spark.hadoop.fs.s3a.bucket.${BUCKET}.aws.credentials.provider=software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider" \
  --conf spark.hadoop.fs.s3a.endpoint.region="${REGION}" \
  "${APP}" "s3a://${BUCKET}/warehouse/orders" "s3a://${BUCKET}/warehouse/returns"
