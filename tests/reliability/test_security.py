"""Secrets never leave the process; roles see only what they should.

The shared `built` fixture (conftest.py) ran the loader and `dbt build` with a distinctive API
token and database password; every byte they left behind is searched for both.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest
from psycopg2 import errors as pg_errors

import orders
from simulator import World, WorldConfig, serve
from tests.conftest import connect, query
from tests.reliability.conftest import SECRET_PASSWORD, SECRET_TOKEN, Built, require_buildable
from tests.reliability.helpers import Expected, find_secrets, run_loader

SECRETS = {"api token": SECRET_TOKEN, "database password": SECRET_PASSWORD}


def test_no_secret_in_loader_output_state_or_schemas(built: Built) -> None:
    assert built.load.returncode == 0, built.load.stderr[-3000:]
    dlt_dir = Path(built.env["DLT_DATA_DIR"])
    pickles = list(dlt_dir.rglob("*.pickle"))
    assert pickles, "dlt wrote no trace: the scan would prove nothing"
    # control: the scan does see connection details in there (the database name), just no secret
    assert find_secrets({"database name": built.pg.database}, trees=[dlt_dir])
    hits = find_secrets(SECRETS, {"loader stdout": built.load.stdout,
                                  "loader stderr": built.load.stderr},
                        [built.summary, dlt_dir, Path(orders.SCHEMAS_DIR) / "export"])
    assert hits == []


def test_no_secret_in_dbt_target_or_logs(built: Built) -> None:
    assert built.build is not None, "dbt did not run"
    target, logs = built.workdir / "target", built.workdir / "logs"
    assert (target / "manifest.json").exists() and any(logs.iterdir())
    hits = find_secrets(SECRETS, {"dbt stdout (killed build)": built.killed_build,
                                  "dbt stdout": built.build.stdout + built.build.stderr},
                        [target, logs])
    assert hits == []


def test_analyst_reads_marts_only(built: Built) -> None:
    require_buildable(built)
    assert built.build is not None and built.build.returncode == 0, built.build.stdout[-4000:]
    conn = connect(built.pg)
    try:
        relations = {s: [t for (t,) in query(built.pg, """
            select table_name from information_schema.tables where table_schema = %s""", s)]
            for s in ("raw", "staging", "snapshots", "marts")}
        assert all(relations.values()), relations
        with conn.cursor() as cur:
            cur.execute("set role analyst")
            cur.execute("select count(*) from marts.order_summary")
            assert cur.fetchone()[0] > 0
            for table in relations["marts"]:
                cur.execute(f'select 1 from marts."{table}" limit 1')
            for schema in ("raw", "staging", "snapshots"):
                for table in relations[schema]:
                    with pytest.raises(pg_errors.InsufficientPrivilege):
                        cur.execute(f'select 1 from {schema}."{table}" limit 1')
            with pytest.raises(pg_errors.InsufficientPrivilege):
                cur.execute("create table marts.analyst_was_here (x int)")
    finally:
        conn.close()


def test_loader_role_writes_raw_only(pg, pg_env, tmp_path: Path) -> None:
    """The recipe in docs/reliability.md: a login role owning `raw` and `raw_staging`, no
    CREATE on the database, nothing on marts. The loader runs as it; it cannot read marts."""
    role = f"loader_{uuid.uuid4().hex[:8]}"
    admin = connect(pg)
    try:
        with admin.cursor() as cur:
            cur.execute(f"create role {role} login password 'x'")
            cur.execute(f'grant connect on database "{pg.database}" to {role}')
            cur.execute(f"create schema raw authorization {role}")
            cur.execute(f"create schema raw_staging authorization {role}")
            cur.execute("create schema marts; create table marts.fct_private (x int)")
            cur.execute("insert into marts.fct_private values (1)")
        world = World(WorldConfig(orders=300, users=60, seed=71,
                                  start=datetime(2026, 10, 1, tzinfo=UTC),
                                  end=datetime(2026, 11, 20, tzinfo=UTC)))
        as_of = datetime(2026, 11, 20, tzinfo=UTC)
        with serve(world, as_of=as_of, token="t") as server:
            env = {**os.environ, **pg_env, "_PGSQL_USER": role, "_PGSQL_PASS": "anything",
                   "ORDER_API_URL": server.url, "ORDER_API_TOKEN": "t"}
            run = run_loader(env)
        assert run.returncode == 0, run.stderr[-4000:]
        Expected.from_world(world, [as_of]).assert_raw(pg)
        owners = {o for (o,) in query(pg, "select tableowner from pg_tables "
                                          "where schemaname = 'raw'")}
        assert owners == {role}

        as_loader = psycopg2.connect(host=pg.host, port=pg.port, user=role, password="x",
                                     dbname=pg.database)
        as_loader.autocommit = True
        try:
            with as_loader.cursor() as cur:
                for sql in ("select * from marts.fct_private", "create table marts.x (x int)",
                            "create schema sneaky"):
                    with pytest.raises(pg_errors.InsufficientPrivilege):
                        cur.execute(sql)
        finally:
            as_loader.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(f"drop owned by {role} cascade")
        admin.close()
        other = connect(replace(pg, database="postgres"))
        with other.cursor() as cur:
            cur.execute(f"drop owned by {role} cascade; drop role if exists {role}")
        other.close()
