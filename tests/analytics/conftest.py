"""Two warehouses built the nightly way (simulator -> loader -> `dbt build`) for the analytics
tests: the same world with and without an outage on OUTAGE_DAY, loaded as of the next night.

Built once per session (each ~1 min on 2 cores); the tests only read them.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

import warehouse
from simulator import World, WorldConfig, serve
from tests.conftest import connect

REPO = warehouse.REPO_ROOT
OUTAGE_DAY = date(2026, 11, 20)
AS_OF = datetime(2026, 11, 21, 3, tzinfo=UTC)
PROJECT_ITEMS = ("dbt_project.yml", "packages.yml", "models", "macros", "seeds", "snapshots",
                 "tests", "analyses", "dbt_packages")


def world_config(outage: bool) -> WorldConfig:
    """~150 orders a day from 100 days before the outage day (start: 2026-08-12)."""
    return WorldConfig(orders=21_000, users=3_000, seed=5,
                       start=datetime.combine(OUTAGE_DAY - timedelta(days=100),
                                              datetime.min.time(), UTC),
                       end=datetime(2026, 12, 31, tzinfo=UTC),
                       outage_day=OUTAGE_DAY if outage else None)


@dataclass
class Warehouse:
    settings: warehouse.PgSettings
    env: dict[str, str]
    tmp: Path
    build: subprocess.CompletedProcess

    def query(self, sql: str, *params: object) -> list[tuple]:
        conn = connect(self.settings)
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params or None)
                return cur.fetchall()
        finally:
            conn.close()

    def dbt(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(Path(sys.executable).with_name("dbt")), *args,
               "--profiles-dir", str(self.tmp / "profiles"),
               "--target-path", str(self.tmp / "target"), "--log-path", str(self.tmp / "logs")]
        return subprocess.run(cmd, cwd=REPO, env=self.env, capture_output=True, text=True,
                              timeout=900)

    def mf_query(self, *args: str) -> list[dict[str, str]]:
        """`mf query ARGS --csv ...`: the answer's rows (MetricFlow reads the semantic
        manifest from <project>/target, so it runs in a copy of the project of symlinks whose
        target/ is this warehouse's dbt target)."""
        project = self.tmp / "mf-project"
        if not project.exists():
            project.mkdir()
            for item in PROJECT_ITEMS:
                if (REPO / item).exists():
                    (project / item).symlink_to(REPO / item)
            (project / "target").symlink_to(self.tmp / "target")
        out = self.tmp / f"mf-{uuid.uuid4().hex[:8]}.csv"
        done = subprocess.run(
            [str(Path(sys.executable).with_name("mf")), "query", *args, "--csv", str(out)],
            cwd=project, env={**self.env, "DBT_PROFILES_DIR": str(self.tmp / "profiles")},
            capture_output=True, text=True, timeout=300)
        assert done.returncode == 0 and out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
        with out.open(newline="") as fh:
            return list(csv.DictReader(fh))


def build_warehouse(server_settings: warehouse.PgSettings, tmp: Path, world: World) -> Warehouse:
    name = f"oa_analytics_{uuid.uuid4().hex[:10]}"
    admin = connect(server_settings)
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    admin.close()
    settings = replace(server_settings, database=name)
    (tmp / "profiles").mkdir(parents=True)
    shutil.copy(REPO / "profiles.yml.example", tmp / "profiles" / "profiles.yml")
    env = {**os.environ, "_PGSQL_HOSTNAME": settings.host, "_PGSQL_PORT": str(settings.port),
           "_PGSQL_USER": settings.user, "_PGSQL_PASS": settings.password,
           "_PGSQL_DATABASE": name, "DLT_DATA_DIR": str(tmp / "dlt"),
           "ORDER_API_TOKEN": "analytics"}
    with serve(world, as_of=AS_OF, token="analytics") as server:
        env["ORDER_API_URL"] = server.url
        load = subprocess.run([sys.executable, str(REPO / "load" / "orders.py"),
                               "--summary-json", str(tmp / "run-summary.json")],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
        assert load.returncode == 0, load.stderr[-3000:]
    built = Warehouse(settings, env, tmp, subprocess.CompletedProcess([], 0))
    built.build = built.dbt("build")
    assert built.build.returncode == 0, built.build.stdout[-4000:]
    # the build's results (later dbt commands of the tests overwrite target/run_results.json)
    shutil.copy(tmp / "target" / "run_results.json", tmp / "build_run_results.json")
    return built


def _drop(server_settings: warehouse.PgSettings, built: Warehouse) -> None:
    admin = connect(server_settings)
    with admin.cursor() as cur:
        cur.execute(f'drop database if exists "{built.settings.database}" with (force)')
    admin.close()


@pytest.fixture(scope="session")
def quiet(pg_server: warehouse.PgSettings,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The world without an outage, loaded and built as of OUTAGE_DAY + 1, 03:00 UTC."""
    built = build_warehouse(pg_server, tmp_path_factory.mktemp("quiet"),
                            World(world_config(outage=False)))
    yield built
    _drop(pg_server, built)


@pytest.fixture(scope="session")
def outage(pg_server: warehouse.PgSettings,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Warehouse]:
    """The same world with no orders placed on OUTAGE_DAY, loaded as of the next night."""
    built = build_warehouse(pg_server, tmp_path_factory.mktemp("outage"),
                            World(world_config(outage=True)))
    yield built
    _drop(pg_server, built)
