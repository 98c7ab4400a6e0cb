"""The dlt source: one resource per Order API feed, loaded into raw as append-only history.

Every distinct version `(id, updated_at)` of a record is inserted once and never changed
(`merge` with the `insert-only` strategy), so re-reading the contract's 10-minute window adds
nothing twice. Orders bring their line items (`order_items`, keyed to the order version) and
every feed may bring rejected records (`rejected_records`); both are yielded from the feed's
resource with their own table hints.

The feed cursor is the newest committed `updated_at`, kept in dlt's resource state, which dlt
commits in the same load package as the rows. Each run asks from that cursor minus the lag.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.sources import DltResource

from order_api.clean_pages import clean_batch
from order_api.contract import FEEDS
from order_api.records import Batch, build_batch
from run_summary import FeedSummary

LAG = timedelta(minutes=10)  # CONTRACT.md: a change becomes visible up to 10 minutes late
INSERT_ONLY = {"disposition": "merge", "strategy": "insert-only"}
PRIMARY_KEYS = {
    "orders": ("id", "updated_at"),
    "users": ("id", "updated_at"),
    "products": ("id", "updated_at"),
    "order_items": ("order_id", "order_updated_at", "id"),
    "rejected_records": ("feed", "payload_hash"),
}
# JSON text from the Arrow tables that lands in jsonb columns (the pinned schema agrees)
JSON_COLUMNS = {"orders": ["metadata"], "rejected_records": ["payload"]}
REJECTED_SCHEMA = pa.schema([
    ("feed", pa.string()), ("record_id", pa.string()), ("payload", pa.string()),
    ("payload_text", pa.string()), ("reason", pa.string()), ("payload_hash", pa.string()),
    ("load_id", pa.string()), ("rejected_at", pa.timestamp("us", tz="UTC")),
])

GROUP_RECORDS = 2000
PageSource = Callable[[str, datetime | None], Iterable[list[Any]]]
"""Yields pages of raw records of a feed changed at or after a given time (None: all)."""


def _hinted(table_name: str, item: pa.Table, lake: bool = False) -> Any:
    """Route `item` to `table_name` with that table's own key and column hints.

    On the lake (dlt's filesystem destination) every table is parquet files, appended per load:
    a version re-read in a later load is written again, and staging keeps it once.
    """
    columns: dict[str, Any] = {c: {"data_type": "json"} for c in JSON_COLUMNS.get(table_name, [])}
    csv = bool(columns) and not lake  # the jsonb tables are loaded from CSV
    if csv:
        item, as_text = _timestamps_as_utc_text(item)
        columns.update({c: {"data_type": "timestamp"} for c in as_text})
    hints = dlt.mark.make_hints(table_name=table_name, primary_key=list(PRIMARY_KEYS[table_name]),
                                write_disposition="append" if lake else INSERT_ONLY,
                                columns=columns or None,
                                file_format="csv" if csv else "parquet")
    return dlt.mark.with_hints(item, hints, create_table_variant=True)


def _timestamps_as_utc_text(table: pa.Table) -> tuple[pa.Table, list[str]]:
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


def _rejected_table(batch: Batch) -> pa.Table:
    load_id = dlt.current.load_package_state()["load_id"]
    now = datetime.now(UTC)
    rows = [dict(r, load_id=load_id, rejected_at=now) for r in batch.rejected]
    return pa.Table.from_pylist(rows, schema=REJECTED_SCHEMA)


def _grouped(pages: Iterable[list[Any]], stats: FeedSummary) -> Iterator[list[list[Any]]]:
    """Consecutive pages, a few thousand records at a time (counted into `stats` as read)."""
    group: list[list[Any]] = []
    size = 0
    for records in pages:
        stats.pages += 1
        stats.records += len(records)
        group.append(records)
        size += len(records)
        if size >= GROUP_RECORDS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _batches(feed: str, group: list[list[Any]]) -> Iterator[Batch]:
    """One batch for the whole group if every page in it is clean, else one per page.

    Arrow's cost per call (a dozen compute calls per column) is paid once per group.
    """
    if len(group) > 1 and (batch := clean_batch(feed, [r for page in group for r in page])):
        yield batch
        return
    for records in group:
        yield clean_batch(feed, records) or build_batch(feed, records)


class _Buffer:
    """Gathers pages into bigger tables: dlt's cost per item is paid once per ~20k rows."""

    ROWS = 20_000

    def __init__(self, lake: bool = False) -> None:
        self.lake = lake
        self.tables: dict[str, list[pa.Table]] = {}
        self.rows = 0

    def add(self, tables: dict[str, pa.Table]) -> Iterator[Any]:
        for name, table in tables.items():
            self.tables.setdefault(name, []).append(table)
            self.rows += table.num_rows
        if self.rows >= self.ROWS:
            yield from self.flush()

    def flush(self) -> Iterator[Any]:
        for name, parts in self.tables.items():
            table = pa.concat_tables(parts, promote_options="default")
            if table.num_rows or name == "rejected_records":
                yield _hinted(name, table, self.lake)
        self.tables, self.rows = {}, 0


def feed_resource(feed: str, pages: PageSource, stats: FeedSummary, *,
                  since: datetime | None = None, full_refresh: bool = False,
                  lake: bool = False) -> DltResource:
    """A resource reading `feed` incrementally (or from `since`, leaving the cursor alone)."""

    def read() -> Iterator[Any]:
        state = dlt.current.resource_state()
        cursor = None if full_refresh else state.get("last_updated_at")
        start = since or (datetime.fromisoformat(cursor) - LAG if cursor else None)
        stats.requested_since = start.isoformat() if start else None
        newest: datetime | None = None
        began = time.monotonic()
        buffer = _Buffer(lake)
        first = True
        for group in _grouped(pages(feed, start), stats):
            for batch in _batches(feed, group):
                stats.rejected += len(batch.rejected)
                stats.loaded += batch.tables[feed].num_rows
                if batch.rejected or first:  # an empty first one creates the table
                    batch.tables["rejected_records"] = _rejected_table(batch)
                first = False
                yield from buffer.add(batch.tables)
                if batch.max_updated_at and (newest is None or batch.max_updated_at > newest):
                    newest = batch.max_updated_at
        yield from buffer.flush()
        stats.duration_s = round(time.monotonic() - began, 3)
        if since is None and newest is not None:
            previous = datetime.fromisoformat(cursor) if cursor else None
            state["last_updated_at"] = max(filter(None, (previous, newest))).isoformat()

    return dlt.resource(read, name=feed, primary_key=list(PRIMARY_KEYS[feed]),
                        write_disposition="append" if lake else INSERT_ONLY)


@dlt.source(name="order_api", max_table_nesting=0)
def order_api_source(pages: PageSource, stats: dict[str, FeedSummary],
                     since: datetime | None = None,
                     full_refresh: bool = False, lake: bool = False) -> list[DltResource]:
    """The three feeds of the Order API, read page by page from `pages` (API or bulk export);
    `lake`: hinted for the lake's parquet files (append) instead of PostgreSQL's raw schema."""
    return [feed_resource(feed, pages, stats[feed], since=since, full_refresh=full_refresh,
                          lake=lake)
            for feed in FEEDS]
