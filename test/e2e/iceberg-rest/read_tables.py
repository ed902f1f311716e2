"""Reads tables through an Iceberg REST catalog with vended credentials, as a
user of PyIceberg would, and prints one JSON line: the namespaces, the tables
and each table's rows.

Usage: read_tables.py <catalog uri> <s3 endpoint> <warehouse> <table>...
The catalog's SigV4 keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
"""

import json
import os
import sys

from pyiceberg.catalog import load_catalog


def main() -> None:
    uri, s3_endpoint, warehouse, *tables = sys.argv[1:]
    catalog = load_catalog(
        "glue",
        **{
            "type": "rest",
            "uri": uri,
            "warehouse": warehouse,
            # Glue's endpoint: SigV4 with the signing name glue.
            "rest.sigv4-enabled": "true",
            "rest.signing-name": "glue",
            "rest.signing-region": "us-east-1",
            "client.region": "us-east-1",
            "client.access-key-id": os.environ["AWS_ACCESS_KEY_ID"],
            "client.secret-access-key": os.environ["AWS_SECRET_ACCESS_KEY"],
            # The S3 keys come from the catalog's storage-credentials; only where S3 is, from here.
            "s3.endpoint": s3_endpoint,
            "s3.region": "us-east-1",
        },
    )
    out = {
        "namespaces": [list(ns) for ns in catalog.list_namespaces()],
        "tables": [".".join(t) for t in catalog.list_tables("sales")],
        "rows": {name: catalog.load_table(name).scan().to_arrow().to_pylist() for name in tables},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
