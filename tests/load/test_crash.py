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


KILL_AFTER_NORMALIZE_COMMIT = """
import os, runpy, sys
from dlt.common.storages.load_package import PackageStorage
delete = PackageStorage.delete_package
def killed_before_deleting_the_extract(self, load_id, not_exists_ok=False):
    root = os.path.dirname(os.path.dirname(self.storage.storage_path.rstrip(os.sep)))
    if os.path.isdir(os.path.join(root, "load", "normalized", load_id)):
        os._exit(137)  # as kill -9 right after dlt committed the normalized package
    return delete(self, load_id, not_exists_ok)
PackageStorage.delete_package = killed_before_deleting_the_extract
sys.argv = [sys.argv[1]]
sys.path.insert(0, os.path.dirname(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_killed_between_normalize_commit_and_extract_delete_resumes(pg, pg_env) -> None:
    """dlt commits a normalized package, then deletes its extract; a loader killed between the
    two left both, and every later run failed with "Directory not empty" (seen in
    tests/reliability/test_crashes.py). The next run removes the extract and loads exactly."""
    world = World(WorldConfig(orders=1500, users=300, seed=4,
                              start=datetime(2026, 6, 1, tzinfo=UTC), end=AS_OF))
    first = datetime(2026, 11, 10, tzinfo=UTC)  # a night loaded before: raw has dlt's state
    with serve(world, as_of=first, token="t", keep_pages=False) as server:
        env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": "t"}
        out, _ = (night := start_loader(env)).communicate(timeout=300)
        assert night.returncode == 0, out
    with serve(world, as_of=AS_OF, token="t", keep_pages=False) as server:
        env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": "t"}
        killed = subprocess.run(
            [sys.executable, "-c", KILL_AFTER_NORMALIZE_COMMIT,
             str(REPO_ROOT / "load" / "orders.py")],
            env=env, capture_output=True, text=True, timeout=300)
        assert killed.returncode == 137, killed.stdout + killed.stderr
        out, _ = (final := start_loader(env)).communicate(timeout=300)
        assert final.returncode == 0, out
        assert "removed them" in out
    for feed in FEEDS:
        expected = {(r["id"], datetime.fromisoformat(r["updated_at"]).astimezone(UTC))
                    for as_of in (first, AS_OF) for r in world.latest(feed, as_of)}
        assert raw_versions(pg, feed) == expected, feed
