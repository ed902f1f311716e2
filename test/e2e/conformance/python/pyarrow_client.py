"""pyarrow's S3FileSystem (the AWS SDK for C++ underneath) as PyIceberg and other Python readers
use it: no keys given, so the C++ SDK's default credential chain applies (its task-role provider
reads AWS_CONTAINER_CREDENTIALS_FULL_URI), with endpoint_override at the test's recorder.
It stats the object and reads it whole (two S3 requests). Prints one JSON object, never a secret."""

import json
import os
import sys

import pyarrow
from pyarrow import fs


def main() -> int:
    try:
        host = os.environ["RECORDER_URL"].removeprefix("http://")
        s3 = fs.S3FileSystem(region="us-east-1", endpoint_override=host, scheme="http",
                             retry_strategy=fs.AwsStandardS3RetryStrategy(max_attempts=1))
        path = f'{os.environ["S3_BUCKET"]}/{os.environ["S3_KEY"]}'
        info = s3.get_file_info(path)
        with s3.open_input_stream(path) as f:
            body = f.read().decode()
        print(json.dumps({
            "sdk": f"pyarrow {pyarrow.__version__} (AWS SDK for C++)",
            "contentLength": info.size,
            "body": body,
        }))
        return 0
    except Exception as err:  # the client's own error, reported as such
        print(json.dumps({"error": f"{type(err).__module__}.{type(err).__qualname__}", "message": str(err)}))
        return 3


if __name__ == "__main__":
    sys.exit(main())
