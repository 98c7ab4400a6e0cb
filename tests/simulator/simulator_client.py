"""Test helpers: a plain paging client and a hand-written contract validator."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import requests

TOKEN = "test-token"
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
ORDER_STATUSES = {"pending", "paid", "shipped", "delivered", "cancelled", "refunded"}
TIERS = {"none", "silver", "gold", "platinum"}
PATTERNS = {
    "orders": r"^ord_[0-9A-Za-z]+$",
    "users": r"^usr_[0-9A-Za-z]+$",
    "products": r"^prd_[0-9A-Za-z]+$",
}


def get(url: str, token: str = TOKEN, **params: object) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.get(url, params=params, headers=headers, timeout=10)


def fetch_pages(base: str, feed: str, **params: object) -> list[requests.Response]:
    """Follow next_cursor to the end; every response must be a 200."""
    pages = []
    cursor = None
    while True:
        extra = {} if cursor is None else {"cursor": cursor}
        response = get(f"{base}/v1/{feed}", **params, **extra)
        assert response.status_code == 200, response.text
        pages.append(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages


def records_of(pages: list[requests.Response]) -> list[dict]:
    return [r for page in pages for r in page.json()["data"]]


def instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _timestamp_ok(value: object, nullable: bool = False) -> bool:
    if value is None:
        return nullable
    if not isinstance(value, str):
        return False
    try:
        return instant(value).tzinfo is not None
    except ValueError:
        return False


def _money_ok(value: object) -> bool:
    return isinstance(value, str) and bool(MONEY.match(value))


def _int_ok(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def violations(feed: str, record: dict) -> list[str]:
    """Contract violations found in one record (empty when valid)."""
    problems = []
    if not isinstance(record.get("id"), str) or not re.match(PATTERNS[feed], record["id"]):
        problems.append("id")
    if not _timestamp_ok(record.get("updated_at")):
        problems.append("updated_at")
    if feed == "orders":
        problems += _order_violations(record)
    elif feed == "users":
        problems += _user_violations(record)
    else:
        if not isinstance(record.get("sku"), str):
            problems.append("sku")
        if not _money_ok(record.get("list_price")):
            problems.append("list_price")
        if not isinstance(record.get("active"), bool):
            problems.append("active")
    return problems


def _order_violations(record: dict) -> list[str]:
    problems = []
    if record.get("status") not in ORDER_STATUSES:
        problems.append("status")
    if not _timestamp_ok(record.get("created_at")):
        problems.append("created_at")
    if not _timestamp_ok(record.get("deleted_at", "missing"), nullable=True):
        problems.append("deleted_at")
    for key in ("subtotal", "discount_total", "tax_total", "shipping_total", "total"):
        if not _money_ok(record.get(key)):
            problems.append(key)
    items = record.get("items")
    if not isinstance(items, list) or not items:
        problems.append("items")
        return problems
    for item in items:
        if not (_int_ok(item.get("quantity")) and item["quantity"] >= 1):
            problems.append("items.quantity")
        if not (_money_ok(item.get("unit_price")) and _money_ok(item.get("discount"))):
            problems.append("items.money")
    if not problems:
        lines = sum(
            i["quantity"] * Decimal(i["unit_price"]) - Decimal(i["discount"]) for i in items
        )
        if Decimal(record["subtotal"]) != lines:
            problems.append("subtotal_sum")
        expected = (Decimal(record["subtotal"]) - Decimal(record["discount_total"])
                    + Decimal(record["tax_total"]) + Decimal(record["shipping_total"]))
        if Decimal(record["total"]) != expected:
            problems.append("total_sum")
    return problems


def _user_violations(record: dict) -> list[str]:
    problems = []
    if not isinstance(record.get("email"), str):
        problems.append("email")
    if not isinstance(record.get("marketing_opt_in"), bool):
        problems.append("marketing_opt_in")
    if record.get("loyalty_tier") not in TIERS:
        problems.append("loyalty_tier")
    if not _timestamp_ok(record.get("created_at")):
        problems.append("created_at")
    if not _timestamp_ok(record.get("deleted_at", "missing"), nullable=True):
        problems.append("deleted_at")
    return problems
