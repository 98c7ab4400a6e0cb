"""The simulated shop: all feeds' full version history, queried at a moment `as_of`."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import orjson

from . import defects, jsontext, timefmt
from .config import WorldConfig
from .index import ServedIndex, build_index
from .orders import CANCELLED, REFUNDED, STATUSES, Orders
from .products import Products
from .users import Users
from .vocab import CURRENCIES

FEEDS = ("orders", "users", "products")
CACHE_SIZE = 8
TEXT_RENDER_MIN_ROWS = 50


@dataclass(frozen=True)
class Page:
    """Rendered records of one page, with each one's defect (None if valid) and true updated_at."""

    records: list[dict]
    reasons: list[str | None]
    upd_ms: list[int]
    last_key: tuple[int, int] | None
    has_more: bool


@dataclass(frozen=True)
class PageText:
    """A `Page` as served: `data` is the JSON array of its records (orjson.dumps of them)."""

    data: bytes
    reasons: list[str | None]
    upd_ms: list[int]
    last_key: tuple[int, int] | None
    has_more: bool


@dataclass(frozen=True)
class _Rows:
    """The version rows of one page, and where the feed goes on after it."""

    vidx: np.ndarray
    upd_ms: list[int]
    last_key: tuple[int, int] | None
    has_more: bool


