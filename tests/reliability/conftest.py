"""One loader run + `dbt build` (killed -9 mid-way, then run again), shared by the dbt tests.

The build is the slow part of the suite, so the crash test, the analyst-role test and the
secret scan of dbt's `target/` and `logs/` look at the same one. The loader and both builds get
a distinctive API token and database password so the secret scan can look for them.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

import warehouse
from simulator import World, WorldConfig, serve
from tests.conftest import connect
from tests.reliability.helpers import Run, dbt_command, env_int, kill9, run_dbt, run_loader
from warehouse import REPO_ROOT

SECRET_TOKEN = "tok-RELIABILITY-7f3c9e0d51"
SECRET_PASSWORD = "pw-RELIABILITY-91d2ab44c8"  # trust auth: any password is accepted
AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
DBT_PROGRESS = re.compile(r"\d+ of \d+ (START|OK|PASS|ERROR|FAIL|WARN|SKIP)")


@dataclass
class Built:
    pg: warehouse.PgSettings
    env: dict[str, str]
    workdir: Path
    world: World
    load: Run
    summary: Path
    killed_build: str = ""
    killed_after_line: int = 0
    killed: bool = False
    build: subprocess.CompletedProcess | None = None
    control: subprocess.CompletedProcess | None = None
    notes: list[str] = field(default_factory=list)


def kill_dbt_build_midway(env: dict[str, str], workdir: Path, after_lines: int,
                          timeout: float = 300) -> tuple[bool, str]:
    """Start `dbt build`, SIGKILL it after its `after_lines`-th progress line; (killed, output)."""
    proc = subprocess.Popen(dbt_command(["build"], workdir), cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            bufsize=1, start_new_session=True)
    assert proc.stdout is not None
    out: list[str] = []
    reached = threading.Event()

    def read() -> None:
        count = 0
        for line in proc.stdout:
            out.append(line)
            if DBT_PROGRESS.search(line):
                count += 1
                if count >= after_lines:
                    reached.set()
        reached.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reached.wait(timeout)
    killed = kill9(proc)
    reader.join(10)
    return killed, "".join(out)


PROJECT_ERRORS = ("Parsing Error", "Compilation Error", "Runtime Error", "Database Error",
                  "Completed with")


def require_buildable(b: Built) -> None:
    """Fail with dbt's first error when the dbt project itself cannot build.

    "Itself" is decided by a control: when the build after the kill fails, the fixture also
    builds the same data in a fresh database, uninterrupted. If that fails too, the project is
    broken (the message says so); if it passes, the kill did the damage.
    """
    assert b.load.returncode == 0, b.load.stderr[-3000:]
    if not b.killed and any(e in b.killed_build for e in PROJECT_ERRORS):
        pytest.fail("dbt build fails on a clean database: " + _first_error(b.killed_build))
    if b.control is not None and b.control.returncode != 0:
        pytest.fail("dbt build fails on a clean database: " + _first_error(b.control.stdout))


def _first_error(output: str) -> str:
    lines = [line.strip() for line in output.splitlines()]
    for i, line in enumerate(lines):
        if any(e in line for e in PROJECT_ERRORS):
            return " ".join(lines[i:i + 3])[:300]
    return output.strip().splitlines()[-1][:300] if output.strip() else "no output"


@pytest.fixture(scope="session")
def built(pg_server: warehouse.PgSettings,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    name = f"oa_rel_dbt_{uuid.uuid4().hex[:8]}"
    admin = connect(pg_server)
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    workdir = tmp_path_factory.mktemp("dbt_built")
    pg = replace(pg_server, database=name)
    env = {**os.environ, "_PGSQL_HOSTNAME": pg.host, "_PGSQL_PORT": str(pg.port),
           "_PGSQL_USER": pg.user, "_PGSQL_PASS": SECRET_PASSWORD, "_PGSQL_DATABASE": name,
           "DLT_DATA_DIR": str(workdir / "dlt")}
    world = World(WorldConfig(orders=1500, users=300, seed=41, bad_record_rate=0.003,
                              start=datetime(2026, 8, 1, tzinfo=UTC), end=AS_OF))
    try:
        with serve(world, as_of=AS_OF, token=SECRET_TOKEN) as server:
            env_load = {**env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": SECRET_TOKEN}
            summary = workdir / "summary.json"
            load = run_loader(env_load, "--summary-json", str(summary))
            b = Built(pg, env_load, workdir, world, load, summary)
            if load.returncode == 0:
                rng = random.Random(env_int("SOAK_SEED", 20261120))
                b.killed_after_line = rng.randint(40, 160)
                b.killed, b.killed_build = kill_dbt_build_midway(env_load, workdir,
                                                                 b.killed_after_line)
                b.build = run_dbt(["build"], env_load, workdir)
                if b.build.returncode != 0:
                    b.control = _control_build(admin, pg_server, env_load, workdir / "control")
            yield b
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def _control_build(admin, pg_server: warehouse.PgSettings, env: dict[str, str],  # noqa: ANN001
                   workdir: Path) -> subprocess.CompletedProcess:
    """Load the same API into a fresh database and `dbt build` it without interruption."""
    name = f"oa_rel_ctl_{uuid.uuid4().hex[:8]}"
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        env = {**env, "_PGSQL_DATABASE": name, "DLT_DATA_DIR": str(workdir / "dlt")}
        load = run_loader(env)
        assert load.returncode == 0, load.stderr[-3000:]
        return run_dbt(["build"], env, workdir)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
