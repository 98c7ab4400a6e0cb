"""`dbt build` while a load runs, and two `dbt build`s at once, on one database.

Staging reads the rows of completed loads only (`completed_dlt_load`, macros/dlt_loads.sql):
raw rows whose load is not yet in `_dlt_loads` are skipped. The test holds a load at exactly
that moment (its rows merged into raw, its `_dlt_loads` row blocked by a lock the test holds)
and builds, then lets the load complete and runs two incremental builds at once (without
macros/build_lock.sql both would insert the new load's rows). Every build passes, and the
marts hold what completed loads served, each order once.
"""

from __future__ import annotations

import concurrent.futures
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2

from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.reliability.helpers import Expected, run_dbt, run_loader, start_loader

START = datetime(2026, 8, 1, tzinfo=UTC)
T1 = START + timedelta(days=5)  # a few orders, then most of the world in the load held
T2 = datetime(2026, 11, 22, tzinfo=UTC)
TOKEN = "dbt-load-token"
INCOMPLETE = ("select count(*) from raw.orders where _dlt_load_id not in "
              "(select load_id from raw._dlt_loads)")


def two_builds(env: dict[str, str], workdir: Path) -> None:
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        builds = list(pool.map(lambda i: run_dbt(["build"], env, workdir / f"build{i}"), (1, 2)))
    for build in builds:
        assert build.returncode == 0, build.stdout[-4000:]


def assert_marts_hold(pg, world: World, moments: list[datetime]) -> None:  # noqa: ANN001
    orders = {rid for rid, _ in Expected.from_world(world, moments).versions["orders"]}
    for relation in ("staging.stg_order_api__orders", "marts.fct_orders"):
        count, distinct = query(pg, f"select count(*), count(distinct order_id) from {relation}")[0]
        assert count == distinct == len(orders), (relation, count, distinct, len(orders))


def test_builds_during_a_load_and_at_once_stay_consistent(pg, pg_env, tmp_path: Path) -> None:
    world = World(WorldConfig(orders=10_000, users=2000, seed=23, start=START, end=T2))
    with serve(world, as_of=T1, token=TOKEN) as server:
        env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": TOKEN}
        first = run_loader(env)
        assert first.returncode == 0, first.stderr
        # the first build creates the models (two first builds at once: the second fails on
        # "relation already exists", as both decided to create it; nothing is written twice)
        build = run_dbt(["build"], env, tmp_path / "first")
        assert build.returncode == 0, build.stdout[-4000:]

        # a second load, held after its rows reached raw and before dlt records it complete
        server.as_of = T2
        blocker = psycopg2.connect(host=pg.host, port=pg.port, user=pg.user,
                                   password=pg.password, dbname=pg.database)
        loader = None
        try:
            with blocker.cursor() as cur:
                cur.execute("lock table raw._dlt_loads in share mode")  # blocks dlt's insert
            loader = start_loader(env)
            deadline = time.monotonic() + 180
            while query(pg, INCOMPLETE)[0][0] == 0:
                assert loader.poll() is None, loader.stdout.read()[-3000:]
                assert time.monotonic() < deadline, "the load's rows never reached raw"
                time.sleep(0.2)
            build = run_dbt(["build"], env, tmp_path / "during")
            assert build.returncode == 0, build.stdout[-4000:]
            assert_marts_hold(pg, world, [T1])  # the incomplete load is not there yet
        finally:
            blocker.close()  # the load completes
        out, _ = loader.communicate(timeout=180)
        assert loader.returncode == 0, out[-3000:]
        assert query(pg, INCOMPLETE)[0][0] == 0

        two_builds(env, tmp_path / "after")  # incremental: both see the new load
        assert_marts_hold(pg, world, [T1, T2])
