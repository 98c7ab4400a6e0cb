"""The clean-page fast path builds what the checked path builds, and only for clean pages."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa
import pytest

from order_api.clean_pages import clean_batch
from order_api.records import Batch, build_batch
from order_api.to_arrow import timestamps_as_utc_text
from order_api.validate import batches
from simulator import World, WorldConfig

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def _pages(world: World, feed: str, limit: int = 500) -> list[list[dict[str, Any]]]:
    # served JSON, parsed back: the exact Python types a client sees
    return [orjson.loads(orjson.dumps(p.records)) for p in world.chunks(feed, AS_OF, limit)]


@pytest.fixture(scope="module")
def clean_world() -> World:
    return World(WorldConfig(orders=1500, users=300, products=60, seed=11))


def _assert_same(fast: Batch, checked: Batch) -> None:
    assert fast.tables.keys() == checked.tables.keys()
    for name, table in checked.tables.items():
        assert fast.tables[name].schema == table.schema, name
        assert fast.tables[name].equals(table), name
    assert fast.max_updated_at == checked.max_updated_at
    assert fast.rejected == checked.rejected == []
    assert fast.new_fields == checked.new_fields == set()


@pytest.mark.parametrize("feed", ["orders", "users", "products"])
def test_clean_pages_take_the_fast_path_and_equal_the_checked_path(clean_world, feed) -> None:
    pages = _pages(clean_world, feed)
    assert sum(map(len, pages)) > 50
    for records in pages:
        fast = clean_batch(feed, records)
        assert fast is not None, "a clean page left the fast path"
        _assert_same(fast, build_batch(feed, records))


def test_pages_with_defects_or_new_fields_leave_the_fast_path() -> None:
    world = World(WorldConfig(orders=1500, users=300, products=60, seed=5, bad_record_rate=0.02,
                              new_field_from=datetime(2026, 9, 1, tzinfo=UTC)))
    seen_slow = seen_fast = 0
    for feed in ("orders", "users", "products"):
        for records in _pages(world, feed, limit=50):
            checked = build_batch(feed, records)
            fast = clean_batch(feed, records)
            if checked.rejected or checked.new_fields:
                assert fast is None, checked.rejected or checked.new_fields
                seen_slow += 1
            else:
                assert fast is not None, "a clean page left the fast path"
                _assert_same(fast, checked)
                seen_fast += 1
    assert seen_slow > 10 and seen_fast > 10


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    *parents, key = path.split(".")
    for p in parents:
        record = record[p][0] if p == "items" else record[p]
    if value is KeyError:
        del record[key]
    else:
        record[key] = value


SPOILERS = {  # feed, path, value (KeyError: remove the key): each breaks the contract
    "float for an integer": ("orders", "client_created_ms", 1.0),
    "fractional quantity": ("orders", "items.quantity", 1.5),
    "zero quantity": ("orders", "items.quantity", 0),
    "quantity beyond integer": ("orders", "items.quantity", 2**31),
    "bigint overflow": ("orders", "client_created_ms", 2**63),
    "bool for an integer": ("orders", "client_created_ms", True),
    "int for a bool": ("users", "marketing_opt_in", 1),
    "missing nullable but required": ("orders", "deleted_at", KeyError),
    "missing nested required": ("orders", "device.platform", KeyError),
    "unknown nested field": ("orders", "payment.token", "x"),
    "unknown field": ("users", "nickname", "x"),
    "empty items": ("orders", "items", []),
    "items not a list": ("orders", "items", {"id": "li_1"}),
    "NUL in text": ("orders", "items.name", "a\x00b"),
    "non-string metadata value": ("orders", "metadata", {"channel": 1}),
    "impossible date": ("orders", "created_at", "2026-02-30T00:00:00Z"),
    "malformed amount": ("orders", "total", "12.5"),
    "unknown enum value": ("orders", "status", "lost"),
    "null required": ("products", "sku", None),
    "number for text": ("products", "name", 7),
    "nested object not an object": ("users", "address", "Main St 1"),
}


@pytest.mark.parametrize("spoiler", SPOILERS)
def test_one_spoiled_record_sends_the_page_to_the_checked_path(clean_world, spoiler) -> None:
    feed, path, value = SPOILERS[spoiler]
    records = copy.deepcopy(_pages(clean_world, feed)[0])
    _set(records[len(records) // 2], path, value)
    assert clean_batch(feed, records) is None
    checked = build_batch(feed, records)
    assert len(checked.rejected) + len(checked.new_fields) == 1


def test_null_nested_objects_stay_on_the_fast_path(clean_world) -> None:
    records = copy.deepcopy(_pages(clean_world, "orders")[0])
    records[3]["device"] = None
    del records[4]["payment"]
    records[5]["shipping_address"]["line2"] = None
    fast = clean_batch("orders", records)
    assert fast is not None
    _assert_same(fast, build_batch("orders", records))
    assert fast.tables["orders"]["device__platform"][3].as_py() is None


def test_a_group_of_pages_is_one_batch_unless_a_page_in_it_is_spoiled(clean_world) -> None:
    pages = _pages(clean_world, "orders", limit=200)[:4]
    (whole,) = batches("orders", pages)
    per_page = [build_batch("orders", p) for p in pages]
    for name in ("orders", "order_items"):
        assert whole.tables[name].equals(
            pa.concat_tables([b.tables[name] for b in per_page]))
    assert whole.max_updated_at == max(b.max_updated_at for b in per_page)

    spoiled = copy.deepcopy(pages)
    spoiled[2][7]["total"] = "12.5"
    split = list(batches("orders", spoiled))
    assert len(split) == 4
    assert [len(b.rejected) for b in split] == [0, 0, 1, 0]
    assert sum(b.tables["orders"].num_rows for b in split) == sum(map(len, pages)) - 1


def test_csv_timestamps_as_text_are_the_bytes_dlts_csv_writer_writes(clean_world) -> None:
    """`orders` goes to PostgreSQL as CSV: its timestamps are turned into text before dlt writes
    the file (Arrow formats zoned timestamps ~10x slower); the file must not change by a byte."""
    from io import BytesIO

    import pyarrow.csv as pcsv

    orders = clean_batch("orders", _pages(clean_world, "orders")[0]).tables["orders"]
    # a null, a whole second and a micro-second value, besides the simulator's milliseconds
    extra = pa.array([None, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                      datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)], orders["updated_at"].type)
    column = pa.chunked_array([orders["updated_at"].combine_chunks(), extra])
    typed = pa.table({"at": column, "deleted_at": pa.concat_arrays(
        [orders["deleted_at"].combine_chunks(), extra])})
    as_text, names = timestamps_as_utc_text(typed)

    def csv(table: pa.Table) -> bytes:
        out = BytesIO()
        pcsv.write_csv(table, out, pcsv.WriteOptions(include_header=False,
                                                     quoting_style="needed"))
        return out.getvalue()

    assert names == ["at", "deleted_at"]
    assert as_text.schema.types == [pa.string(), pa.string()]
    assert [c.null_count for c in as_text.columns] == [c.null_count for c in typed.columns]
    assert csv(as_text).replace(b'"', b"") == csv(typed)
    assert as_text["at"][-1].as_py() == "2026-01-02 03:04:05.000006Z"
