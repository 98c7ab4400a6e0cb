"""Validate: pages of raw records → `Batch`es of typed Arrow tables and quarantined records.

A group of consecutive pages (a few thousand records) becomes one batch when every record in
it is clean (`clean_pages.py`, the fast path: Arrow's cost per call is paid once per group);
otherwise each page goes on its own, through the fast path if it is clean, else the checked
path (`records.py`), which rejects the records that break the contract, with the reason, and
keeps the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from order_api.clean_pages import clean_batch
from order_api.records import Batch, build_batch
from order_api.settings import GROUP_RECORDS
from run_summary import FeedSummary


def grouped(pages: Iterable[list[Any]], stats: FeedSummary) -> Iterator[list[list[Any]]]:
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


def batches(feed: str, group: list[list[Any]]) -> Iterator[Batch]:
    """One batch for the whole group if every page in it is clean, else one per page."""
    if len(group) > 1 and (batch := clean_batch(feed, [r for page in group for r in page])):
        yield batch
        return
    for records in group:
        yield clean_batch(feed, records) or build_batch(feed, records)
