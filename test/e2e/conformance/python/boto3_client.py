"""boto3 as an application uses it: the default session's credential chain (which reaches
botocore's ContainerProvider from AWS_CONTAINER_CREDENTIALS_FULL_URI) and an S3 client pointed at
the test's recorder. Two S3 calls, so the credentials are asked for twice; the test counts how
often the sidecar was called. Prints one JSON object and never a secret."""

import json
import os
import sys

import boto3
import botocore
from botocore.config import Config


def main() -> int:
    try:
        session = boto3.session.Session()
        s3 = session.client(
            "s3",
            endpoint_url=os.environ["RECORDER_URL"],
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )
        bucket, key = os.environ["S3_BUCKET"], os.environ["S3_KEY"]
        head = s3.head_object(Bucket=bucket, Key=key)
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
        creds = session.get_credentials()
        print(json.dumps({
            "sdk": f"boto3 {boto3.__version__} / botocore {botocore.__version__}",
            "method": creds.method,
            "refreshNeeded": creds.refresh_needed(),
            "contentLength": head["ContentLength"],
            "body": body,
        }))
        return 0
    except Exception as err:  # the client's own error, reported as such
        chain, e = [], err
        while e is not None:
            chain.append(f"{type(e).__module__}.{type(e).__qualname__}")
            e = e.__cause__ or e.__context__
        print(json.dumps({"error": " <- ".join(chain), "message": str(err)}))
        return 3


if __name__ == "__main__":
    sys.exit(main())
