"""Loads that overlap: 2, then 3 loaders started within a second on one database, each with its
own DLT_DATA_DIR (two runners, or a runner and a laptop), and kill -9 of the one holding the
load lock. Raw must hold every served version exactly once; a run completes or fails with one line.

Without the lock (load/load_lock.py) two such runs doubled every version in raw and one ended in
a traceback (`pg_class_relname_nsp_index`, from two CREATE INDEX at once).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.reliability.helpers import LOADER, Expected, kill9, run_loader

T1 = datetime(2026, 11, 20, tzinfo=UTC)
T2 = T1 + timedelta(days=1)
TOKEN = "overlap-token"
LOCK_HELD = ("select count(*) from pg_locks as l join pg_stat_activity as a using (pid) "
             "where l.locktype = 'advisory' and l.granted and a.application_name = %s")


class Loader:
    """`python load/orders.py` in the background, its own DLT_DATA_DIR, output read as it comes."""

    def __init__(self, env: dict[str, str], data_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(LOADER), *args], env={**env, "DLT_DATA_DIR": str(data_dir)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1,
            start_new_session=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.seen: dict[str, float] = {}
        self._readers = [threading.Thread(target=self._read, args=(s, out), daemon=True)
                         for s, out in ((self.proc.stdout, self.stdout),
                                        (self.proc.stderr, self.stderr))]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, out: list[str]) -> None:  # noqa: ANN001
        for line in stream:
            out.append(line)
            for marker in ("is running", "load lock taken", "Extract"):
                if marker in line:
                    self.seen.setdefault(marker, time.monotonic())

    @property
    def application_name(self) -> str:
        import socket

        return f"order_api loader {socket.gethostname()} pid {self.proc.pid}"[:63]

    def wait(self, timeout: float = 600) -> int:
        code = self.proc.wait(timeout)
        for reader in self._readers:
            reader.join(10)
        return code

    def wait_for(self, marker: str, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while marker not in self.seen:
            assert self.proc.poll() is None or marker in self.seen, (
                f"loader ended before {marker!r}: " + "".join(self.stderr)[-3000:])
            assert time.monotonic() < deadline, f"no {marker!r} within {timeout} s"
            time.sleep(0.05)
        return self.seen[marker]


def start_together(n: int, env: dict[str, str], tmp: Path, tag: str) -> list[Loader]:
    """n loaders, each with its own DLT_DATA_DIR, started within one second of each other."""
    started = time.monotonic()
    loaders = [Loader(env, tmp / f"dlt-{tag}-{i}") for i in range(n)]
    assert time.monotonic() - started < 1.0
    return loaders


def assert_completed_or_one_line(loaders: list[Loader]) -> int:
    """Every run exits 0 with nothing on stderr, or 1 with one line there (and no traceback);
    how many completed."""
    completed = 0
    for loader in loaders:
        code = loader.wait()
        stderr = "".join(loader.stderr)
        assert "Traceback" not in stderr + "".join(loader.stdout), stderr[-3000:]
        if code == 0:
            assert stderr == ""
            completed += 1
            continue
        assert code == 1, stderr[-3000:]
        assert len(stderr.splitlines()) == 1 and stderr.startswith("error: "), stderr
    return completed


def test_overlapping_loads_write_every_version_once(pg, pg_env, tmp_path: Path) -> None:
    world = World(WorldConfig(orders=200_000, users=20_000, seed=14,
                              start=datetime(2026, 6, 1, tzinfo=UTC), end=T2 + timedelta(days=1)))
    with serve(world, as_of=T1, token=TOKEN) as server:
        env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": TOKEN,
               "LOAD_LOCK_TIMEOUT": "300"}

        # 2 at once on an empty database: one loads, the other waits, then adds nothing twice
        two = start_together(2, env, tmp_path, "a")
        assert_completed_or_one_line(two)
        Expected.from_world(world, [T1]).assert_raw(pg)
        assert sum("is running" in "".join(x.stdout) for x in two) == 1, "no run waited"

        # a day later, 3 at once
        server.as_of = T2
        three = start_together(3, env, tmp_path, "b")
        assert_completed_or_one_line(three)
        expected = Expected.from_world(world, [T1, T2])
        expected.assert_raw(pg)

        # the next run is exact
        nxt = run_loader({**env, "DLT_DATA_DIR": str(tmp_path / "dlt-next")}, timeout=600)
        assert nxt.returncode == 0, nxt.stderr[-3000:]
        expected.assert_raw(pg)

        # kill -9 of the lock holder (mid full refresh) lets the waiting run go on at once
        holder = Loader(env, tmp_path / "dlt-holder", "--full-refresh")
        holder.wait_for("Extract")
        assert query(pg, LOCK_HELD, holder.application_name)[0][0] == 1
        waiter = Loader(env, tmp_path / "dlt-waiter")
        waiter.wait_for("is running")
        assert holder.application_name in "".join(waiter.stdout)  # it names the holder
        killed_at = time.monotonic()
        assert kill9(holder.proc)
        took = waiter.wait_for("load lock taken", timeout=60) - killed_at
        print(f"the waiting run took the lock {took:.2f} s after the kill -9 of the holder")
        assert took < 5, f"the waiting run took the lock {took:.1f} s after the kill"
        assert waiter.wait() == 0, "".join(waiter.stderr)[-3000:]
        expected.assert_raw(pg)


def test_lock_timeout_names_the_holder(pg, pg_env, tmp_path: Path) -> None:
    """A run that cannot get the lock within LOAD_LOCK_TIMEOUT: one line naming the holder;
    raw untouched. The holder here is a session of the test, as a stuck loader's would be."""
    import psycopg2

    holder = psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password,
                              dbname=pg.database, application_name="nightly on runner-7")
    holder.autocommit = True
    world = World(WorldConfig(orders=50, users=20, seed=3, start=datetime(2026, 11, 1, tzinfo=UTC),
                              end=T1))
    try:
        with holder.cursor() as cur, serve(world, as_of=T1, token=TOKEN) as server:
            cur.execute("select pg_advisory_lock(hashtext('order_api'), hashtext('raw'))")
            started = time.monotonic()
            run = run_loader({**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": TOKEN,
                              "LOAD_LOCK_TIMEOUT": "2"})
            waited = time.monotonic() - started
    finally:
        holder.close()
    assert run.returncode == 1
    line = run.error_line()
    assert line.startswith("error: another load of order_api into raw at ")
    assert "still running after 2 s (held by 'nightly on runner-7' from " in line
    assert "LOAD_LOCK_TIMEOUT" in line and "pg_terminate_backend" in line
    assert 2 <= waited < 60
    assert query(pg, "select count(*) from pg_namespace where nspname like 'raw%'")[0][0] == 0
