"""Bad settings and broken peers: one clear line, a non-zero exit, nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from simulator import World, WorldConfig, serve
from tests.conftest import query
from warehouse import REPO_ROOT

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
TOKEN = "s3cret-test-token"


@pytest.fixture(scope="module")
def server():  # noqa: ANN201
    world = World(WorldConfig(orders=300, users=80, seed=5,
                              start=datetime(2026, 10, 1, tzinfo=UTC), end=AS_OF))
    with serve(world, as_of=AS_OF, token=TOKEN) as srv:
        yield srv


def run_loader(env: dict[str, str], *args: str,
               timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**env, "RUNTIME__REQUEST_MAX_ATTEMPTS": "2", "RUNTIME__REQUEST_BACKOFF_FACTOR": "0.1"}
    return subprocess.run([sys.executable, str(REPO_ROOT / "load" / "orders.py"), *args],
                          env=env, capture_output=True, text=True, timeout=timeout)


def one_error_line(result: subprocess.CompletedProcess) -> str:
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return errors[0]


def test_wrong_token(pg, pg_env, server) -> None:
    result = run_loader({**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": "wrong"})
    assert result.returncode == 1
    line = one_error_line(result)
    assert "401" in line and "ORDER_API_TOKEN" in line
    assert "wrong" not in result.stdout + result.stderr
    assert query(pg, "select count(*) from information_schema.tables "
                     "where table_schema = 'raw'")[0][0] == 0


def test_api_unreachable(pg_env) -> None:
    result = run_loader({**pg_env, "ORDER_API_URL": "http://127.0.0.1:9",
                         "ORDER_API_TOKEN": TOKEN})
    assert result.returncode == 1
    line = one_error_line(result)
    assert "cannot reach the Order API at http://127.0.0.1:9" in line
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(("override", "expected"), [
    ({"_PGSQL_HOSTNAME": "127.0.0.1", "_PGSQL_PORT": "9"}, "cannot reach PostgreSQL"),
    ({"_PGSQL_USER": "no_such_role"}, "refused the credentials"),
    ({"_PGSQL_DATABASE": "no_such_database"}, "database missing"),
    ({"_PGSQL_PORT": "five"}, "_PGSQL_PORT must be a port number"),
])
def test_database_problems(pg_env, server, override: dict[str, str], expected: str) -> None:
    env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": TOKEN,
           "_PGSQL_PASS": "db-pass-never-printed", **override}
    result = run_loader(env)
    assert result.returncode == 1
    assert expected in one_error_line(result)
    assert "db-pass-never-printed" not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [
    ["--since", "yesterday"], ["--since", "2026-11-01T00:00:00"], ["--no-such-flag"],
    ["--since", "2026-11-01T00:00:00Z", "--full-refresh"],
])
def test_bad_flags(pg_env, args: list[str]) -> None:
    result = run_loader(pg_env, *args, timeout=60)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")


def test_url_without_token(pg_env, server) -> None:
    env = {k: v for k, v in pg_env.items() if k != "ORDER_API_TOKEN"}
    result = run_loader({**env, "ORDER_API_URL": server.url})
    assert result.returncode == 1
    assert "ORDER_API_TOKEN" in one_error_line(result)
