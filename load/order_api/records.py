"""Validate, the checked path: one page of records → typed Arrow tables for raw, plus the records
that break the contract (quarantined in `raw.rejected_records`).

Pages that `clean_pages.py` cannot vouch for come here (validate.py chooses). It works a column
at a time: a list comprehension per column for type checks, Arrow compute for patterns, enums,
timestamps and amounts. A record with any violation is rejected whole (for an order: with its
line items) and kept, with the reason, for `raw.rejected_records`; the rest of the page loads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from order_api.contract import FEED_FIELDS, LINE_ITEM_FIELDS, NESTED_OBJECTS, Field
from order_api.fetch import Unparsed

TIMESTAMP = pa.timestamp("us", tz="UTC")
MONEY = pa.decimal128(12, 2)
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "timestamp": TIMESTAMP,
    "money": MONEY,
    "int": pa.int64(),
    "count": pa.int32(),
    "bool": pa.bool_(),
    "json": pa.string(),
}
# JSON types the contract allows per kind (null is handled separately).
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,), "timestamp": (str,), "money": (str,), "int": (int,), "count": (int,),
    "bool": (bool,), "json": (dict,),
}
TS_PATTERN = (
    r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?"
    r"(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)
MONEY_PATTERN = r"^-?\d{1,10}\.\d{2}$"


class _Missing:
    """Marks a required key that is absent (as opposed to present with null)."""


MISSING = _Missing()


@dataclass
class Batch:
    """What one page became: tables for raw, rejected records, and the page's newest cursor."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    max_updated_at: datetime | None = None
    new_fields: set[str] = field(default_factory=set)


class Rejections:
    """Why each rejected row of a page is rejected (the first reason found)."""

    def __init__(self) -> None:
        self.reasons: dict[int, str] = {}

    def add(self, row: int, reason: str) -> None:
        self.reasons.setdefault(row, reason)

    def add_mask(self, mask: pa.Array, rows: Sequence[int], reason_for: Any) -> None:
        """Reject rows[i] wherever mask[i] is false (nulls in mask mean 'not checked')."""
        if pc.all(pc.fill_null(mask, True)).as_py():
            return
        for i, ok in enumerate(mask.to_pylist()):
            if ok is False:
                self.add(rows[i], reason_for(i))


def _values(records: Sequence[Any], f: Field, parents: dict[str, list[Any]]) -> list[Any]:
    """The field's value in every record; MISSING where the key is absent.

    `parents` caches each nested object's list across that object's fields.
    """
    key = f.path[-1]
    if len(f.path) == 1:
        return [r.get(key, MISSING) for r in records]
    parent = f.path[0]
    if parent not in parents:
        parents[parent] = [r.get(parent) for r in records]
    return [o.get(key, MISSING) if type(o) is dict else None for o in parents[parent]]


def _typed_column(values: list[Any], f: Field, rows: Sequence[int], rej: Rejections,
                  label: str) -> pa.Array:
    """Check one column against the contract and return it as a typed Arrow array.

    Values of rejected rows become null here; the caller filters those rows out.
    """
    allowed = JSON_TYPES[f.kind]
    # a nested object may be null as a whole, so its fields may be null
    strict = f.required and not f.nullable and len(f.path) == 1
    ok_types = allowed if strict else (*allowed, type(None))
    name = f"{label}{f.column.replace('__', '.')}"
    bad = [i for i, v in enumerate(values) if type(v) not in ok_types]
    if bad:
        values = list(values)
        for i in bad:
            v = values[i]
            if v is MISSING:
                if f.required:
                    rej.add(rows[i], f"missing required field {name}")
            elif v is None:
                rej.add(rows[i], f"{name} is null")
            else:
                rej.add(rows[i], f"{name} has the wrong type ({type(v).__name__}: {_short(v)})")
            values[i] = None
    if f.kind == "json":
        return json_column(values, rows, rej, name)
    if f.kind in ("int", "count"):  # raw's integer / bigint columns
        limit = 2**31 if f.kind == "count" else 2**63
        big = [i for i, v in enumerate(values) if type(v) is int and not -limit <= v < limit]
        if big:
            values = list(values)
            for i in big:
                rej.add(rows[i], f"{name} is out of range ({_short(values[i])})")
                values[i] = None
    if f.kind in ("int", "count", "bool"):
        arr = pa.array(values, ARROW_TYPES[f.kind])
        if f.kind == "count":
            rej.add_mask(pc.greater(arr, 0), rows, lambda i: f"{name} must be at least 1")
        return arr
    arr = pa.array(values, pa.string())
    rej.add_mask(pc.invert(pc.match_substring(arr, "\x00")), rows,
                 lambda i: f"{name} contains U+0000 (NUL), which PostgreSQL cannot store")
    if f.pattern:
        rej.add_mask(pc.match_substring_regex(arr, f.pattern), rows,
                     lambda i: f"{name} does not match {f.pattern} ({_short(values[i])})")
    if f.enum:
        known = pc.or_kleene(pc.is_null(arr), pc.is_in(arr, value_set=pa.array(f.enum)))
        rej.add_mask(known, rows,
                     lambda i: f"{name} has an unknown value ({_short(values[i])})")
    if f.kind == "timestamp":
        return _parsed(arr, TS_PATTERN, TIMESTAMP, rows, rej, f"malformed timestamp in {name}")
    if f.kind == "money":
        return _parsed(arr, MONEY_PATTERN, MONEY, rows, rej, f"malformed amount in {name}")
    return arr


