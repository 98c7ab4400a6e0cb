"""The served index of a feed at one moment: latest visible version per record, feed-ordered."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .versions import VersionTable


@dataclass(frozen=True)
class ServedIndex:
    """Version rows served at `as_of_ms`, sorted by (updated_at, record)."""

    as_of_ms: int
    vidx: np.ndarray
    upd: np.ndarray
    rec: np.ndarray

    @property
    def size(self) -> int:
        return int(self.vidx.size)

    def window(self, since_ms: int | None, before_ms: int | None) -> tuple[int, int]:
        """Positions [lo, hi) whose updated_at lies in [since, before)."""
        lo = 0 if since_ms is None else int(np.searchsorted(self.upd, since_ms, side="left"))
        hi = self.size if before_ms is None else int(np.searchsorted(self.upd, before_ms, "left"))
        return lo, max(lo, hi)

    def after(self, upd_ms: int, rec: int) -> int:
        """First position whose (updated_at, record) key is greater than (upd_ms, rec)."""
        a = int(np.searchsorted(self.upd, upd_ms, side="left"))
        b = int(np.searchsorted(self.upd, upd_ms, side="right"))
        return a + int(np.searchsorted(self.rec[a:b], rec, side="right"))


def build_index(table: VersionTable, n_records: int, as_of_ms: int) -> ServedIndex:
    """Per record the last version visible at `as_of_ms` (visibility is monotone per record)."""
    visible = table.vis <= as_of_ms
    count = np.bincount(table.rec[visible], minlength=n_records)
    shown = np.flatnonzero(count)
    vidx = table.starts[shown] + count[shown] - 1
    upd = table.upd[vidx]
    order = np.lexsort((shown, upd))
    return ServedIndex(
        as_of_ms=as_of_ms,
        vidx=vidx[order],
        upd=upd[order],
        rec=shown[order].astype(np.int32),
    )
