"""What the peers share: the API and database settings from the environment, and plain paging.

Settings come from the same variables as `load/orders.py`: ORDER_API_URL, ORDER_API_TOKEN and
_PGSQL_* (_PGSQL_HOSTNAME may be a socket directory). `--max-orders` / `--max-users` cut the
orders / users feeds after that many records (page granularity) for bounded runs.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

PAGE_SIZE = 1000  # the contract's maximum; every contender asks for it
FEEDS = ("orders", "users", "products")


def parse_limits(description: str | None) -> dict[str, int | None]:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--max-orders", type=int, default=None)
    p.add_argument("--max-users", type=int, default=None)
    args = p.parse_args()
    return {"orders": args.max_orders, "users": args.max_users, "products": None}


def api() -> tuple[str, str]:
    return os.environ["ORDER_API_URL"].rstrip("/"), os.environ["ORDER_API_TOKEN"]


def pg_kwargs() -> dict[str, Any]:
    """psycopg2.connect() keyword arguments."""
    env = os.environ
    return {"host": env["_PGSQL_HOSTNAME"], "port": int(env.get("_PGSQL_PORT", "5432")),
            "user": env.get("_PGSQL_USER", "postgres"),
            "password": env.get("_PGSQL_PASS", "postgres"), "dbname": env["_PGSQL_DATABASE"]}


def pg_url(driver: str = "postgresql") -> str:
    """A URL for dlt (`postgresql`) or SQLAlchemy (`postgresql+psycopg2`)."""
    k = pg_kwargs()
    auth = f"{quote(k['user'], safe='')}:{quote(k['password'], safe='')}"
    if k["host"].startswith("/"):
        return f"{driver}://{auth}@localhost:{k['port']}/{k['dbname']}?host={k['host']}"
    return f"{driver}://{auth}@{k['host']}:{k['port']}/{k['dbname']}"


def pages(feed: str, max_records: int | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every page of `feed`, following next_cursor, until the end or `max_records`."""
    url, token = api()
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    params: dict[str, Any] = {"limit": PAGE_SIZE}
    seen = 0
    while True:
        response = session.get(f"{url}/v1/{feed}", params=params, timeout=60)
        response.raise_for_status()
        body = response.json()
        yield body["data"]
        seen += len(body["data"])
        if not body.get("next_cursor") or (max_records is not None and seen >= max_records):
            return
        params = {"limit": PAGE_SIZE, "cursor": body["next_cursor"]}
