"""Reads tables through lfcs's Iceberg REST gateway as a user of PyIceberg
would: the catalog `token` property (sent as a bearer token) and nothing
else; the S3 keys come from the gateway's storage-credentials. Prints one
JSON line: the namespaces, the tables and each table's rows.

Usage: read_through_gateway.py <gateway uri> <warehouse> <table>...
The token comes from LFCS_TOKEN; the access delegation asked for from
LFCS_DELEGATION (vended-credentials unless set). With remote-signing the
gateway's table config names PyIceberg's fsspec FileIO and its S3V4RestSigner,
so every S3 request is signed by the gateway's sign route; with PyIceberg
0.12.0 that needs FSSPEC_S3='{"skip_instance_cache": true}' in the environment
(docs/iceberg.md says why).
"""

import json
import os
import sys

from pyiceberg.catalog import load_catalog


def main() -> None:
    uri, warehouse, *tables = sys.argv[1:]
    catalog = load_catalog(
        "lfcs",
        **{
            "type": "rest",
            "uri": uri,
            "warehouse": warehouse,
            "token": os.environ["LFCS_TOKEN"],
            "header.X-Iceberg-Access-Delegation": os.environ.get("LFCS_DELEGATION", "vended-credentials"),
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
