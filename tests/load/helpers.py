"""Compare what raw holds with what the simulator served."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from decimal import Decimal

import orjson

from tests.conftest import query

RAW_TABLE = {"orders": "orders", "users": "users", "products": "products"}


def raw_versions(pg, feed: str) -> set[tuple[str, datetime]]:  # noqa: ANN001
    rows = query(pg, f"select id, updated_at from raw.{RAW_TABLE[feed]}")
    keys = {(rid, ts.astimezone(UTC)) for rid, ts in rows}
    assert len(keys) == len(rows), f"raw.{feed} holds a version twice"
    return keys


def rejected_hashes(pg, feed: str) -> set[str]:  # noqa: ANN001
    return {h for (h,) in query(pg, "select payload_hash from raw.rejected_records "
                                     "where feed = %s", feed)}


def served_bad_hashes(bad: dict[tuple[str | None, str], str], feed: str) -> set[str]:
    return {hashlib.sha256(f"{feed}\n{text}".encode()).hexdigest() for _, text in bad}


def assert_raw_matches(pg, served, feeds=("orders", "users", "products")) -> None:  # noqa: ANN001
    """raw holds exactly the good versions served, rejected_records exactly the bad ones."""
    for feed in feeds:
        versions = served.versions(feed)
        assert raw_versions(pg, feed) == set(versions), f"raw.{feed} differs from what was served"
        assert rejected_hashes(pg, feed) == served_bad_hashes(served.bad(feed), feed)
    orders = served.versions("orders")
    expected_items = sum(len(o["items"]) for o in orders.values())
    assert query(pg, "select count(*) from raw.order_items")[0][0] == expected_items
    expected_total = sum(Decimal(o["total"]) for o in orders.values())
    raw_total = query(pg, "select coalesce(sum(total), 0) from raw.orders")[0][0]
    assert raw_total == expected_total
    # every line item belongs to a loaded order version, and the money adds up per version
    mismatched = query(pg, """
        select o.id, o.updated_at from raw.orders as o
        join raw.order_items as i on i.order_id = o.id and i.order_updated_at = o.updated_at
        group by o.id, o.updated_at, o.subtotal
        having o.subtotal <> sum(i.quantity * i.unit_price - i.discount)""")
    assert mismatched == []


def payload_of(record: dict) -> str:
    return orjson.dumps(record).decode()
