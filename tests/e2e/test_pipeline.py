"""Simulator → loader → `dbt build`, night after night: every mart number equals the simulator's."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import orders
from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.load.helpers import assert_raw_matches
from warehouse import REPO_ROOT

FIRST_NIGHT = datetime(2026, 11, 18, tzinfo=UTC)
NIGHTS = 3


def dbt(args: list[str], env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    profiles = tmp / "profiles"
    if not profiles.exists():
        profiles.mkdir()
        shutil.copy(REPO_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    cmd = [str(Path(shutil.which("dbt") or "dbt")), *args, "--profiles-dir", str(profiles),
           "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldConfig(orders=2500, users=400, seed=3,
                             start=datetime(2026, 9, 1, tzinfo=UTC),
                             end=datetime(2026, 11, 30, tzinfo=UTC)))


def test_nightly_runs_match_the_simulator(pg, pg_env, world: World, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(world, as_of=FIRST_NIGHT, token="e2e") as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "e2e")
        for night in range(NIGHTS):
            as_of = FIRST_NIGHT + timedelta(days=night)
            server.as_of = as_of
            assert orders.main([]) == 0
            assert_raw_matches(pg, server.served)
            build = dbt(["build"], pg_env, tmp_path)
            assert build.returncode == 0, build.stdout[-4000:]
            check_marts(pg, world, server, as_of)


def check_marts(pg, world: World, server, as_of: datetime) -> None:  # noqa: ANN001
    # order counts by status, deleted orders included (fct_orders flags them)
    assert dict(query(pg, "select status, count(*) from marts.fct_orders group by status")) \
        == world.status_counts(as_of)
    deleted = sum(1 for o in world.latest("orders", as_of) if o.get("deleted_at"))
    assert query(pg, "select count(*) from marts.fct_orders where is_deleted")[0][0] == deleted
    assert query(pg, "select count(*) from marts.order_summary")[0][0] == \
        sum(world.status_counts(as_of).values()) - deleted

    # revenue per day and currency, to the cent
    revenue = dict(((day, currency), total) for day, currency, total in query(pg, """
        select (ordered_at at time zone 'UTC')::date, currency, sum(order_total)
        from marts.order_summary where status not in ('cancelled', 'refunded')
        group by 1, 2"""))
    assert revenue == world.revenue_by_day(as_of)

    # line items: one row per line of each order's latest version
    items = sum(len(o["items"]) for o in world.latest("orders", as_of))
    assert query(pg, "select count(*) from marts.fct_order_items")[0][0] == items

    # the snapshot holds one row per user version the nights observed, one current row each;
    # dim_users has the same versions (raw history back-fills those before the first night)
    seen = Counter(user_id for user_id, _ in server.served.versions("users"))
    snapshot = dict(query(pg, "select user_id, count(*) from snapshots.users_snapshot "
                              "group by user_id"))
    assert snapshot == dict(seen)
    dim_users = dict(query(pg, "select user_id, count(*) from marts.dim_users group by user_id"))
    assert dim_users == dict(seen)
    assert query(pg, "select count(*) from (select user_id from marts.dim_users where is_current "
                     "group by user_id having count(*) > 1) as d")[0][0] == 0

    # the status history has one row per order version raw holds
    assert query(pg, "select count(*) from marts.fct_order_status_history")[0][0] == \
        len(server.served.versions("orders"))
