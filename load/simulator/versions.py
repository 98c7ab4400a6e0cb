"""The version table every feed stores: one row per (record, version), numpy only."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .arrays import group_starts, grouped_cummax

MAX_DELAY_MS = 600_000


@dataclass
class VersionTable:
    """Rows sorted by (record, version); `bad` is 0 or 1 + index of the feed's defect."""

    rec: np.ndarray
    upd: np.ndarray
    vis: np.ndarray
    code: np.ndarray
    frac: np.ndarray
    bad: np.ndarray
    starts: np.ndarray
    cols: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return int(self.rec.size)


def finalize(
    rng: np.random.Generator,
    rec: np.ndarray,
    upd: np.ndarray,
    frac: np.ndarray,
    code: np.ndarray,
    n_records: int,
    bad_rate: float,
    defect_weights: np.ndarray,
) -> VersionTable:
    """Truncate whole-second writes, keep updated_at non-decreasing, add visibility and defects."""
    upd = np.where(frac, upd, upd - upd % 1000).astype(np.int64)
    upd = grouped_cummax(rec, upd)
    upd = np.where(frac | (upd % 1000 == 0), upd, upd + 1000 - upd % 1000)
    upd = grouped_cummax(rec, upd)
    delay = rng.integers(0, MAX_DELAY_MS + 1, size=rec.size)
    vis = grouped_cummax(rec, upd + delay)
    is_bad = rng.random(rec.size) < bad_rate
    kinds = rng.choice(defect_weights.size, size=rec.size, p=defect_weights / defect_weights.sum())
    bad = np.where(is_bad, kinds + 1, 0).astype(np.int8)
    return VersionTable(
        rec=rec.astype(np.int32), upd=upd, vis=vis, code=code.astype(np.int8),
        frac=frac.astype(bool), bad=bad, starts=group_starts(rec, n_records),
    )
