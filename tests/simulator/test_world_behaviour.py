"""Determinism, bad records, schema drift, faults and the served log."""

from __future__ import annotations

import email.utils
from collections import Counter
from datetime import UTC, timedelta
from decimal import Decimal

import numpy as np
import orjson
import pytest
import requests
from conftest import AS_OF, small_config
from simulator_client import TOKEN, fetch_pages, get, instant, records_of, violations

from simulator import World, serve
from simulator.arrays import grouped_cummax

KINDS = ("429_seconds", "429_date", "500", "503", "drop", "truncated", "garbage")
FEEDS = ("orders", "users", "products")


def test_same_config_gives_byte_identical_pages(world) -> None:
    twin = World(small_config())
    with serve(world, AS_OF, token=TOKEN) as a, serve(twin, AS_OF, token=TOKEN) as b:
        for feed in FEEDS:
            pages_a = fetch_pages(a.url, feed, limit=333)
            pages_b = fetch_pages(b.url, feed, limit=333)
            assert [p.content for p in pages_a] == [p.content for p in pages_b]


def test_later_as_of_shows_the_same_world_further_along(world) -> None:
    now = {r["id"]: r for r in world.latest("orders", AS_OF)}
    later = {r["id"]: r for r in world.latest("orders", AS_OF + timedelta(days=5))}
    assert set(now) < set(later)
    assert all(instant(later[i]["updated_at"]) >= instant(now[i]["updated_at"]) for i in now)
    assert all(later[i]["items"] == now[i]["items"] for i in now)
    assert World(small_config(seed=8)).latest("orders", AS_OF) != list(now.values())


@pytest.mark.parametrize("feed", FEEDS)
def test_bad_records_are_exactly_the_flagged_ones(bad_world, feed) -> None:
    with serve(bad_world, AS_OF, token=TOKEN) as srv:
        records = records_of(fetch_pages(srv.url, feed, limit=500))
        invalid = {orjson.dumps(r).decode() for r in records if violations(feed, r)}
        bad = srv.served.bad(feed)
    assert {raw for _, raw in bad} == invalid
    assert bad == bad_world.latest_bad(feed, AS_OF)
    assert 0.01 < len(bad) / len(records) < 0.12
    if feed == "orders":
        assert {reason.split(":")[0] for reason in bad.values()} >= {
            "malformed_timestamp", "wrong_type", "malformed_amount", "missing_field", "unknown_enum"
        }
    assert all(rid == orjson.loads(raw).get("id") or rid is None for rid, raw in bad)
    assert len(srv.served.versions(feed)) == len(records) - len(bad)


def test_new_field_appears_from_the_given_moment() -> None:
    drift_from = AS_OF - timedelta(days=3)
    drifted = World(small_config(orders=400, users=100, new_field_from=drift_from))
    records = drifted.latest("orders", AS_OF)
    carrying = [r for r in records if "gift_message" in r]
    assert carrying and len(carrying) < len(records)
    assert all((instant(r["updated_at"]) >= drift_from) == ("gift_message" in r) for r in records)
    assert {type(r["gift_message"]) for r in carrying} == {str, type(None)}


def _attempt(url: str, params: dict) -> tuple[str, requests.Response | None]:
    try:
        response = get(url, **params)
    except requests.exceptions.ConnectionError:
        return "connection", None
    except requests.exceptions.ChunkedEncodingError:
        return "connection", None
    if response.status_code != 200:
        return str(response.status_code), response
    try:
        response.json()
    except requests.exceptions.JSONDecodeError:
        return "garbage", response
    return "ok", response


