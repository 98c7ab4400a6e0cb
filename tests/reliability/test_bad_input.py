"""Hostile and broken input through the bulk export: every contract violation, huge strings,
unicode, control characters, SQL- and Jinja-looking text, and lines that are not JSON at all.

Valid records must land in raw verbatim, invalid ones whole in raw.rejected_records with a
reason (a non-JSON line as its text in payload_text), nothing may be executed, the run exits 0,
and served = loaded + rejected. Bad flags and env values are covered in tests/load/test_errors.py.
"""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

import orders
from simulator import World, WorldConfig, export_world
from tests.conftest import query
from tests.reliability.helpers import assert_summary_balances, bad_hash

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)
SQL = "'; drop table raw.orders; --"
JINJA = "{{ run_query('drop schema raw cascade') }}{% do run_query('drop table raw.orders') %}"
HUGE = "x" * 200_000 + "…end"
UNICODE = "Zoë Ødegård — 日本語 العربية \u202eRTL\u202c e\u0301 🚀👩🏽‍💻 \U0010fffd"
CONTROL = "tab\there new\nline cr\r bell\x07 esc\x1b unit\x1f del\x7f ls\u2028 ps\u2029 \\ \" '"
# loader reason text for each kind of contract violation the simulator serves
CATEGORY = {"malformed_timestamp": "malformed timestamp in", "wrong_type": "has the wrong type",
            "malformed_amount": "malformed amount in", "missing_field": "missing required field",
            "unknown_enum": "has an unknown value"}
NOT_JSON = [
    f"this is not JSON at all {SQL} {JINJA}",
    '{"id": "ord_cut", "status": "paid", "total": "1',  # a cut-off line
    "\x01\x02 binary-ish \x7f\x1b but valid utf-8 \u00ff \ufeff",
]


