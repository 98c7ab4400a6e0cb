"""What the server actually delivered in complete, un-faulted 200 responses."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime

import orjson

from .timefmt import from_ms

Key = tuple[str, datetime]


class ServedLog:
    """Thread-safe log of delivered pages (kept as bytes; parsed on demand)."""

    def __init__(self, keep_pages: bool = True) -> None:
        self.requests: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self._keep = keep_pages
        self._pages: dict[str, list[tuple[bytes, list[int], list[str | None]]]] = {}
        self._lock = threading.Lock()

    def count(self, kind: str) -> None:
        with self._lock:
            self.requests[kind] += 1

    def fault(self, kind: str) -> None:
        with self._lock:
            self.requests["fault"] += 1
            self.faults[kind] += 1

    def page(self, feed: str, body: bytes, upd_ms: list[int], reasons: list[str | None]) -> None:
        """Log a page about to be sent (so a client never sees it before the log does)."""
        with self._lock:
            self.requests["ok"] += 1
            if self._keep:
                self._pages.setdefault(feed, []).append((body, upd_ms, reasons))

    def retract(self, feed: str, body: bytes) -> None:
        """Forget a logged page whose sending failed."""
        with self._lock:
            self.requests["ok"] -= 1
            self.requests["send_failed"] += 1
            pages = self._pages.get(feed, [])
            for i in range(len(pages) - 1, -1, -1):
                if pages[i][0] is body:
                    del pages[i]
                    return

    def _entries(self, feed: str) -> list[tuple[dict, int, str | None]]:
        with self._lock:
            pages = list(self._pages.get(feed, ()))
        out = []
        for body, upd_ms, reasons in pages:
            records = orjson.loads(body)["data"]
            out.extend(zip(records, upd_ms, reasons, strict=True))
        return out

    def versions(self, feed: str) -> dict[Key, dict]:
        """Valid records delivered: (id, updated_at as aware UTC datetime) -> record."""
        return {
            (record["id"], from_ms(ms)): record
            for record, ms, reason in self._entries(feed)
            if reason is None
        }

    def bad(self, feed: str) -> dict[tuple[str | None, str], str]:
        """Defective records delivered: (id if a string else None, raw JSON text) -> reason."""
        out = {}
        for record, _, reason in self._entries(feed):
            if reason is not None:
                rid = record.get("id")
                out[(rid if isinstance(rid, str) else None, orjson.dumps(record).decode())] = reason
        return out
