"""To Arrow: validated batches → the Arrow tables dlt loads, one item per raw table, each with
that table's hints (primary key, jsonb columns, write disposition, file format).

Batches are gathered into items of ~20k rows (`Buffer`): dlt's cost per item is paid once per
item. Rejected records become `raw.rejected_records` rows stamped with the load id.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc

from order_api.records import Batch
from order_api.settings import BUFFER_ROWS, INSERT_ONLY, JSON_COLUMNS, RAW_TABLES

REJECTED_SCHEMA = pa.schema([
    ("feed", pa.string()), ("record_id", pa.string()), ("payload", pa.string()),
    ("payload_text", pa.string()), ("reason", pa.string()), ("payload_hash", pa.string()),
    ("load_id", pa.string()), ("rejected_at", pa.timestamp("us", tz="UTC")),
])


def hinted(table_name: str, item: pa.Table, lake: bool = False) -> Any:
    """Route `item` to `table_name` with that table's own key and column hints.

    On the lake (dlt's filesystem destination) every table is parquet files, appended per load:
    a version re-read in a later load is written again, and staging keeps it once.
    """
    columns: dict[str, Any] = {c: {"data_type": "json"} for c in JSON_COLUMNS.get(table_name, [])}
    csv = bool(columns) and not lake  # the jsonb tables are loaded from CSV
    if csv:
        item, as_text = timestamps_as_utc_text(item)
        columns.update({c: {"data_type": "timestamp"} for c in as_text})
    hints = dlt.mark.make_hints(table_name=table_name,
                                primary_key=list(RAW_TABLES[table_name].primary_key),
                                write_disposition="append" if lake else INSERT_ONLY,
                                columns=columns or None,
                                file_format="csv" if csv else "parquet")
    return dlt.mark.with_hints(item, hints, create_table_variant=True)


def timestamps_as_utc_text(table: pa.Table) -> tuple[pa.Table, list[str]]:
    """Timestamp columns as the text dlt's CSV writer would write (`2025-01-01 06:04:05.097000Z`),
    and their names (hinted `timestamp`, so raw's column type stays what the schema pins).

    Arrow formats a timestamp with a time zone ~10x slower than one without: for `orders` that
    was most of dlt's normalize step (~7 s at 1M orders). The UTC wall time plus `Z` is the same
    text.
    """
    names = []
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            utc = table.column(i).cast(pa.timestamp(field.type.unit)).cast(pa.string())
            table = table.set_column(i, field.name, pc.binary_join_element_wise(utc, "Z", ""))
            names.append(field.name)
    return table, names


def rejected_table(batch: Batch) -> pa.Table:
    """The batch's rejected records as `raw.rejected_records` rows of the current load."""
    load_id = dlt.current.load_package_state()["load_id"]
    now = datetime.now(UTC)
    rows = [dict(r, load_id=load_id, rejected_at=now) for r in batch.rejected]
    return pa.Table.from_pylist(rows, schema=REJECTED_SCHEMA)


class Buffer:
    """Gathers batches' tables into items of ~`BUFFER_ROWS` rows, one per raw table."""

    def __init__(self, lake: bool = False) -> None:
        self.lake = lake
        self.tables: dict[str, list[pa.Table]] = {}
        self.rows = 0

    def add(self, tables: dict[str, pa.Table]) -> Iterator[Any]:
        for name, table in tables.items():
            self.tables.setdefault(name, []).append(table)
            self.rows += table.num_rows
        if self.rows >= BUFFER_ROWS:
            yield from self.flush()

    def flush(self) -> Iterator[Any]:
        for name, parts in self.tables.items():
            table = pa.concat_tables(parts, promote_options="default")
            if table.num_rows or name == "rejected_records":
                yield hinted(name, table, self.lake)
        self.tables, self.rows = {}, 0
