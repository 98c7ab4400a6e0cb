"""Validation of a feed request's query string."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from . import timefmt

ALLOWED = ("updated_since", "updated_before", "limit", "cursor")
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_SPACED_OFFSET = re.compile(r" (\d{2}:\d{2})$")


class ParamError(ValueError):
    """The request's parameters are invalid (answered with 400)."""


@dataclass(frozen=True)
class Query:
    since_ms: int | None
    before_ms: int | None
    limit: int
    cursor: str | None


def _timestamp(name: str, text: str) -> int:
    # An unencoded "+" in a query string arrives as a space: accept "…T09:00:00 01:00".
    text = _SPACED_OFFSET.sub(r"+\1", text)
    try:
        return timefmt.ceil_ms(timefmt.parse(text))
    except ValueError as exc:
        raise ParamError(f"{name} must be an RFC 3339 timestamp, got {text!r}") from exc


def _limit(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,7}", text):
        raise ParamError(f"limit must be an integer, got {text!r}")
    value = int(text)
    if not 1 <= value <= MAX_LIMIT:
        raise ParamError(f"limit must be between 1 and {MAX_LIMIT}, got {value}")
    return value


def parse_query(query: str) -> Query:
    """Parse and validate; raises ParamError with a message for the client."""
    values = parse_qs(query, keep_blank_values=True)
    unknown = sorted(set(values) - set(ALLOWED))
    if unknown:
        raise ParamError(f"unknown parameter(s): {', '.join(unknown)}")
    repeated = sorted(name for name, v in values.items() if len(v) > 1)
    if repeated:
        raise ParamError(f"parameter(s) given more than once: {', '.join(repeated)}")
    one = {name: v[0] for name, v in values.items()}
    cursor = one.get("cursor")
    if cursor is not None and not cursor:
        raise ParamError("cursor must not be empty")
    since, before = one.get("updated_since"), one.get("updated_before")
    return Query(
        since_ms=None if since is None else _timestamp("updated_since", since),
        before_ms=None if before is None else _timestamp("updated_before", before),
        limit=_limit(one["limit"]) if "limit" in one else DEFAULT_LIMIT,
        cursor=cursor,
    )
