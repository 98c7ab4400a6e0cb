"""Turn what can go wrong in a run into one clear line: what is wrong and how to fix it."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator

import psycopg2
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


QUERY_CANCELED = "57014"  # SQLSTATE of a statement cancelled (statement_timeout, a cancel)


def _is_adbc(exc: BaseException) -> bool:
    """An error of the ADBC driver, which loads dlt's parquet jobs (not imported for this)."""
    return type(exc).__module__.split(".")[0] == "adbc_driver_manager"


_EXCEPTION_LINE = re.compile(r"^(?:\w+\.)*(\w*[a-z]\w*): (.+)$")  # `pkg.mod.SomeError: why`


def _reason(text: str) -> str:
    """What went wrong, in one line, from an error text or a formatted traceback: the server's
    `ERROR:` message if there is one, else the last exception line (`SomeError: why`)."""
    if found := re.search(r"\bERROR:\s+(.+)", text):
        return found.group(1).strip()
    lines = [f"{m.group(1)}: {m.group(2).strip()}" for line in text.splitlines()
             if (m := _EXCEPTION_LINE.match(line))]
    if lines:
        return lines[-1]
    return text.strip().splitlines()[0] if text.strip() else ""


def database_error(exc: BaseException, where: str) -> str:
    """One line for an error of psycopg2 or of the ADBC driver."""
    if isinstance(exc, psycopg2.Error):
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sqlstate = exc.pgcode
    else:
        text = _reason(str(exc)) or type(exc).__name__
        sqlstate = found.group(1) if (found := re.search(r"SQLSTATE: (\w{5})", str(exc))) else None
    if "password authentication failed" in text or "role" in text and "does not exist" in text:
        return (f"PostgreSQL refused the credentials for {where}: check _PGSQL_USER and "
                "_PGSQL_PASS (or dlt's destination.postgres.credentials).")
    if "database" in text and "does not exist" in text:
        return (f"PostgreSQL database missing at {where}: create it (createdb) or set "
                "_PGSQL_DATABASE to an existing one.")
    if sqlstate == QUERY_CANCELED:  # psycopg2: an OperationalError, but not that kind
        return (f"PostgreSQL cancelled a statement at {where} ({text}): statement_timeout is "
                "too low for the loader; raise it for the loader's role or database, then re-run "
                "(the next run completes this one).")
    if isinstance(exc, psycopg2.OperationalError) and where.startswith("dlt's"):
        return (f"cannot reach PostgreSQL at {where} ({text}): check that setting's host and "
                "port and that the server runs.")
    if isinstance(exc, psycopg2.OperationalError):
        return (f"cannot reach PostgreSQL at {where} ({text}): check _PGSQL_HOSTNAME/"
                "_PGSQL_PORT and that the server runs (`make db-start` for the embedded one).")
    return f"PostgreSQL refused the load at {where}: {text}"


def export_error(exc: BaseException, url: str) -> str:
    """One line for an export location that cannot be read."""
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return (f"no AWS credentials to read the export at {url}: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), then re-run.")
    if isinstance(exc, ImportError):
        return (f"cannot read the export at {url} ({exc}): install the filesystem's package "
                "(`pip install s3fs` for s3://).")
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else name
    return (f"cannot read the export at {url} ({name}: {text}): check the URL and that this "
            "machine may read it.")


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
        if isinstance(e, psycopg2.Error) or _is_adbc(e):
            return database_error(e, database)
    root = list(_chain(exc))[-1]
    return f"load failed: {type(root).__name__}: {str(root).splitlines()[0] if str(root) else ''}"


def shorten_job_failures(record: logging.LogRecord) -> bool:
    """A logging filter for dlt, which logs a load job's exception with its whole traceback
    (`Transient exception in job ...`, then `Job for ... retried in load ... with message
    <traceback>`): keep the one line that says why. The job's full message stays in its package
    (`dlt pipeline order_api failed-jobs`)."""
    message = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None and " exception in job " in message:
        exc = record.exc_info[1]
        formatted = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        record.msg, record.args = f"{message}: {_reason(formatted)}", None
        record.exc_info, record.exc_text = None, None
        return True
    head, sep, detail = message.partition(" with message ")
    if sep and " in load " in head and "Traceback (most recent call last)" in detail:
        record.msg, record.args = f"{head}: {_reason(detail)}", None
    return True
