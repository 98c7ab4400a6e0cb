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
