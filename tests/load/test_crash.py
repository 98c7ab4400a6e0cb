"""`kill -9` of the loader at several points of a load: the re-run converges to the exact result."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest

from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.load.helpers import raw_versions
from warehouse import REPO_ROOT

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
FEEDS = ("orders", "users", "products")
# (phase printed by dlt's progress log, extra delay after it): extract, normalize, load (writes)
KILL_POINTS = [("Extract", 0.3), ("Extract", 0.9), ("Normalize", 0.05), ("Load", 0.0),
               ("Load", 0.15)]


def start_loader(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-u", str(REPO_ROOT / "load" / "orders.py")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def kill_at(env: dict[str, str], phase: str, delay: float) -> bool:
    """Run the loader and SIGKILL it `delay` s after it prints `phase`; False if it finished."""
    proc = start_loader(env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(f"INFO {phase} "):
            time.sleep(delay)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return True
    return proc.wait() != 0


@pytest.mark.parametrize("seed", [1])
def test_kill_9_then_rerun_is_exact(pg, pg_env, seed: int) -> None:
    world = World(WorldConfig(orders=12000, users=2000, seed=seed,
                              start=datetime(2026, 6, 1, tzinfo=UTC), end=AS_OF))
    with serve(world, as_of=AS_OF, token="t", keep_pages=False) as server:
        env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": "t"}
        killed = 0
        rng = random.Random(seed)
        for phase, delay in KILL_POINTS:
            killed += kill_at(env, phase, delay + rng.uniform(0, 0.05))
        assert killed >= 3, "the loader finished before most kill points: make the world bigger"
        final = start_loader(env)
        out, _ = final.communicate(timeout=300)
        assert final.returncode == 0, out
    for feed in FEEDS:
        expected = {(r["id"], datetime.fromisoformat(r["updated_at"]).astimezone(UTC))
                    for r in world.latest(feed, AS_OF)}
        assert raw_versions(pg, feed) == expected, feed
    expected_items = sum(len(r["items"]) for r in world.latest("orders", AS_OF))
    assert query(pg, "select count(*) from raw.order_items")[0][0] == expected_items
    assert query(pg, "select count(*) from raw.rejected_records")[0][0] == 0


def test_state_row_written_twice_resumes(pg, pg_env) -> None:
    """A loader killed after its state job committed but before dlt recorded the job writes the
    state row again on resume. That must not fail the load (CI once failed on dlt's UNIQUE
    constraint on `_dlt_pipeline_state._dlt_id`); a database where an earlier loader created
    the constraint loses it on the next run."""
    world = World(WorldConfig(orders=1500, users=300, seed=3,
                              start=datetime(2026, 6, 1, tzinfo=UTC), end=AS_OF))
    first, second = datetime(2026, 11, 10, tzinfo=UTC), AS_OF

    def load(as_of: datetime) -> None:
        with serve(world, as_of=as_of, token="t", keep_pages=False) as server:
            env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": "t"}
            out, _ = (proc := start_loader(env)).communicate(timeout=300)
            assert proc.returncode == 0, out

    load(first)
    query(pg, "alter table raw._dlt_pipeline_state "
              "add constraint _dlt_pipeline_state__dlt_id_key unique (_dlt_id)")
    load(first)
    assert query(pg, "select count(*) from pg_constraint "
                     "where conname = '_dlt_pipeline_state__dlt_id_key'")[0][0] == 0
    # what a resumed state job writes: the same rows again, same `_dlt_id`
    states = query(pg, "select count(*) from raw._dlt_pipeline_state")[0][0]
    query(pg, "insert into raw._dlt_pipeline_state select * from raw._dlt_pipeline_state")
    assert query(pg, "select count(*) from raw._dlt_pipeline_state")[0][0] == 2 * states
    load(second)
    for feed in FEEDS:  # raw keeps every version served: the first night's and the second's
        expected = {(r["id"], datetime.fromisoformat(r["updated_at"]).astimezone(UTC))
                    for as_of in (first, second) for r in world.latest(feed, as_of)}
        assert raw_versions(pg, feed) == expected, feed
