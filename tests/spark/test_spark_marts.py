"""The same loader and models on Spark: its marts equal PostgreSQL's, row for row.

One simulated world (~20k orders, two nights, a few contract-breaking records) is loaded by
`python load/orders.py` into PostgreSQL's raw schema and, with `--destination lake`, as parquet
files into a lake directory. PostgreSQL is built every night (`dbt build`: incremental models,
the users snapshot); Spark, a real cluster on loopback (master, two workers and the Thrift
server as separate processes, started here on ports of their own), is built once after the
second night (`dbt build --target spark`: every model rebuilt from the lake, where night two's
re-read of the 10-minute window wrote some versions a second time). Every data test passes on
Spark, and every mart and order_summary holds the same rows on both engines, compared as text:
money to the cent, instants as UTC to the microsecond. Left out of the comparison: build
stamps (built_at), what derives from dlt load ids (which differ between the two loads:
loaded_at), the two surrogate keys hashed over an instant's text (user_key,
order_version_key: `cast(timestamp as text)` differs by engine; order_summary, which joins
fct_orders to dim_users on user_key, checks that join on both), and dim_users.version_source
(where a version was found: the users snapshot on PostgreSQL, the raw history on Spark, which
has no snapshot; the versions themselves are compared).

Run by `make test-spark` (needs Java 17 and requirements-spark.txt), not by `make test`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import orders
import spark_cluster
from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.e2e.test_pipeline import dbt

pytestmark = pytest.mark.spark

FIRST_NIGHT = datetime(2026, 11, 18, tzinfo=UTC)
NIGHTS = 2
NOT_COMPARED = {"built_at", "dlt_load_id", "loaded_at", "user_key", "order_version_key",
                "version_source"}
# the cluster of this test: ports apart from `make spark-up`'s defaults
SPARK_ENV = {"SPARK_THRIFT_PORT": "10110", "SPARK_MASTER_PORT": "7170",
             "SPARK_MASTER_WEBUI_PORT": "8170"}


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh cluster (own metastore and warehouse) for this module; stopped afterwards."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("no Java: install openjdk-17-jre-headless (make test-spark needs it)")
    env = {**SPARK_ENV, "SPARK_STATE_DIR": str(tmp_path_factory.mktemp("spark"))}
    settings = spark_cluster.settings({**os.environ, **env})
    print(spark_cluster.up(settings))
    try:
        yield env
    finally:
        print(spark_cluster.down(settings))


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldConfig(orders=20_000, users=3_000, seed=16, bad_record_rate=0.002,
                             start=datetime(2026, 5, 1, tzinfo=UTC),
                             end=datetime(2026, 11, 30, tzinfo=UTC)))


def test_spark_marts_equal_postgres_marts(pg, pg_env, spark, world: World, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    lake = tmp_path / "lake"
    monkeypatch.setenv("LAKE_URL", str(lake))
    spark_env = {**pg_env, **spark, "LAKE_URL": str(lake)}
    for engine in ("pg", "spark"):
        (tmp_path / engine).mkdir()
    with serve(world, as_of=FIRST_NIGHT, token="spark") as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "spark")
        for night in range(NIGHTS):
            server.as_of = FIRST_NIGHT + timedelta(days=night)
            assert orders.main([]) == 0
            assert orders.main(["--destination", "lake"]) == 0
            build = dbt(["build"], pg_env, tmp_path / "pg")
            assert build.returncode == 0, build.stdout[-4000:]

    build = dbt(["build", "--target", "spark"], spark_env, tmp_path / "spark")
    assert build.returncode == 0, build.stdout[-4000:]
    results = json.loads((tmp_path / "spark" / "target" / "run_results.json").read_text())
    tests = [r for r in results["results"] if r["unique_id"].startswith(("test.", "unit_test."))]
    assert len(tests) > 100
    assert {r["status"] for r in tests} <= {"pass", "warn", "success"}, \
        [r["unique_id"] for r in tests if r["status"] not in ("pass", "warn", "success")]

    # the lake holds every version PostgreSQL's raw holds, some twice (night two's re-read)
    lake_orders = spark_rows(spark, "select count(*), count(distinct id, updated_at) "
                                    "from raw.orders")
    raw_orders = query(pg, "select count(*) from raw.orders")[0][0]
    assert lake_orders[0][1] == raw_orders
    assert lake_orders[0][0] > raw_orders

    marts = [name for (name,) in query(pg, "select table_name from information_schema.tables "
                                           "where table_schema = 'marts' order by 1")]
    assert {"fct_orders", "dim_users", "order_summary"} <= set(marts)
    for mart in marts:
        types = dict(query(pg, """select column_name, data_type from information_schema.columns
                                  where table_schema = 'marts' and table_name = %s
                                  order by ordinal_position""", mart))
        columns = [c for c in types if c not in NOT_COMPARED]
        pg_rows = sorted(query(pg, f"select {', '.join(pg_text(c, types[c]) for c in columns)} "
                                   f"from marts.{mart}"), key=repr)
        spark_sql = f"select {', '.join(spark_text(c, types[c]) for c in columns)} from "
        spark_rows_ = sorted(spark_rows(spark, spark_sql + f"marts.{mart}"), key=repr)
        assert len(spark_rows_) == len(pg_rows), mart
        assert len(pg_rows) > 0, mart
        for pg_row, spark_row in zip(pg_rows, spark_rows_, strict=True):
            assert spark_row == pg_row, (mart, dict(zip(columns, pg_row, strict=True)),
                                         dict(zip(columns, spark_row, strict=True)))


def pg_text(column: str, data_type: str) -> str:
    """A PostgreSQL column as text: instants in UTC to the microsecond, numbers as written."""
    if data_type == "timestamp with time zone":
        return f"to_char({column} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return f"cast({column} as text)"


def spark_text(column: str, data_type: str) -> str:
    """The same column on Spark as the same text (the Thrift session is in UTC)."""
    if data_type == "timestamp with time zone":
        return f"date_format({column}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')"
    return f"cast({column} as string)"


def spark_rows(spark: dict[str, str], sql: str) -> list[tuple]:
    from pyhive import hive

    conn = hive.connect(host="127.0.0.1", port=int(spark["SPARK_THRIFT_PORT"]), username="test",
                        configuration={"spark.sql.session.timeZone": "UTC"})
    try:
        cursor = conn.cursor()
        cursor.execute(sql)
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        conn.close()
