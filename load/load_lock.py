"""One load at a time per raw dataset, enforced by the database the loads write to.

A PostgreSQL session advisory lock keyed on (pipeline, dataset), taken on a connection of its
own before anything touches raw or dlt's staging dataset and held until the run ends. Runs
from other machines or other `DLT_DATA_DIR`s meet the same lock; a run that is killed (even
with kill -9) closes its connection, and PostgreSQL frees the lock with it.

A second run waits up to `LOAD_LOCK_TIMEOUT` seconds (default 600: a nightly queue), then
fails with one line naming the holder from `pg_stat_activity`.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2

import errors

DEFAULT_TIMEOUT_S = 600.0
POLL_S = 0.5
log = logging.getLogger("order_api")

# The two-key form: pg_locks shows it as classid = key1, objid = key2, objsubid = 2.
_KEYS = "hashtext(%s), hashtext(%s)"
_HOLDER = f"""
    select a.pid, a.application_name, coalesce(host(a.client_addr), 'local socket'),
           to_char(a.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
    from pg_locks as l join pg_stat_activity as a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2
      and l.database = (select oid from pg_database where datname = current_database())
      and (l.classid, l.objid) = (select k1::oid, k2::oid from (select {_KEYS}) as k(k1, k2))
"""


def timeout_from_env() -> float:
    """`LOAD_LOCK_TIMEOUT` in seconds (default 600)."""
    value = os.environ.get("LOAD_LOCK_TIMEOUT", "").strip()
    if not value:
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if seconds < 0:
        raise errors.UsageError(f"LOAD_LOCK_TIMEOUT must be a number of seconds, got {value!r}: "
                                "set it to how long a run may wait for a running load (e.g. 600).")
    return seconds


@contextmanager
def hold(dsn: str, pipeline: str, dataset: str, where: str,
         timeout_s: float | None = None) -> Iterator[None]:
    """Hold the (pipeline, dataset) load lock in the database at `dsn` for the `with` block."""
    timeout_s = timeout_from_env() if timeout_s is None else timeout_s
    name = f"{pipeline} loader {socket.gethostname()} pid {os.getpid()}"[:63]
    try:
        conn = psycopg2.connect(dsn, application_name=name, connect_timeout=10,
                                keepalives=1, keepalives_idle=30, keepalives_interval=10,
                                keepalives_count=3)
    except psycopg2.Error as exc:
        raise errors.UsageError(errors.database_error(exc, where)) from None
    conn.autocommit = True
    try:
        try:
            _acquire(conn, pipeline, dataset, where, timeout_s)
        except psycopg2.Error as exc:
            raise errors.UsageError(errors.database_error(exc, where)) from None
        yield
    finally:
        conn.close()  # frees the lock (a session lock lives as long as its connection)


def _acquire(conn, pipeline: str, dataset: str, where: str,  # noqa: ANN001
             timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    waiting = False
    with conn.cursor() as cur:
        while True:
            cur.execute(f"select pg_try_advisory_lock({_KEYS})", (pipeline, dataset))
            if cur.fetchone()[0]:
                if waiting:
                    log.info("load lock taken: the other load of %s/%s ended", pipeline, dataset)
                return
            if not waiting:
                log.info("another load of %s/%s is running (%s): waiting up to %g s for it",
                         pipeline, dataset, _holder(cur, pipeline, dataset), timeout_s)
                waiting = True
            if time.monotonic() >= deadline:
                raise errors.UsageError(
                    f"another load of {pipeline} into {dataset} at {where} is still running "
                    f"after {timeout_s:g} s ({_holder(cur, pipeline, dataset)}): let it finish "
                    "and re-run, raise LOAD_LOCK_TIMEOUT to wait longer, or if it is stuck end "
                    "it (kill the process, or select pg_terminate_backend(pid))")
            time.sleep(POLL_S)


def _holder(cur, pipeline: str, dataset: str) -> str:  # noqa: ANN001
    cur.execute(_HOLDER, (pipeline, dataset))
    row = cur.fetchone()
    if row is None:
        return "holder just left"
    pid, app, client, since = row
    return f"held by {app or 'an unnamed client'!r} from {client} since {since}, backend pid {pid}"