def test_fault_mix_and_served_log_excludes_faulted(world) -> None:
    with serve(world, AS_OF, token=TOKEN, fault_rate=0.2, fault_seed=3) as srv:
        seen: Counter[str] = Counter()
        delivered: list[dict] = []
        cursor = None
        while True:
            params = {"limit": 5} | ({} if cursor is None else {"cursor": cursor})
            outcome, response = _attempt(f"{srv.url}/v1/users", params)
            seen[outcome] += 1
            if outcome == "429":
                after = response.headers["Retry-After"]
                assert after == "1" or email.utils.parsedate_to_datetime(after).tzinfo is not None
                seen["429_date" if after != "1" else "429_seconds"] += 1
            if outcome != "ok":
                continue
            body = response.json()
            delivered += body["data"]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        faults = srv.served.faults
        assert set(faults) == set(KINDS)
        assert seen["429_seconds"] and seen["429_date"] and seen["500"] and seen["503"]
        assert seen["connection"] == faults["drop"] + faults["truncated"]
        assert seen["garbage"] == faults["garbage"]
        assert srv.served.requests["ok"] == seen["ok"]
        assert 0.1 < sum(faults.values()) / sum(srv.served.requests.values()) < 0.3
        assert delivered == world.latest("users", AS_OF)
        assert {(r["id"], instant(r["updated_at"])) for r in delivered} == set(
            srv.served.versions("users")
        )


def test_slow_responses_time_out_and_are_not_logged(world) -> None:
    with serve(world, AS_OF, token=TOKEN, slow_rate=1.0, slow_seconds=0.6) as srv:
        with pytest.raises(requests.exceptions.Timeout):
            requests.get(f"{srv.url}/v1/products", headers={"Authorization": f"Bearer {TOKEN}"},
                         timeout=0.2)
        assert srv.served.faults["slow"] == 1
        assert srv.served.versions("products") == {}


def test_aggregate_helpers_match_the_feed(world) -> None:
    later = AS_OF + timedelta(days=30)
    records = world.latest("orders", later)
    assert world.status_counts(later) == dict(Counter(r["status"] for r in records))
    revenue = world.revenue_by_day(later)
    assert sum(revenue.values()) == sum(
        Decimal(r["total"]) for r in records
        if r["deleted_at"] is None and r["status"] not in ("cancelled", "refunded")
    )
    counts = world.version_counts("users", later)
    assert set(counts) == {r["id"] for r in world.latest("users", later)}
    assert min(counts.values()) >= 1 and max(counts.values()) > 1


def _orders_per_day(world: World) -> Counter:
    orders = world.latest("orders", END_OF_WORLD)
    return Counter(instant(o["created_at"]).astimezone(UTC).date() for o in orders)


END_OF_WORLD = AS_OF + timedelta(days=30)


@pytest.mark.parametrize("fraction", [0.0, 0.25])
def test_outage_keeps_a_fraction_of_that_days_orders_only(world, fraction: float) -> None:
    day = (AS_OF - timedelta(days=5)).date()
    outage = World(small_config(outage_day=day, outage_fraction=fraction))
    normal, hit = _orders_per_day(world), _orders_per_day(outage)
    assert {d: n for d, n in hit.items() if d != day} == \
        {d: n for d, n in normal.items() if d != day}
    assert normal[day] >= 40
    assert hit[day] == pytest.approx(fraction * normal[day], abs=0.15 * normal[day])
    assert (hit[day] == 0) == (fraction == 0.0)
    twin = World(small_config(outage_day=day, outage_fraction=fraction))
    assert outage.latest("orders", AS_OF) == twin.latest("orders", AS_OF)


def test_running_max_restarts_per_record_past_four_million_records() -> None:
    """The 10M-order benchmark world has record numbers past 2**22 (an earlier packing's limit)."""
    rec = np.repeat(np.array([0, 5, 9_999_999, 12_000_000], dtype=np.int32), 3)
    ms = 1_790_000_000_000  # 2026-09, as the world's timestamps are
    upd = ms + np.array([3, 1, 2, 9, 4, 10, 900, 5, 901, 7, 2, 8], dtype=np.int64)
    assert (grouped_cummax(rec, upd) - ms).tolist() == [3, 3, 3, 9, 9, 10, 900, 900, 901, 7, 7, 8]