class World:
    """Deterministic world built from a `WorldConfig`; `as_of` arguments are aware datetimes."""

    def __init__(self, config: WorldConfig) -> None:
        self.config = config
        self.products = Products(config)
        self.users = Users(config)
        self.orders = Orders(config, self.users.created_ms, self.products)
        self.feeds: dict[str, Orders | Users | Products] = {
            "orders": self.orders, "users": self.users, "products": self.products,
        }
        self._cache: OrderedDict[tuple[str, int], ServedIndex] = OrderedDict()
        self._lock = threading.Lock()

    def index(self, feed: str, as_of: datetime) -> ServedIndex:
        """The (cached) served index of `feed` at `as_of`."""
        key = (feed, timefmt.to_ms(as_of))
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        source = self.feeds[feed]
        built = build_index(source.table, source.n_records, key[1])
        with self._lock:
            self._cache[key] = built
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return built

    def render(self, feed: str, vidx: np.ndarray) -> tuple[list[dict], list[str | None]]:
        """Records of version rows `vidx` exactly as served, and each one's defect reason."""
        source = self.feeds[feed]
        records = source.render(vidx)
        reasons = defects.spoil(feed, records, source.table.bad[vidx].tolist())
        return records, reasons

    def render_text(self, feed: str, vidx: np.ndarray) -> tuple[bytes, list[str | None]]:
        """`render` as the served JSON array. Defective records, and pages too small to repay
        the text renderer's fixed cost per page, are built as dicts."""
        if vidx.size < TEXT_RENDER_MIN_ROWS:
            records, dict_reasons = self.render(feed, vidx)
            return orjson.dumps(records), dict_reasons
        source = self.feeds[feed]
        rows = jsontext.rows(vidx.size, [source.json_parts(vidx), b","])
        reasons: list[str | None] = [None] * vidx.size
        bad = np.flatnonzero(source.table.bad[vidx]).tolist()
        records, bad_reasons = self.render(feed, vidx[bad]) if bad else ([], [])
        pieces = []
        start = 0
        for i, record, reason in zip(bad, records, bad_reasons, strict=True):
            pieces += [jsontext.squeeze(rows[start:i]), orjson.dumps(record) + b","]
            reasons[i] = reason
            start = i + 1
        pieces.append(jsontext.squeeze(rows[start:]))
        return b"[" + b"".join(pieces)[:-1] + b"]", reasons

    def page(
        self,
        feed: str,
        as_of: datetime,
        *,
        since_ms: int | None = None,
        before_ms: int | None = None,
        after: tuple[int, int] | None = None,
        limit: int = 100,
    ) -> Page:
        """One page of the feed: records after key `after` within [since, before)."""
        rows = self._rows(feed, as_of, since_ms, before_ms, after, limit)
        records, reasons = self.render(feed, rows.vidx)
        return Page(records, reasons, rows.upd_ms, rows.last_key, rows.has_more)

    def page_text(
        self,
        feed: str,
        as_of: datetime,
        *,
        since_ms: int | None = None,
        before_ms: int | None = None,
        after: tuple[int, int] | None = None,
        limit: int = 100,
    ) -> PageText:
        """`page` as served, its records already JSON."""
        rows = self._rows(feed, as_of, since_ms, before_ms, after, limit)
        data, reasons = self.render_text(feed, rows.vidx)
        return PageText(data, reasons, rows.upd_ms, rows.last_key, rows.has_more)

    def _rows(
        self,
        feed: str,
        as_of: datetime,
        since_ms: int | None,
        before_ms: int | None,
        after: tuple[int, int] | None,
        limit: int,
    ) -> _Rows:
        index = self.index(feed, as_of)
        lo, hi = index.window(since_ms, before_ms)
        first = lo if after is None else min(max(lo, index.after(*after)), hi)
        stop = min(first + limit, hi)
        last = None if stop == first else (int(index.upd[stop - 1]), int(index.rec[stop - 1]))
        return _Rows(index.vidx[first:stop], index.upd[first:stop].tolist(), last, stop < hi)

    def chunks(self, feed: str, as_of: datetime, size: int = 10_000) -> Iterator[Page]:
        """All served records of a feed in feed order, rendered `size` at a time."""
        key = None
        while True:
            page = self.page(feed, as_of, after=key, limit=size)
            if page.records:
                yield page
            if not page.has_more:
                return
            key = page.last_key

    def latest(self, feed: str, as_of: datetime) -> list[dict]:
        """The served version of every record visible at `as_of`, in feed order."""
        return [r for page in self.chunks(feed, as_of) for r in page.records]

    def latest_bad(self, feed: str, as_of: datetime) -> dict[tuple[str | None, str], str]:
        """Served defective records at `as_of`: (id or None, raw JSON) -> reason."""
        out = {}
        for page in self.chunks(feed, as_of):
            for record, reason in zip(page.records, page.reasons, strict=True):
                if reason is not None:
                    out[(record_id(record), orjson.dumps(record).decode())] = reason
        return out

    def status_counts(self, as_of: datetime) -> dict[str, int]:
        """Served orders per status at `as_of` (true values, defects ignored)."""
        index = self.index("orders", as_of)
        status = self.orders.table.cols["status"][index.vidx]
        counts = np.bincount(status, minlength=len(STATUSES))
        return {name: int(c) for name, c in zip(STATUSES, counts, strict=True) if c}

    def revenue_by_day(self, as_of: datetime) -> dict[tuple[date, str], Decimal]:
        """Σ total of live served orders (not deleted/cancelled/refunded) per created day."""
        index = self.index("orders", as_of)
        t = self.orders.table
        rec = index.rec
        keep = ~t.cols["deleted"][index.vidx] & ~np.isin(
            t.cols["status"][index.vidx], [CANCELLED, REFUNDED]
        )
        rec = rec[keep]
        day = t.upd[t.starts[rec]] // timefmt.DAY_MS
        currency = self.orders.currency[rec].astype(np.int64)
        key = day * len(CURRENCIES) + currency
        uniq, inverse = np.unique(key, return_inverse=True)
        sums = np.zeros(uniq.size, dtype=np.int64)
        np.add.at(sums, inverse, self.orders.total[rec])
        return {
            (timefmt.from_ms(int(k // len(CURRENCIES)) * timefmt.DAY_MS).date(),
             CURRENCIES[int(k % len(CURRENCIES))]): Decimal(int(s)) / 100
            for k, s in zip(uniq, sums, strict=True)
        }

    def version_counts(self, feed: str, as_of: datetime) -> dict[str, int]:
        """Per record id: how many of its versions are visible at `as_of`."""
        source = self.feeds[feed]
        visible = source.table.vis <= timefmt.to_ms(as_of)
        counts = np.bincount(source.table.rec[visible], minlength=source.n_records)
        index = self.index(feed, as_of)
        ids = self.render_ids(feed, index.rec)
        return dict(zip(ids, counts[index.rec].tolist(), strict=True))

    def render_ids(self, feed: str, rec: np.ndarray) -> list[str]:
        """The id strings of records `rec`."""
        source = self.feeds[feed]
        if isinstance(source, Orders):
            return [source.order_id(r) for r in rec.tolist()]
        return [source.ids[r] for r in rec.tolist()]


def record_id(record: dict) -> str | None:
    """The record's id if it is a string, else None."""
    value = record.get("id")
    return value if isinstance(value, str) else None
