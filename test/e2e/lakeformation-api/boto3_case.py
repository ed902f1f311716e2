"""One boto3 call against lfcs's Lake Formation API listener, reported as JSON.

Usage: python boto3_case.py <endpoint> <json request> [expected exception name]
Prints {"ok": true, "accessKeyId": ...} or {"ok": false, "code": ..., "status": ...,
"typed": <whether the exception is the client's modeled class of that name>}.
No secret is printed: key material is reported by its access key id only.
"""
import json
import sys

import boto3
from botocore.config import Config

endpoint, request = sys.argv[1], json.loads(sys.argv[2])
expected = sys.argv[3] if len(sys.argv) > 3 else None
client = boto3.client(
    "lakeformation",
    endpoint_url=endpoint,
    region_name="us-east-1",
    # One attempt: each case asks for one answer, and retried 500s would only add time.
    config=Config(retries={"mode": "standard", "max_attempts": 1}),
)
operation = request.pop("_operation", "get_temporary_glue_table_credentials")
try:
    answer = getattr(client, operation)(**request)
    print(json.dumps({"ok": True, "accessKeyId": answer.get("AccessKeyId"),
                      "expirationType": type(answer.get("Expiration")).__name__,
                      "hasSecret": bool(answer.get("SecretAccessKey"))}))
except client.exceptions.ClientError as error:
    typed_class = getattr(client.exceptions, expected, None) if expected else None
    print(json.dumps({
        "ok": False,
        "code": error.response["Error"]["Code"],
        "message": error.response["Error"]["Message"],
        "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        "raised": type(error).__name__,
        "typed": typed_class is not None and isinstance(error, typed_class),
    }))
