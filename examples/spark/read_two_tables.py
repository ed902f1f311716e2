"""Reads two Lake Formation tables that live in one S3 bucket and joins them.

Both paths are in the bucket that spark-submit.sh pins to the container
credentials provider, so every S3 request of this job is signed with the one
lease of the sidecar's location profile "sales-lake"
(GetTemporaryDataLocationCredentials for both tables' locations). Reading a
third table's prefix in that bucket fails with 403 from S3: the lease covers
exactly the locations Lake Formation granted.

Usage (inside the Spark image): read_two_tables.py <orders path> <returns path>
"""
import sys

from pyspark.sql import SparkSession


def main(orders_path: str, returns_path: str) -> None:
    spark = SparkSession.builder.appName("lfcs-read-two-tables").getOrCreate()
    orders = spark.read.parquet(orders_path)
    returns = spark.read.parquet(returns_path)
    returned = orders.join(returns, on="order_id", how="inner")
    print(f"orders: {orders.count()}, returns: {returns.count()}, returned orders: {returned.count()}")
    spark.stop()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: read_two_tables.py <orders path> <returns path>")
    main(sys.argv[1], sys.argv[2])
