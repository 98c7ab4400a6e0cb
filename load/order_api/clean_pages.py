"""Validate, the fast path for pages with nothing wrong in them: converted by Arrow at once.

Nearly every page the API serves is clean. For those, Arrow converts the page's records in one
call (`pa.array` of the records as a struct type built from the contract), and the contract's
checks run as Arrow compute over whole columns. Only what Arrow cannot see is checked in Python,
once per distinct key layout: which keys are present (missing ≠ null), unknown fields, and
integers that arrived as JSON floats.

Anything unusual, however small, returns None and the caller runs the checked path in
`records.py` on the page, which finds the culprits and builds exactly the same tables for the
rest. So this module never decides that a record is bad: it only recognises pages that are
entirely good, and its output for them equals the checked path's (tests/load/test_records.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from order_api.contract import FEED_FIELDS, LINE_ITEM_FIELDS, NESTED_OBJECTS, Field
from order_api.records import (
    ARROW_TYPES,
    MONEY,
    MONEY_PATTERN,
    TIMESTAMP,
    TS_PATTERN,
    Batch,
    Rejections,
    json_column,
)

ITEMS = "items"
# how Arrow reads each kind from JSON: strings are checked, then cast to timestamps and amounts;
# integers are read as int64, and range checks narrow `count` to int32 afterwards
_READ_AS = {**ARROW_TYPES, "timestamp": pa.string(), "money": pa.string(), "count": pa.int64()}


def _struct(fields: Sequence[Field]) -> pa.StructType:
    """The Arrow struct a record of these (possibly nested) fields converts to; no json fields."""
    members: dict[str, Any] = {}
    for f in fields:
        if f.kind == "json":
            continue
        if len(f.path) == 1:
            members[f.path[0]] = _READ_AS[f.kind]
        else:
            members.setdefault(f.path[0], []).append((f.path[1], _READ_AS[f.kind]))
    return pa.struct([(k, v if isinstance(v, pa.DataType) else pa.struct(v))
                      for k, v in members.items()])


def _layout(fields: Sequence[Field], extra: Iterable[str] = ()) -> tuple[frozenset, frozenset]:
    """(required keys, allowed keys) at one level of a record; `extra` keys are required."""
    top = [f for f in fields if len(f.path) == 1]
    return (frozenset(f.path[0] for f in top if f.required) | frozenset(extra),
            frozenset(f.path[0] for f in fields) | frozenset(extra))


ITEM_TYPE = _struct(LINE_ITEM_FIELDS)
ITEM_LAYOUT = _layout(LINE_ITEM_FIELDS)
RECORD_TYPES = {
    feed: _struct(fields) if feed != "orders" else pa.struct([*_struct(fields),
                                                              (ITEMS, pa.list_(ITEM_TYPE))])
    for feed, fields in FEED_FIELDS.items()
}
LAYOUTS = {feed: _layout(fields, [ITEMS] if feed == "orders" else [])
           for feed, fields in FEED_FIELDS.items()}
NESTED_LAYOUTS = {
    (feed, parent): _layout([Field(f.column, f.path[1:], f.kind, f.required, f.nullable)
                             for f in fields if f.path[0] == parent and len(f.path) == 2])
    for feed, fields in FEED_FIELDS.items() for parent in NESTED_OBJECTS[feed]
}


def _keys_fit(objects: Iterable[Any], layout: tuple[frozenset, frozenset],
              optional: bool = False) -> bool:
    """Every object is a dict (or None, if `optional`) with the required and only known keys."""
    required, allowed = layout
    shapes = set()
    for o in objects:
        if type(o) is dict:
            shapes.add(tuple(o))
        elif not (optional and o is None):
            return False
    return all(required.issubset(s) and allowed.issuperset(s) for s in shapes)


def _all(mask: pa.Array) -> bool:
    return bool(pc.all(pc.fill_null(mask, True)).as_py())


def _may_hold_nul(arr: pa.Array) -> bool:
    """Whether a string column may hold U+0000: one byte search over its data buffer (10x
    cheaper than a per-value search). The buffer may also hold bytes of values outside a slice;
    a NUL there only sends the page to the checked path, which looks value by value."""
    data = arr.buffers()[2]
    return data is not None and data.to_pybytes().find(b"\x00") != -1


def _column(arr: pa.Array, f: Field) -> pa.Array | None:
    """The checked, typed column, or None if anything in it breaks the contract."""
    strict = f.required and not f.nullable and len(f.path) == 1
    if strict and arr.null_count:
        return None
    if f.kind == "int":
        return arr
    if f.kind == "count":
        if not _all(pc.and_(pc.greater(arr, 0), pc.less(arr, 2**31))):
            return None
        return arr.cast(pa.int32())
    if f.kind == "bool":
        return arr
    if _may_hold_nul(arr):
        return None
    if f.pattern and not _all(pc.match_substring_regex(arr, f.pattern)):
        return None
    if f.enum and not _all(pc.or_kleene(pc.is_null(arr),
                                         pc.is_in(arr, value_set=pa.array(f.enum)))):
        return None
    if f.kind in ("timestamp", "money"):
        pattern, to = (TS_PATTERN, TIMESTAMP) if f.kind == "timestamp" else (MONEY_PATTERN, MONEY)
        if not _all(pc.match_substring_regex(arr, pattern)):
            return None
        try:
            return pc.cast(arr, to)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    return arr


def _ints_are_ints(records: Sequence[dict[str, Any]], fields: Sequence[Field]) -> bool:
    """Arrow would read 1.0 (and truncate 1.5) into an integer column: JSON floats are wrong."""
    for f in fields:
        if f.kind in ("int", "count") and len(f.path) == 1:
            key = f.path[0]
            if not all(type(v) is int for r in records if (v := r.get(key)) is not None):
                return False
    return True


def _columns(struct: pa.StructArray, fields: Sequence[Field]) -> dict[str, pa.Array] | None:
    """The struct's fields (nested ones flattened with their parent's nulls) as checked columns."""
    top = dict(zip([t.name for t in struct.type], struct.flatten(), strict=True))
    nested = {name: dict(zip([t.name for t in arr.type], arr.flatten(), strict=True))
              for name, arr in top.items() if pa.types.is_struct(arr.type)}
    out: dict[str, pa.Array] = {}
    for f in fields:
        if f.kind == "json":
            continue
        raw = top[f.path[0]] if len(f.path) == 1 else nested[f.path[0]][f.path[1]]
        column = _column(raw, f)
        if column is None:
            return None
        out[f.column] = column
    return out


def clean_batch(feed: str, records: list[Any]) -> Batch | None:
    """The page's batch if every record in it is clean; None sends it to the checked path."""
    if not records or not _keys_fit(records, LAYOUTS[feed]):
        return None
    for parent in NESTED_OBJECTS[feed]:
        if not _keys_fit((r.get(parent) for r in records), NESTED_LAYOUTS[feed, parent], True):
            return None
    fields = FEED_FIELDS[feed]
    if not _ints_are_ints(records, fields):
        return None
    items: list[Any] = []
    if feed == "orders":
        for r in records:
            its = r[ITEMS]
            if type(its) is not list or not its:
                return None
            items.extend(its)
        if not _keys_fit(items, ITEM_LAYOUT) or not _ints_are_ints(items, LINE_ITEM_FIELDS):
            return None
    try:
        struct = pa.array(records, RECORD_TYPES[feed])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return None
    columns = _columns(struct, fields)
    if columns is None:
        return None
    ordered: dict[str, pa.Array] = {}
    for f in fields:
        if f.kind == "json":
            rej = Rejections()
            values = [r.get(f.path[0]) for r in records]
            if not all(v is None or type(v) is dict for v in values):
                return None
            ordered[f.column] = json_column(values, range(len(values)), rej, f.column)
            if rej.reasons:
                return None
        else:
            ordered[f.column] = columns[f.column]
    batch = Batch(tables={feed: pa.table(ordered)})
    if feed == "orders":
        item_table = _item_table(struct.field(ITEMS), ordered)
        if item_table is None:
            return None
        batch.tables["order_items"] = item_table
    batch.max_updated_at = pc.max(ordered["updated_at"]).as_py()
    return batch


def _item_table(lists: pa.ListArray, orders: dict[str, pa.Array]) -> pa.Table | None:
    """Every order's items as rows keyed to the order version, numbered from 1 per order."""
    offsets = lists.offsets.to_numpy()
    lengths = np.diff(offsets)
    order_index = pa.array(np.repeat(np.arange(len(lengths)), lengths))
    starts = np.repeat(offsets[:-1], lengths)
    line_numbers = np.arange(offsets[0], offsets[-1]) - starts + 1
    items = _columns(lists.flatten(), LINE_ITEM_FIELDS)
    if items is None:
        return None
    return pa.table({
        "order_id": pc.take(orders["id"], order_index),
        "order_updated_at": pc.take(orders["updated_at"], order_index),
        "line_number": pa.array(line_numbers.astype(np.int32)),
        **items,
    })
