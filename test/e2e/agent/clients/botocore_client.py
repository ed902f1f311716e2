"""botocore as an application uses it: the default session's credential chain, which reaches its
ContainerProvider from AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE.
Prints one JSON line with the access key id and sha256 hashes of the secret and session token
(never the secrets themselves); on the client's own error, {error, message} and exit code 3."""

import hashlib
import json
import sys

import botocore
import botocore.session


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def main() -> int:
    try:
        credentials = botocore.session.get_session().get_credentials()
        if credentials is None:
            raise RuntimeError("the default chain found no credentials")
        frozen = credentials.get_frozen_credentials()
        print(json.dumps({
            "sdk": f"botocore {botocore.__version__}",
            "provider": credentials.method,
            "accessKeyId": frozen.access_key,
            "secretAccessKeySha256": sha256(frozen.secret_key),
            "sessionTokenSha256": sha256(frozen.token or ""),
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
