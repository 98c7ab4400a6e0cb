"""The Order API source's settings, in one place: paging, the cursor's lag, the raw tables with
their primary keys, how dlt writes and loads them."""

from __future__ import annotations

from datetime import timedelta
from typing import NamedTuple

PIPELINE_NAME = "order_api"  # also the source's name and the pinned schema's (schemas/import)
DATASET = "raw"

PAGE_SIZE = 1000  # CONTRACT.md: the API's largest page; the bulk export is handed on in the same
LAG = timedelta(minutes=10)  # CONTRACT.md: a change becomes visible up to 10 minutes late


class RawTable(NamedTuple):
    feed: str | None
    """The feed whose resource fills the table; None: every feed's."""
    primary_key: tuple[str, ...]


RAW_TABLES = {
    "orders": RawTable("orders", ("id", "updated_at")),
    "order_items": RawTable("orders", ("order_id", "order_updated_at", "id")),
    "users": RawTable("users", ("id", "updated_at")),
    "products": RawTable("products", ("id", "updated_at")),
    "rejected_records": RawTable(None, ("feed", "payload_hash")),
}
# raw keeps every version once: an insert-only merge on the primary key (raw_destination.py)
INSERT_ONLY = {"disposition": "merge", "strategy": "insert-only"}
# JSON text from the Arrow tables that lands in jsonb columns (the pinned schema agrees)
JSON_COLUMNS = {"orders": ["metadata"], "rejected_records": ["payload"]}

GROUP_RECORDS = 2000  # records validated together: Arrow's cost per call is paid once per group
BUFFER_ROWS = 20_000  # rows per item handed to dlt: dlt's cost per item is paid once per ~20k rows

DLT_SETTINGS = {
    # Arrow tables get dlt's load id and row id columns like any other data
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
    # files go straight to COPY / ADBC on this machine: compressing them first only costs CPU
    "DATA_WRITER__DISABLE_COMPRESSION": "true",
    "DATA_WRITER__COMPRESSION": "none",  # parquet
    # bounded memory: files of at most 100k rows, loaded at most 2 at a time
    "DATA_WRITER__FILE_MAX_ITEMS": "100000",
    "LOAD__WORKERS": "2",
}
"""dlt's settings the loader needs wherever it runs from, as environment defaults (set ones win;
load/orders.py sets them). Operators' knobs (HTTP timeouts and retries) are in .dlt/config.toml."""


def feed_tables(feed: str) -> list[str]:
    """The raw tables a feed's versions land in (not `rejected_records`, which every feed fills)."""
    return [name for name, table in RAW_TABLES.items() if table.feed == feed]
