"""Bad settings and broken peers: one clear line, a non-zero exit, nothing half-written."""

from __future__ import annotations

import logging
import subprocess
import sys
import traceback
from datetime import UTC, datetime

import psycopg2
import pytest

import errors
import orders
from simulator import World, WorldConfig, serve
from tests.conftest import query
from warehouse import REPO_ROOT, PgSettings

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
    """stderr is exactly one line, `error: <cause>: <fix>` (the run's log is on stdout)."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stdout
    return lines[0]


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
    assert "see python load/orders.py --help" in one_error_line(result)


# Every other failure an operator can cause, walked through (with the cases above: a wrong
# token, the API or the database unreachable, a bad role, database or port, bad flags; the lock
# timeout is in tests/reliability/test_overlapping_loads.py): one line, a cause and a fix.
NO_API = ("error: ORDER_API_URL is not set: set it and ORDER_API_TOKEN for a real API, or pass "
          "--demo to load the bundled simulator")


@pytest.mark.parametrize(("args", "env", "code", "expected"), [
    (["--demo", "--from-export", "/x"], {}, 2, "pass one (see python load/orders.py --help)"),
    ([], {"ORDER_API_URL": ""}, 1, NO_API),
    (["--since", "2026-11-01T00:00:00Z"], {"ORDER_API_URL": ""}, 1, NO_API),
    (["--demo"], {"LOAD_LOCK_TIMEOUT": "soon"}, 1,
     "error: LOAD_LOCK_TIMEOUT must be a number of seconds, got 'soon': set it to"),
    (["--from-export"], {"_AWS_S3_URL_SOURCE": ""}, 1,
     "error: --from-export needs a URL or _AWS_S3_URL_SOURCE set."),
    (["--from-export", "/no/such/export"], {}, 1,
     "error: no export at /no/such/export: check the --from-export URL"),
    (["--from-export", "s3://no-such-bucket/export"],
     {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
      "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
      "AWS_EC2_METADATA_DISABLED": "true"}, 1,
     "error: no AWS credentials to read the export at s3://no-such-bucket/export: set"),
    ([], {"_PGSQL_HOSTNAME": "", "ORDER_API_URL": "http://127.0.0.1:9", "ORDER_API_TOKEN": "t",
          "DESTINATION__POSTGRES__CREDENTIALS": "postgresql://u:db-pass-never-printed@127.0.0.1:9/x"},
     1, "error: cannot reach PostgreSQL at dlt's destination.postgres.credentials ("),
], ids=["demo-and-export", "no-api-url", "no-api-url-since", "bad-lock-timeout", "export-no-url",
        "export-missing", "export-no-aws-credentials", "dlt-credentials-unreachable"])
def test_each_failure_is_one_line(pg, pg_env, args: list[str], env: dict[str, str], code: int,
                                  expected: str) -> None:
    env = {k: v for k, v in {**pg_env, **env}.items() if v != ""}
    result = run_loader(env, *args, timeout=60)
    assert result.returncode == code, result.stderr
    assert one_error_line(result).startswith(expected) or expected in result.stderr
    assert "db-pass-never-printed" not in result.stdout + result.stderr
    assert query(pg, "select count(*) from pg_namespace where nspname like 'raw%'")[0][0] == 0


def test_simulator_only_into_the_embedded_database_unless_demo(pg, pg_env) -> None:
    """ORDER_API_URL unset and a database that is not the embedded one: nothing written (not
    even the raw schema), exit 1 with the one line; `--demo` loads the simulator there."""
    env = {k: v for k, v in pg_env.items() if k not in ("ORDER_API_URL", "ORDER_API_TOKEN")}
    schemas = "select count(*) from pg_namespace where nspname not like 'pg\\_%' escape '\\'"
    before = query(pg, schemas)[0][0]
    refused = run_loader(env)
    assert refused.returncode == 1
    assert refused.stderr == NO_API + "\n"
    assert query(pg, schemas)[0][0] == before  # no raw, no raw_staging, nothing

    from_ = datetime.now(UTC)
    demo = run_loader(env, "--demo")
    to = datetime.now(UTC)
    assert demo.returncode == 0, demo.stderr
    world = World(WorldConfig(**orders.DEMO_WORLD))
    served = {sum(len(p.records) for p in world.chunks("orders", t)) for t in (from_, to)}
    assert query(pg, "select count(*) from raw.orders")[0][0] in served


def test_url_without_token(pg_env, server) -> None:
    env = {k: v for k, v in pg_env.items() if k != "ORDER_API_TOKEN"}
    result = run_loader({**env, "ORDER_API_URL": server.url})
    assert result.returncode == 1
    assert "ORDER_API_TOKEN" in one_error_line(result)


def _cancelled_by_statement_timeout(pg: PgSettings, adbc: bool) -> BaseException:
    """A real statement_timeout cancel, through dlt's ADBC driver (its parquet jobs) or psycopg2
    (its other jobs; here inside a plpgsql block, as raw's merge-or-move job runs)."""
    sql = "do $$ declare x int := (select count(*) from pg_sleep(0.2)); begin end $$"
    if adbc:
        from adbc_driver_manager import dbapi
        from dlt.destinations.impl.postgres.factory import get_adbc_driver_location

        with dbapi.connect(driver=get_adbc_driver_location(),
                           db_kwargs={"uri": pg.url()}) as conn, conn.cursor() as cur:
            cur.execute("set statement_timeout = '1ms'")
            with pytest.raises(dbapi.OperationalError) as caught:
                cur.execute(sql)
        return caught.value
    conn = psycopg2.connect(host=pg.host, port=pg.port, user=pg.user, password=pg.password,
                            dbname=pg.database)
    try:
        with conn.cursor() as cur:
            cur.execute("set statement_timeout = '1ms'")
            with pytest.raises(psycopg2.OperationalError) as caught:
                cur.execute(sql)
    finally:
        conn.close()
    return caught.value


@pytest.mark.parametrize("adbc", [True, False], ids=["adbc", "psycopg2"])
def test_a_cancelled_statement_is_one_clear_line_from_either_driver(pg, adbc: bool) -> None:
    """Both drivers' cancels get the statement_timeout line (an ADBC error used to end up as
    `load failed: OperationalError: CANCELLED: [libpq] Failed to execute query '`)."""
    exc = _cancelled_by_statement_timeout(pg, adbc)
    assert errors.describe(exc, "http://api", 1, "the warehouse") == (
        "PostgreSQL cancelled a statement at the warehouse (canceling statement due to statement "
        "timeout): statement_timeout is too low for the loader; raise it for the loader's role "
        "or database, then re-run (the next run completes this one).")


@pytest.mark.parametrize("adbc", [True, False], ids=["adbc", "psycopg2"])
def test_dlt_logs_a_failed_job_in_one_line(pg, adbc: bool) -> None:
    """dlt logs a failed or retried job with the whole traceback (its `failed_message`); the
    loader's filter keeps the line that says why."""
    exc = _cancelled_by_statement_timeout(pg, adbc)
    message = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    assert "Traceback (most recent call last)" in message
    record = logging.LogRecord("dlt", logging.WARNING, __file__, 1,
                               "Job for users.1a2b.parquet retried in load 1795.5 with message %s",
                               (message,), None)
    assert errors.shorten_job_failures(record)
    reason = ("" if adbc else "QueryCanceled: ") + "canceling statement due to statement timeout"
    assert record.getMessage() == f"Job for users.1a2b.parquet retried in load 1795.5: {reason}"

    record = logging.LogRecord("dlt", logging.ERROR, __file__, 1,
                               "Transient exception in job users.1a2b.parquet in file /x", None,
                               (type(exc), exc, exc.__traceback__))
    assert errors.shorten_job_failures(record)
    assert record.exc_info is None
    assert logging.Formatter().format(record) == (
        f"Transient exception in job users.1a2b.parquet in file /x: {reason}")