def write_part(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", newline="\n") as fh:
        fh.write("".join(line + "\n" for line in lines))


def valid_templates(world: World, feed: str) -> list[dict]:
    out = []
    for page in world.chunks(feed, AS_OF):
        out += [r for r, reason in zip(page.records, page.reasons, strict=True) if reason is None
                and (feed != "orders" or r.get("metadata") is not None)]
        if len(out) >= 5:
            return out
    return out


def crafted(world: World) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(valid, invalid) records per feed, built from real ones, full of hostile text."""
    ts = (AS_OF + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    valid: dict[str, list[dict]] = {"orders": [], "users": [], "products": []}
    invalid: dict[str, list[dict]] = {"orders": [], "users": [], "products": []}
    texts = [SQL, JINJA, HUGE, UNICODE, CONTROL]
    for n, (text, order) in enumerate(zip(texts, valid_templates(world, "orders"),
                                          strict=False)):
        o = copy.deepcopy(order)
        o["id"], o["updated_at"] = f"ord_Hostile{n}", ts
        o["metadata"] = {"note": text, text[:50] or "k": "value", "sql": SQL, "jinja": JINJA}
        for item in o["items"]:
            item["name"] = text
        if o.get("shipping_address"):
            o["shipping_address"]["line1"] = text
            o["shipping_address"]["city"] = JINJA
        valid["orders"].append(o)
    for n, (text, user) in enumerate(zip(texts, valid_templates(world, "users"), strict=False)):
        u = copy.deepcopy(user)
        u.update(id=f"usr_Hostile{n}", updated_at=ts, first_name=text, last_name=JINJA,
                 email=f"{SQL}@example.com")
        valid["users"].append(u)
    for n, (text, product) in enumerate(zip(texts, valid_templates(world, "products"),
                                            strict=False)):
        p = copy.deepcopy(product)
        p.update(id=f"prd_Hostile{n}", updated_at=ts, name=text, category=JINJA, sku=SQL)
        valid["products"].append(p)

    order = valid_templates(world, "orders")[0]
    invalid["orders"] += [
        {**copy.deepcopy(order), "id": SQL, "updated_at": ts},             # id pattern
        {**copy.deepcopy(order), "id": "ord_BadStatus", "status": JINJA},   # unknown enum
        {**copy.deepcopy(order), "id": "ord_BadMeta", "metadata": {"n": 1}},  # metadata type
        {**copy.deepcopy(order), "id": "ord_HugeBad", "total": HUGE},       # malformed amount
        {**copy.deepcopy(order), "id": "ord_NoItems", "items": []},
    ]
    user = valid_templates(world, "users")[0]
    invalid["users"] += [
        {**copy.deepcopy(user), "id": "usr_BadTier", "loyalty_tier": JINJA},
        {**copy.deepcopy(user), "id": "usr_Ctl", "created_at": CONTROL},
        {**copy.deepcopy(user), "id": "usr_Obj", "address": SQL},            # not an object
    ]
    invalid["products"] += [{**copy.deepcopy(valid_templates(world, "products")[0]),
                             "id": "prd_Unicode", "list_price": UNICODE}]
    return valid, invalid


def test_hostile_records_kept_verbatim_or_rejected_nothing_executed(pg, pg_env,
                                                                   tmp_path: Path) -> None:
    world = World(WorldConfig(orders=1500, users=300, seed=61, bad_record_rate=0.03,
                              start=datetime(2026, 9, 1, tzinfo=UTC), end=AS_OF))
    export = tmp_path / "export"
    export_world(world, AS_OF, export, part_size=500)
    valid, invalid = crafted(world)
    extra_lines: dict[str, list[str]] = {}
    for feed in ("orders", "users", "products"):
        lines = [orjson.dumps(r).decode() for r in valid[feed] + invalid[feed]]
        lines += NOT_JSON if feed == "orders" else ["[1, 2, 3]", "null", '"just a string"']
        extra_lines[feed] = lines
        write_part(export / feed / "dt=2026-11-21" / "part-0000.jsonl.gz", lines)

    summary_path = tmp_path / "summary.json"
    assert orders.main(["--from-export", str(export), "--summary-json", str(summary_path)]) == 0
    summary = json.loads(summary_path.read_text())

    # nothing executed: the tables the SQL/Jinja text names are all still there, with data
    assert query(pg, "select count(*) from raw.orders")[0][0] > 0
    assert query(pg, "select count(*) from information_schema.schemata "
                     "where schema_name = 'raw'")[0][0] == 1

    # served = loaded + rejected, and each matches what raw holds
    assert_summary_balances(summary)
    for feed in ("orders", "users", "products"):
        served = len(world.latest(feed, AS_OF)) + len(extra_lines[feed])
        figures = summary["feeds"][feed]
        assert figures["records"] == served, feed
        assert figures["loaded"] == query(pg, f"select count(*) from raw.{feed}")[0][0], feed
        assert figures["rejected"] == query(pg, "select count(*) from raw.rejected_records "
                                                "where feed = %s", feed)[0][0], feed

    # valid hostile records: verbatim, value for value
    for o in valid["orders"]:
        names = query(pg, "select name from raw.order_items where order_id = %s", o["id"])
        assert [n for (n,) in names] == [it["name"] for it in o["items"]], o["id"][:40]
        (meta, line1, city), = query(pg, "select metadata, shipping_address__line1, "
                                         "shipping_address__city from raw.orders "
                                         "where id = %s", o["id"])
        assert meta == o["metadata"]
        if o.get("shipping_address"):
            assert (line1, city) == (o["shipping_address"]["line1"],
                                     o["shipping_address"]["city"])
    for u in valid["users"]:
        assert query(pg, "select first_name, last_name, email from raw.users where id = %s",
                     u["id"]) == [(u["first_name"], u["last_name"], u["email"])]
    for p in valid["products"]:
        assert query(pg, "select name, category, sku from raw.products where id = %s",
                     p["id"]) == [(p["name"], p["category"], p["sku"])]

    # invalid ones: whole, with a reason; non-JSON lines as text
    rejected = {h: (rid, payload, text, reason) for h, rid, payload, text, reason in query(
        pg, "select payload_hash, record_id, payload, payload_text, reason "
            "from raw.rejected_records")}
    for feed, records in invalid.items():
        for r in records:
            rid, payload, text, reason = rejected[bad_hash(feed, orjson.dumps(r).decode())]
            assert payload == r and text is None and reason, (feed, r["id"][:40])
            assert rid == r["id"]
    for line in NOT_JSON:
        rid, payload, text, reason = rejected[bad_hash("orders", line)]
        assert (rid, payload, text) == (None, None, line)
        assert reason == "record is not valid JSON"

    # every contract violation the simulator serves is rejected for the right reason
    seen = set()
    for feed in ("orders", "users", "products"):
        for (_, text), why in world.latest_bad(feed, AS_OF).items():
            kind = why.split(":")[0]
            seen.add(kind)
            reason = rejected[bad_hash(feed, text)][3]
            assert CATEGORY[kind] in reason, (why, reason)
    assert seen == set(CATEGORY), f"the export lacked some kinds of violation: {seen}"


UNSTORABLE = {
    # what: (feed, how to spoil a valid record, or a raw line)
    "NUL in an item name": ("orders", lambda r: r["items"][0].update(name="before\x00after")),
    "NUL in a non-JSON line": ("orders", "not json \x00 with a NUL"),
    "NUL in the id": ("orders", lambda r: r.update(id="ord_Unstorable\x001")),
    "quantity 2^31": ("orders", lambda r: r["items"][0].update(quantity=2**31)),
}


@pytest.mark.parametrize("what", list(UNSTORABLE))
def test_unstorable_value_is_rejected_not_fatal(pg, pg_env, tmp_path: Path, what: str) -> None:
    """A value raw cannot hold (PostgreSQL text/jsonb cannot hold U+0000; `quantity` is an
    integer column) must reject its record with a reason, not fail the run.

    Today each fails the run (exit 1); for NUL the COPY fails, and the load package stays
    pending in DLT_DATA_DIR so every later run fails too, even with the bad line gone.
    """
    world = World(WorldConfig(orders=200, users=50, seed=62,
                              start=datetime(2026, 10, 1, tzinfo=UTC), end=AS_OF))
    export = tmp_path / "export"
    export_world(world, AS_OF, export)
    feed, spoil = UNSTORABLE[what]
    if isinstance(spoil, str):
        line, record_id, record = spoil, None, {}
    else:
        record = copy.deepcopy(valid_templates(world, feed)[0])
        record["id"] = record_id = "ord_Unstorable1"
        record["updated_at"] = (AS_OF + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        spoil(record)
        line = orjson.dumps(record).decode()
    part = export / feed / "dt=2026-11-21" / "part-0000.jsonl.gz"
    write_part(part, [line])
    summary_path = tmp_path / "summary.json"
    code = orders.main(["--from-export", str(export), "--summary-json", str(summary_path)])
    assert code == 0, f"{what} failed the whole run instead of being rejected"
    assert_summary_balances(json.loads(summary_path.read_text()))
    rows = query(pg, "select record_id, reason from raw.rejected_records")
    # the record id as served; a NUL in it is kept escaped, as \u0000
    expected_id = record["id"].replace("\x00", "\\u0000") if record_id else None
    assert len(rows) == 1 and rows[0][0] == expected_id and rows[0][1], rows
