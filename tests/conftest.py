"""Shared fixtures: a real PostgreSQL (fresh database per test) and a real simulator on loopback.

The server is the `_PGSQL_*` one when `_PGSQL_HOSTNAME` is set (CI runs the end-to-end tests
against the machine's PostgreSQL that way), else an embedded one in `.local/test-pg`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg2
import pytest

import warehouse

REPO = warehouse.REPO_ROOT


@pytest.fixture(scope="session")
def pg_server() -> Iterator[warehouse.PgSettings]:
    """The server; an embedded one this test run started is stopped when the run ends."""
    settings = warehouse.from_env()
    started = False
    if settings is None:
        started = not (warehouse.TEST_DATA_DIR / "postmaster.pid").exists()
        settings = warehouse.start_embedded(warehouse.TEST_DATA_DIR, database="postgres")
    yield replace(settings, database="postgres")
    if started:
        warehouse.stop_embedded(warehouse.TEST_DATA_DIR)


def connect(settings: warehouse.PgSettings):  # noqa: ANN201 - a psycopg2 connection
    conn = psycopg2.connect(host=settings.host, port=settings.port, user=settings.user,
                            password=settings.password, dbname=settings.database)
    conn.autocommit = True
    return conn


@pytest.fixture
def pg(pg_server: warehouse.PgSettings) -> Iterator[warehouse.PgSettings]:
    """A fresh, empty database for one test, dropped afterwards."""
    name = f"oa_test_{uuid.uuid4().hex[:10]}"
    admin = connect(pg_server)
    with admin.cursor() as cur:
        cur.execute(f'create database "{name}"')
    try:
        yield replace(pg_server, database=name)
    finally:
        with admin.cursor() as cur:
            cur.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


@pytest.fixture
def pg_env(pg: warehouse.PgSettings, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment pointing the loader and dbt at the test database (also set in os.environ)."""
    env = {
        "_PGSQL_HOSTNAME": pg.host, "_PGSQL_PORT": str(pg.port), "_PGSQL_USER": pg.user,
        "_PGSQL_PASS": pg.password, "_PGSQL_DATABASE": pg.database,
        "DLT_DATA_DIR": str(tmp_path / "dlt"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return dict(os.environ)


def query(settings: warehouse.PgSettings, sql: str, *params: object) -> list[tuple]:
    conn = connect(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
            return cur.fetchall() if cur.description else []
    finally:
        conn.close()


def missing_tool(reason: str) -> None:
    """Skip when a test's external tool is missing; in CI (`CI` set) that is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must have it: `make test-tools`)")
    pytest.skip(reason)
