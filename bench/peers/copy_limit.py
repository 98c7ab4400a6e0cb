"""The physical limit: a bare `COPY ... FROM STDIN` of the orders and line items, nothing else.

`prepare DIR` (not timed) fetches the same pages as everyone else and flattens them to CSV with
the columns of our `raw.orders` / `raw.order_items` (contract fields + `_dlt_load_id`, `_dlt_id`);
`load DIR` creates the tables (not timed), then times only the two `copy_expert` calls and
their commit, and prints `{"copy_s": ..., "rows": {...}}` as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

import orjson
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "load"))

from _common import pages, pg_kwargs  # noqa: E402

from order_api.contract import LINE_ITEM_FIELDS, ORDER_FIELDS, Field  # noqa: E402

SQL_TYPES = {"text": "text", "timestamp": "timestamptz", "money": "numeric(12,2)",
             "int": "bigint", "count": "integer", "bool": "boolean", "json": "jsonb"}
ITEM_KEYS = [Field("order_id", ("order_id",), "text"),
             Field("order_updated_at", ("order_updated_at",), "timestamp"),
             Field("line_number", ("line_number",), "count")]
DLT_COLUMNS = ["_dlt_load_id text not null", "_dlt_id text not null"]
TABLES: dict[str, list[Field]] = {"orders": ORDER_FIELDS,
                                  "order_items": [*ITEM_KEYS, *LINE_ITEM_FIELDS]}
LOAD_ID = "1700000000.000000"


def _value(record: dict[str, Any], f: Field) -> Any:
    value: Any = record
    for key in f.path:
        value = value.get(key) if isinstance(value, dict) else None
    if f.kind == "json" and value is not None:
        return orjson.dumps(value).decode()
    return value


def prepare(out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    rows = {"orders": 0, "order_items": 0}
    with (out / "orders.csv").open("w", newline="") as of, \
            (out / "order_items.csv").open("w", newline="") as itf:
        orders, items = csv.writer(of), csv.writer(itf)
        for page in pages("orders"):
            for order in page:
                rows["orders"] += 1
                orders.writerow([*(_value(order, f) for f in ORDER_FIELDS), LOAD_ID,
                                 f"o{rows['orders']:013x}"])
                for n, item in enumerate(order["items"], 1):
                    rows["order_items"] += 1
                    items.writerow([order["id"], order["updated_at"], n,
                                    *(_value(item, f) for f in LINE_ITEM_FIELDS), LOAD_ID,
                                    f"i{rows['order_items']:013x}"])
    return rows


def load(src: Path) -> dict[str, Any]:
    conn = psycopg2.connect(**pg_kwargs())
    with conn, conn.cursor() as cur:
        cur.execute("create schema if not exists raw")
        for table, fields in TABLES.items():
            columns = [f"{f.column} {SQL_TYPES[f.kind]}" for f in fields] + DLT_COLUMNS
            cur.execute(f"create table raw.{table} ({', '.join(columns)})")
    started = time.perf_counter()
    with conn, conn.cursor() as cur:
        for table in TABLES:
            with (src / f"{table}.csv").open("rb") as f:
                cur.copy_expert(f"copy raw.{table} from stdin with (format csv)", f,
                                size=1 << 20)
    copy_s = time.perf_counter() - started
    with conn.cursor() as cur:
        counts = {}
        for table in TABLES:
            cur.execute(f"select count(*) from raw.{table}")
            counts[table] = cur.fetchone()[0]  # type: ignore[index]
    conn.close()
    return {"copy_s": round(copy_s, 4), "rows": counts}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("step", choices=["prepare", "load"])
    p.add_argument("dir", type=Path)
    args = p.parse_args()
    result = prepare(args.dir) if args.step == "prepare" else load(args.dir)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
