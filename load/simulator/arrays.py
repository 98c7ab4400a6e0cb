"""Grouped operations on version arrays sorted by (record, version)."""

from __future__ import annotations

import numpy as np


def group_starts(rec: np.ndarray, n_records: int) -> np.ndarray:
    """Index of each record's first version (rec sorted, every record present)."""
    return np.searchsorted(rec, np.arange(n_records, dtype=rec.dtype), side="left")


def grouped_cummax(rec: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Running max of int64 `values` restarted at each record (rec sorted, non-negative).

    Each record's values are lifted above every earlier record's by `rec * span`, so one
    running max over the whole array never carries a value across records.
    """
    if values.size == 0:
        return values.astype(np.int64)
    low = int(values.min())
    span = int(values.max()) - low + 1
    if (int(rec[-1]) + 1) * span >= 1 << 63:
        raise ValueError(f"{int(rec[-1]) + 1:,} records over a span of {span:,} overflow int64")
    offset = rec.astype(np.int64) * span
    return np.maximum.accumulate(values - low + offset) - offset + low


def forward_fill(is_set: np.ndarray) -> np.ndarray:
    """Per position, the latest position <= it where `is_set` (each group's first must be set)."""
    idx = np.where(is_set, np.arange(is_set.size), 0)
    return np.maximum.accumulate(idx)


def grouped_cumsum(rec_start: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Inclusive running sum restarted per group; rec_start[i] is the group start of i."""
    total = np.cumsum(values)
    before = total - values
    return total - before[rec_start]


def expand_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for each (s, c)."""
    counts = counts.astype(np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts.astype(np.int64) - np.cumsum(counts) + counts, counts)
    return offsets + np.arange(total, dtype=np.int64)
