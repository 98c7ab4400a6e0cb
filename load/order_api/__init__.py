"""The Order API as a dlt source: one resource per feed, loaded into raw as append-only history.

The data path of a feed, in the order it runs (helpers by step, settings in settings.py):
fetch (fetch.py: API or export pages) → validate (validate.py: typed Arrow tables, bad records
quarantined) → to Arrow (to_arrow.py: one hinted table per raw table) → dlt.

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
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dlt
from dlt.sources import DltResource

from order_api.contract import FEEDS
from order_api.fetch import PageSource
from order_api.settings import INSERT_ONLY, LAG, PIPELINE_NAME, RAW_TABLES
from order_api.to_arrow import Buffer, rejected_table
from order_api.validate import batches, grouped
from run_summary import FeedSummary

# The cursor is hand-rolled resource state, not `dlt.sources.incremental("updated_at", lag=...)`.
# Tried (dlt 1.31): a feed's resource also yields `order_items` and `rejected_records` tables,
# which have no `updated_at` column, and dlt's incremental step raises
# `IncrementalCursorPathMissing` for an Arrow table without the cursor column, whatever
# `on_cursor_value_missing` says (with a primary key it fails earlier, on the missing key). It
# would also filter rows the API already filtered (`updated_since`), and its state key differs
# from the one raw's existing pipelines hold (a switch would re-read every feed once). The hand-
# rolled cursor is exact (tests/load/test_loader.py) and costs one comparison per batch.
CURSOR = "last_updated_at"


def feed_resource(feed: str, pages: PageSource, stats: FeedSummary, *,
                  since: datetime | None = None, full_refresh: bool = False,
                  lake: bool = False) -> DltResource:
    """A resource reading `feed` incrementally (or from `since`, leaving the cursor alone)."""

    def read() -> Iterator[Any]:
        state = dlt.current.resource_state()
        cursor = None if full_refresh else state.get(CURSOR)
        start = since or (datetime.fromisoformat(cursor) - LAG if cursor else None)
        stats.requested_since = start.isoformat() if start else None
        newest: datetime | None = None
        began = time.monotonic()
        buffer = Buffer(lake)
        first = True
        for group in grouped(pages(feed, start), stats):
            for batch in batches(feed, group):
                stats.rejected += len(batch.rejected)
                stats.loaded += batch.tables[feed].num_rows
                if batch.rejected or first:  # an empty first one creates the table
                    batch.tables["rejected_records"] = rejected_table(batch)
                first = False
                yield from buffer.add(batch.tables)
                if batch.max_updated_at and (newest is None or batch.max_updated_at > newest):
                    newest = batch.max_updated_at
        yield from buffer.flush()
        stats.duration_s = round(time.monotonic() - began, 3)
        if since is None and newest is not None:
            previous = datetime.fromisoformat(cursor) if cursor else None
            state[CURSOR] = max(filter(None, (previous, newest))).isoformat()

    return dlt.resource(read, name=feed, primary_key=list(RAW_TABLES[feed].primary_key),
                        write_disposition="append" if lake else INSERT_ONLY)


@dlt.source(name=PIPELINE_NAME, max_table_nesting=0)
def order_api_source(pages: PageSource, stats: dict[str, FeedSummary],
                     since: datetime | None = None,
                     full_refresh: bool = False, lake: bool = False) -> list[DltResource]:
    """The three feeds of the Order API, read page by page from `pages` (API or bulk export);
    `lake`: hinted for the lake's parquet files (append) instead of PostgreSQL's raw schema."""
    return [feed_resource(feed, pages, stats[feed], since=since, full_refresh=full_refresh,
                          lake=lake)
            for feed in FEEDS]
