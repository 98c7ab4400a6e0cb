"""Served pages are byte for byte what `orjson.dumps` of the reference dict records gives.

The server renders JSON text straight from the world's arrays (`World.render_text`); the dict
records of `World.render` are the readable reference. Both are checked against each other on
small worlds with every optional feature on (at any page size, though small pages are served
from the dicts), and the served bodies against digests recorded from the dict-based server
before the text renderer existed.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from conftest import AS_OF, small_config
from simulator_client import TOKEN, fetch_pages

from simulator import World, serve
from simulator import world as world_module

FEEDS = ("orders", "users", "products")
DRIFT_FROM = AS_OF - timedelta(days=6)


def _worlds() -> dict[str, World]:
    return {
        "plain": World(small_config()),
        "bad_and_drift": World(small_config(bad_record_rate=0.3, new_field_from=DRIFT_FROM)),
        "long_timeline": World(small_config(
            orders=3000, users=500, products=60, seed=11, bad_record_rate=0.05,
            start=datetime(2024, 6, 1, tzinfo=UTC), new_field_from=datetime(2025, 1, 1, tzinfo=UTC),
        )),
    }


@pytest.fixture(scope="module")
def worlds() -> dict[str, World]:
    return _worlds()


@pytest.mark.parametrize("name", ["plain", "bad_and_drift", "long_timeline"])
@pytest.mark.parametrize("feed", FEEDS)
def test_text_rendering_equals_dumped_records(worlds, name, feed, monkeypatch) -> None:
    monkeypatch.setattr(world_module, "TEXT_RENDER_MIN_ROWS", 0)
    world = worlds[name]
    for as_of in (AS_OF - timedelta(days=10), AS_OF, AS_OF + timedelta(days=400)):
        vidx = world.index(feed, as_of).vidx
        for rows in (vidx, vidx[::-7], vidx[:1], vidx[:0]):
            records, reasons = world.render(feed, rows)
            data, text_reasons = world.render_text(feed, rows)
            assert data == orjson.dumps(records)
            assert text_reasons == reasons


# sha256 (first 128 bits) over the sha256 of every body, following cursors; recorded from the
# dict-based server.
PAGINATIONS = {
    "limit=97": {"limit": 97},
    "window": {
        "limit": 250, "updated_since": "2026-01-05T10:00:00+02:00",
        "updated_before": "2026-01-18T00:00:00.5Z",
    },
}
EXPECTED = {
    "plain orders limit=97": "a5970e46c33539d93ad2c51d8f18f4e8",
    "plain orders window": "babada10ec3a49fa3c2a2184e56a0e12",
    "plain users limit=97": "d82f099691157752c6a478413d722c85",
    "plain users window": "42e41811b5a81632a23ed617b9d82874",
    "plain products limit=97": "84039ff0265c43b05e62737fa184c49d",
    "plain products window": "d50d72e81784bb1469258567eaece302",
    "bad_and_drift orders limit=97": "d0e6deb264809491c4808027fe28fbfe",
    "bad_and_drift orders window": "8dd22e93c556f66f768c3e233ad1765b",
    "bad_and_drift users limit=97": "ce37456fb182adbba9fba6169e73b05a",
    "bad_and_drift users window": "755a4969bfd73bb9864b85ce72b55764",
    "bad_and_drift products limit=97": "efec17fc2932661951320895006d6e3e",
    "bad_and_drift products window": "2dd585cf88ec376580629d85775d30de",
}


def served_digests(worlds: dict[str, World]) -> dict[str, str]:
    out = {}
    for name in ("plain", "bad_and_drift"):
        with serve(worlds[name], AS_OF, token=TOKEN) as srv:
            for feed in FEEDS:
                for label, params in PAGINATIONS.items():
                    digest = hashlib.sha256()
                    for page in fetch_pages(srv.url, feed, **params):
                        digest.update(hashlib.sha256(page.content).digest())
                    out[f"{name} {feed} {label}"] = digest.hexdigest()[:32]
    return out


def test_served_bodies_match_recorded_digests(worlds) -> None:
    assert served_digests(worlds) == EXPECTED
