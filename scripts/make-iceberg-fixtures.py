"""Writes the demo warehouse: two small Iceberg tables of the emulator's demo
catalog, sales.orders and sales.returns, as real Iceberg v2 tables (metadata
JSON, Avro manifest list and manifests, Parquet data files) whose paths name
s3://demo-lake/..., into examples/demo-warehouse/demo-lake/. The emulator
serves that folder on its S3 endpoint and its Iceberg REST catalog
(src/emulator/object-store.ts).

Run through scripts/make-iceberg-fixtures.sh, which installs the pinned
PyIceberg and pyarrow (test/e2e/iceberg-rest/requirements.txt) into .tools/.
The output is committed; run this again only to change the tables.
"""

import random
import shutil
import sys
import uuid
from pathlib import Path

# File names and table ids come from uuid4; seeding it keeps them stable from one run to the next,
# so a regeneration changes bytes (timestamps) but no name. Seeded before PyIceberg imports uuid4.
_rng = random.Random(20240101)
uuid.uuid4 = lambda: uuid.UUID(int=_rng.getrandbits(128), version=4)

import pyarrow as pa  # noqa: E402
from pyiceberg.catalog.sql import SqlCatalog  # noqa: E402
from pyiceberg.io.pyarrow import PyArrowFileIO  # noqa: E402
from pyiceberg.partitioning import PartitionField, PartitionSpec  # noqa: E402
from pyiceberg.schema import Schema  # noqa: E402
from pyiceberg.transforms import IdentityTransform  # noqa: E402
from pyiceberg.types import DoubleType, LongType, NestedField, StringType  # noqa: E402

BUCKET = "demo-lake"
OUT = Path(__file__).resolve().parent.parent / "examples" / "demo-warehouse"


class WarehouseFileIO(PyArrowFileIO):
    """Writes s3://<bucket>/<key> to OUT/<bucket>/<key>; the tables' files keep naming s3:// paths."""

    @staticmethod
    def parse_location(location, properties=None):  # noqa: ARG004
        if location.startswith("s3://"):
            return "file", "", str(OUT / location[len("s3://"):])
        return PyArrowFileIO.parse_location(location)


ORDERS_SCHEMA = Schema(
    NestedField(1, "order_id", LongType(), required=True),
    NestedField(2, "customer_id", LongType(), required=True),
    NestedField(3, "amount", DoubleType(), required=True),
    NestedField(4, "dt", StringType(), required=True),
)
ORDERS_ROWS = pa.table(
    {
        "order_id": pa.array([1001, 1002, 1003, 1004], pa.int64()),
        "customer_id": pa.array([1, 2, 1, 3], pa.int64()),
        "amount": pa.array([19.99, 5.25, 42.0, 7.5], pa.float64()),
        "dt": pa.array(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-02"], pa.string()),
    },
    schema=pa.schema(
        [
            pa.field("order_id", pa.int64(), nullable=False),
            pa.field("customer_id", pa.int64(), nullable=False),
            pa.field("amount", pa.float64(), nullable=False),
            pa.field("dt", pa.string(), nullable=False),
        ]
    ),
)

RETURNS_SCHEMA = Schema(
    NestedField(1, "return_id", LongType(), required=True),
    NestedField(2, "order_id", LongType(), required=True),
    NestedField(3, "reason", StringType(), required=False),
)
RETURNS_ROWS = pa.table(
    {
        "return_id": pa.array([1, 2], pa.int64()),
        "order_id": pa.array([1002, 1004], pa.int64()),
        "reason": pa.array(["damaged", "wrong size"], pa.string()),
    },
    schema=pa.schema(
        [
            pa.field("return_id", pa.int64(), nullable=False),
            pa.field("order_id", pa.int64(), nullable=False),
            pa.field("reason", pa.string(), nullable=True),
        ]
    ),
)


def main() -> None:
    shutil.rmtree(OUT / BUCKET, ignore_errors=True)
    catalog = SqlCatalog(
        "fixtures",
        uri="sqlite:///:memory:",
        warehouse=f"s3://{BUCKET}",
        **{"py-io-impl": f"{__name__}.WarehouseFileIO"},
    )
    catalog.create_namespace("sales")
    orders = catalog.create_table(
        "sales.orders",
        schema=ORDERS_SCHEMA,
        location=f"s3://{BUCKET}/sales/orders",
        partition_spec=PartitionSpec(PartitionField(source_id=4, field_id=1000, transform=IdentityTransform(), name="dt")),
    )
    orders.append(ORDERS_ROWS)
    returns = catalog.create_table("sales.returns", schema=RETURNS_SCHEMA, location=f"s3://{BUCKET}/sales/returns")
    returns.append(RETURNS_ROWS)
    for table in (orders, returns):
        print(f"{table.name()}: {table.metadata_location}", file=sys.stderr)


if __name__ == "__main__":
    main()