def _parsed(arr: pa.Array, pattern: str, to: pa.DataType, rows: Sequence[int],
            rej: Rejections, reason: str) -> pa.Array:
    """Cast strings that match `pattern` to `to`; reject the rest and anything that won't cast."""
    matches = pc.match_substring_regex(arr, pattern)
    rej.add_mask(matches, rows, lambda i: f"{reason} ({_short(arr[i].as_py())})")
    arr = pc.if_else(matches, arr, pa.scalar(None, pa.string()))
    try:
        return pc.cast(arr, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. 2026-02-30: find the culprits
        out = []
        for i, v in enumerate(arr.to_pylist()):
            try:
                out.append(pc.cast(pa.array([v], pa.string()), to)[0].as_py())
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                rej.add(rows[i], f"{reason} ({_short(v)})")
                out.append(None)
        return pa.array(out, to)


def json_column(values: list[Any], rows: Sequence[int], rej: Rejections,
                name: str) -> pa.Array:
    """A JSON object column as JSON text (for jsonb); objects holding anything but strings, or
    U+0000, are rejected."""
    out: list[str | None] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
        elif all(type(x) is str for x in v.values()):
            text = orjson.dumps(v).decode()
            if "\\u0000" in text:
                rej.add(rows[i], f"{name} contains U+0000 (NUL), which PostgreSQL cannot store")
                text = None
            out.append(text)
        else:
            rej.add(rows[i], f"{name} values must be strings")
            out.append(None)
    return pa.array(out, pa.string())


def _short(v: Any, limit: int = 60) -> str:
    text = v if isinstance(v, str) else orjson.dumps(v, default=str).decode()
    return text if len(text) <= limit else text[:limit] + "…"


def _extra_columns(records: Sequence[dict[str, Any]], fields: Sequence[Field],
                   known: set[str], nested: Sequence[str]) -> dict[str, pa.Array]:
    """Fields the contract does not name yet (new optional fields): kept as new columns."""
    out: dict[str, pa.Array] = {}
    top = set().union(*(r.keys() for r in records)) - known
    for key in sorted(top):
        out[key] = _infer([r.get(key) for r in records])
    for parent in nested:
        objs = [r.get(parent) for r in records]
        keys = set().union(*(o.keys() for o in objs if isinstance(o, dict)))
        for key in sorted(keys - {f.path[-1] for f in fields if f.path[0] == parent}):
            out[f"{parent}__{key}"] = _infer(
                [o.get(key) if isinstance(o, dict) else None for o in objs])
    return out


def _infer(values: list[Any]) -> pa.Array:
    scalars = [orjson.dumps(v).decode() if isinstance(v, (dict, list)) else v for v in values]
    try:
        return pa.array(scalars)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types: keep them as JSON text
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in values],
                        pa.string())


def _record_id(record: Any) -> str | None:
    rid = record.get("id") if isinstance(record, dict) else None
    return None if rid is None else (rid if isinstance(rid, str) else orjson.dumps(rid).decode())


