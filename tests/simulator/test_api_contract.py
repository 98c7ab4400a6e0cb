"""CONTRACT.md promises, checked against the running simulator."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
import requests
from conftest import AS_OF
from simulator_client import (
    fetch_pages,
    get,
    instant,
    records_of,
    violations,
)

FEEDS = ("orders", "users", "products")


def test_missing_or_wrong_token_is_401(server) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "test-token"}):
        response = requests.get(f"{server.url}/v1/orders", headers=headers, timeout=5)
        assert response.status_code == 401
        assert set(response.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize("params", [
    {"updated_since": "yesterday"},
    {"updated_since": "2026-13-45T25:61:00Z"},
    {"updated_before": "2026-01-01"},
    {"updated_before": "2026-01-01T00:00:00"},
    {"limit": "0"},
    {"limit": "1001"},
    {"limit": "abc"},
    {"limit": "1.5"},
    {"limit": "-3"},
    {"cursor": "garbage"},
    {"cursor": ""},
    {"since": "2026-01-01T00:00:00Z"},
])
def test_bad_parameters_are_400(server, params) -> None:
    response = get(f"{server.url}/v1/orders", **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)


def test_cursor_must_come_with_the_same_filters(server) -> None:
    first = get(f"{server.url}/v1/orders", limit=5, updated_since="2026-01-05T00:00:00Z").json()
    cursor = first["next_cursor"]
    assert cursor
    same = get(f"{server.url}/v1/orders", limit=5, updated_since="2026-01-05T01:00:00+01:00",
               cursor=cursor)
    assert same.status_code == 200
    for other in (
        {"updated_since": "2026-01-06T00:00:00Z"},
        {},
        {"updated_since": "2026-01-05T00:00:00Z", "updated_before": "2026-02-01T00:00:00Z"},
    ):
        assert get(f"{server.url}/v1/orders", limit=5, cursor=cursor, **other).status_code == 400
    assert get(f"{server.url}/v1/users", limit=5, cursor=cursor,
               updated_since="2026-01-05T00:00:00Z").status_code == 400
    assert get(f"{server.url}/v1/orders", limit=5, cursor=cursor[:-2],
               updated_since="2026-01-05T00:00:00Z").status_code == 400


def test_unknown_path_is_404(server) -> None:
    for path in ("/v1/order", "/v2/orders", "/"):
        response = get(f"{server.url}{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("feed", FEEDS)
def test_full_feed_is_ordered_unique_and_equals_latest(server, world, feed) -> None:
    pages = fetch_pages(server.url, feed, limit=97)
    records = records_of(pages)
    keys = [(instant(r["updated_at"]), r["id"]) for r in records]
    assert keys == sorted(keys)
    assert len({r["id"] for r in records}) == len(records)
    assert all(len(p.json()["data"]) == 97 for p in pages[:-1])
    assert records == world.latest(feed, AS_OF)
    assert all(not violations(feed, r) for r in records)
    assert all(instant(r["updated_at"]) <= AS_OF for r in records)


def test_equal_timestamp_runs_cross_page_boundaries(server) -> None:
    pages = fetch_pages(server.url, "orders", limit=7)
    data = [p.json()["data"] for p in pages]
    crossing = [
        (a[-1], b[0]) for a, b in zip(data, data[1:], strict=False)
        if instant(a[-1]["updated_at"]) == instant(b[0]["updated_at"])
    ]
    assert crossing, "expected a page boundary inside a run of equal updated_at"
    shipped = [r for d in data for r in d if r["status"] == "shipped"]
    assert shipped and all(
        re.search(r"T\d\d:00:00(Z|[+-]\d\d:00)$", r["updated_at"]) for r in shipped
    )
    no_fraction = sum("." not in r["updated_at"] for d in data for r in d)
    assert 0.15 < no_fraction / sum(map(len, data)) < 0.6
    offsets = {r["updated_at"][23:] for d in data for r in d if "." in r["updated_at"]}
    assert {"Z", "+05:30", "-05:00"} <= offsets


def test_window_is_inclusive_since_exclusive_before(server, world) -> None:
    everything = world.latest("orders", AS_OF)
    pivot = instant(everything[len(everything) // 2]["updated_at"])
    later = pivot + timedelta(days=2)
    since = pivot.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    before = later.astimezone(UTC).isoformat()  # "+00:00" form, any offset is accepted
    got = records_of(fetch_pages(server.url, "orders", limit=50,
                                 updated_since=since, updated_before=before))
    expected = [r for r in everything if pivot <= instant(r["updated_at"]) < later]
    assert got == expected
    assert instant(got[0]["updated_at"]) == pivot


def test_late_versions_appear_after_their_visibility_delay(server, world) -> None:
    t = world.orders.table
    as_of_ms = int(AS_OF.timestamp() * 1000)
    # a version already updated but not yet visible, whose predecessor is visible
    late = [
        v for v in range(1, t.size)
        if t.rec[v] == t.rec[v - 1] and t.upd[v] <= as_of_ms < t.vis[v] <= as_of_ms + 600_000
        and t.vis[v - 1] <= as_of_ms
    ]
    assert late, "world should hold a late-visible version at AS_OF"
    v = late[0]
    oid = world.render_ids("orders", t.rec[v:v + 1])[0]
    by_id = {r["id"]: r for r in records_of(fetch_pages(server.url, "orders", limit=1000))}
    assert instant(by_id[oid]["updated_at"]).timestamp() * 1000 < t.upd[v]
    server.as_of = AS_OF + timedelta(minutes=10)
    by_id = {r["id"]: r for r in records_of(fetch_pages(server.url, "orders", limit=1000))}
    assert round(instant(by_id[oid]["updated_at"]).timestamp() * 1000) >= t.upd[v]
    assert max((t.vis - t.upd).tolist()) <= 600_000


def test_unseen_new_records_are_absent_then_present(world) -> None:
    before = {r["id"] for r in world.latest("users", AS_OF)}
    after = {r["id"] for r in world.latest("users", AS_OF + timedelta(days=3))}
    assert before < after


@pytest.mark.parametrize("feed", ("orders", "users"))
def test_soft_deleted_records_stay_in_the_feed(server, feed) -> None:
    server.as_of = AS_OF + timedelta(days=200)
    records = records_of(fetch_pages(server.url, feed, limit=1000))
    deleted = [r for r in records if r["deleted_at"] is not None]
    assert deleted
    assert all(r["deleted_at"] == r["updated_at"] for r in deleted)
    assert len(deleted) < 0.05 * len(records)


def test_money_is_exact_for_every_order(world) -> None:
    for record in world.latest("orders", AS_OF + timedelta(days=60)):
        lines = sum(i["quantity"] * Decimal(i["unit_price"]) - Decimal(i["discount"])
                    for i in record["items"])
        assert Decimal(record["subtotal"]) == lines
        assert Decimal(record["total"]) == (
            Decimal(record["subtotal"]) - Decimal(record["discount_total"])
            + Decimal(record["tax_total"]) + Decimal(record["shipping_total"])
        )
        assert all(i["id"].startswith(f"li_{record['id'][4:]}x") for i in record["items"])


def test_served_log_keys_are_utc_millisecond_datetimes(server) -> None:
    pages = fetch_pages(server.url, "users", limit=200)
    records = records_of(pages)
    versions = server.served.versions("users")
    assert len(versions) == len(records)
    for (rid, updated), record in versions.items():
        assert updated.tzinfo is not None and updated.utcoffset() == timedelta(0)
        assert updated == instant(record["updated_at"]) and rid == record["id"]
    assert server.served.requests["ok"] == len(pages)
