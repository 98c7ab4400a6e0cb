"""Turn what can go wrong in a run into one clear line: what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg2
import psycopg2.errors
from dlt.sources.helpers.requests import HTTPError
from requests.exceptions import ChunkedEncodingError, ConnectionError, Timeout


class UsageError(Exception):
    """Bad settings or flags; the message says which and what to do."""


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]


def database_error(exc: psycopg2.Error, where: str) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "password authentication failed" in text or "role" in text and "does not exist" in text:
        return (f"PostgreSQL refused the credentials for {where}: check _PGSQL_USER and "
                "_PGSQL_PASS (or dlt's destination.postgres.credentials).")
    if "database" in text and "does not exist" in text:
        return (f"PostgreSQL database missing at {where}: create it (createdb) or set "
                "_PGSQL_DATABASE to an existing one.")
    if isinstance(exc, psycopg2.errors.QueryCanceled):  # an OperationalError, but not that
        return (f"PostgreSQL cancelled a statement at {where} ({text}): statement_timeout is "
                "too low for the loader; raise it for the loader's role or database, then re-run "
                "(the next run completes this one).")
    if isinstance(exc, psycopg2.OperationalError):
        return (f"cannot reach PostgreSQL at {where} ({text}): check _PGSQL_HOSTNAME/"
                "_PGSQL_PORT and that the server runs (`make db-start` for the embedded one).")
    return f"PostgreSQL refused the load at {where}: {text}"


def describe(exc: BaseException, api_url: str, attempts: int,
             database: str = "the destination") -> str:
    """One line for an exception raised while loading."""
    for e in _chain(exc):
        if isinstance(e, UsageError):
            return str(e)
        if isinstance(e, HTTPError) and e.response is not None:
            status = e.response.status_code
            if status == 401:
                return (f"the Order API at {api_url} rejected the token (HTTP 401): "
                        "set ORDER_API_TOKEN to a valid token.")
            if status == 400:
                return (f"the Order API at {api_url} rejected a request (HTTP 400: "
                        f"{e.response.text[:200]}): check --since and the API version.")
            return (f"the Order API at {api_url} kept failing (HTTP {status}) after {attempts} "
                    "attempts; nothing after the last committed load was recorded: re-run later.")
        if isinstance(e, ChunkedEncodingError):
            return (f"the Order API at {api_url} kept sending incomplete or invalid pages after "
                    f"{attempts} attempts; nothing after the last committed load was recorded: "
                    "re-run later.")
        if isinstance(e, (ConnectionError, Timeout)):
            return (f"cannot reach the Order API at {api_url} ({type(e).__name__}) after "
                    f"{attempts} attempts: check ORDER_API_URL and the network, then re-run.")
        if isinstance(e, psycopg2.Error):
            return database_error(e, database)
    root = list(_chain(exc))[-1]
    return f"load failed: {type(root).__name__}: {str(root).splitlines()[0] if str(root) else ''}"