def _no_nul(text: str | None) -> str | None:
    return text if text is None else text.replace("\x00", "\\u0000")


def rejected_row(feed: str, record: Any, reason: str,
                 raw_text: str | None = None) -> dict[str, Any]:
    """A `raw.rejected_records` row: the record as served (or its text if not JSON) and why."""
    payload = None if raw_text is not None else orjson.dumps(record).decode()
    body = (raw_text if raw_text is not None else payload) or ""
    digest = hashlib.sha256(f"{feed}\n{body}".encode()).hexdigest()
    if "\x00" in body or "\\u0000" in body:
        # PostgreSQL text and jsonb cannot hold U+0000: keep the text, with NUL as \u0000
        raw_text, payload = _no_nul(body), None
    return {
        "feed": feed,
        "record_id": _no_nul(_record_id(record)),
        "payload": payload,
        "payload_text": raw_text,
        "reason": _no_nul(reason),
        "payload_hash": digest,
    }


def build_batch(feed: str, records: list[Any]) -> Batch:
    """Validate and type one page of `feed` records."""
    batch = Batch()
    rej = Rejections()
    rows = range(len(records))
    for i, r in enumerate(records):
        if isinstance(r, Unparsed):
            rej.add(i, "record is not valid JSON")
        elif not isinstance(r, dict):
            rej.add(i, "record is not a JSON object")
    dicts = [r if isinstance(r, dict) else {} for r in records]
    fields = FEED_FIELDS[feed]
    nested = NESTED_OBJECTS[feed]
    for parent in nested:
        for i, r in enumerate(dicts):
            if parent in r and r[parent] is not None and not isinstance(r[parent], dict):
                rej.add(i, f"{parent} is not an object")
    parents: dict[str, list[Any]] = {}
    columns = {f.column: _typed_column(_values(dicts, f, parents), f, rows, rej, "")
               for f in fields}
    known = {f.path[0] for f in fields} | ({"items"} if feed == "orders" else set())
    extra = _extra_columns(dicts, fields, known, nested)
    batch.new_fields = set(extra)
    columns.update(extra)
    items = _line_items(dicts, columns["updated_at"], rej) if feed == "orders" else None

    keep = pa.array([i not in rej.reasons for i in rows], pa.bool_())
    table = pa.table(columns).filter(keep)
    batch.tables[feed] = table
    if items is not None:
        item_table, order_index = items
        batch.tables["order_items"] = item_table.filter(pc.take(keep, order_index))
    if table.num_rows:
        batch.max_updated_at = pc.max(table["updated_at"]).as_py()
    batch.rejected = [
        rejected_row(feed, records[i], reason, records[i] if isinstance(records[i], Unparsed)
                     else None)
        for i, reason in sorted(rej.reasons.items())]
    return batch


def _line_items(orders: list[dict[str, Any]], order_updated_at: pa.Array,
                rej: Rejections) -> tuple[pa.Table, pa.Array]:
    """Flatten every order's `items` into one table keyed to its order version."""
    items: list[dict[str, Any]] = []
    order_index: list[int] = []
    line_numbers: list[int] = []
    for i, order in enumerate(orders):
        its = order.get("items", MISSING)
        if its is MISSING:
            rej.add(i, "missing required field items")
        elif not isinstance(its, list) or not its:
            rej.add(i, "items must be a non-empty array")
        elif not all(isinstance(it, dict) for it in its):
            rej.add(i, "items must be objects")
        else:
            items.extend(its)
            order_index.extend([i] * len(its))
            line_numbers.extend(range(1, len(its) + 1))
    columns: dict[str, pa.Array] = {
        "order_id": pa.array([orders[i].get("id") if type(orders[i].get("id")) is str else None
                              for i in order_index], pa.string()),
        "order_updated_at": pc.take(order_updated_at, pa.array(order_index, pa.int64())),
        "line_number": pa.array(line_numbers, pa.int32()),
    }
    for f in LINE_ITEM_FIELDS:
        columns[f.column] = _typed_column(_values(items, f, {}), f, order_index, rej, "items.")
    index = pa.array(order_index, pa.int64())
    return pa.table(columns), index
