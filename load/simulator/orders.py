"""The orders feed: line items, exact money and a status history per order."""

from __future__ import annotations

from datetime import UTC, datetime, time
from functools import cached_property

import numpy as np

from . import defects, jsontext, money, timefmt
from .arrays import expand_ranges
from .config import WorldConfig
from .money import cents_text
from .places import address_texts, addresses
from .products import Products
from .rng import generator, unit
from .versions import VersionTable, finalize
from .vocab import (
    APP_VERSIONS,
    CAMPAIGNS,
    CARD_BRANDS,
    CHANNELS,
    CURRENCIES,
    CURRENCY_WEIGHTS,
    GIFT_MESSAGES,
    OS_BY_PLATFORM,
    PAYMENT_METHODS,
    PAYMENT_WEIGHTS,
    PLATFORMS,
    TAX_RATE_PERMILLE,
    USER_AGENTS,
)

TAG = 1
OUTAGE_TAG = 4
STATUSES = ("pending", "paid", "shipped", "delivered", "cancelled", "refunded")
PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, REFUNDED = range(6)
MINUTE_MS = 60_000
MAX_ITEMS = 5
MAX_QUANTITY = 9


def _between(rng: np.random.Generator, low_ms: float, high_ms: float, n: int) -> np.ndarray:
    """Log-uniform durations in [low, high) milliseconds."""
    return np.exp(rng.uniform(np.log(low_ms), np.log(high_ms), n)).astype(np.int64)


def _outage(config: WorldConfig, created: np.ndarray) -> np.ndarray:
    """`created` without the orders an outage on `config.outage_day` lost (all but a
    deterministic `outage_fraction` of that UTC day's orders); unchanged without an outage."""
    if config.outage_day is None:
        return created
    day_start = timefmt.to_ms(datetime.combine(config.outage_day, time(), UTC))
    on_day = (created >= day_start) & (created < day_start + timefmt.DAY_MS)
    lost = on_day & (generator(config.seed, OUTAGE_TAG).random(created.size)
                     >= config.outage_fraction)
    return created[~lost]


class Orders:
    name = "orders"

    def __init__(self, config: WorldConfig, users_created: np.ndarray, products: Products) -> None:
        rng = generator(config.seed, TAG)
        start, end = timefmt.to_ms(config.start), timefmt.to_ms(config.end)
        self.width = max(8, len(str(config.orders)))
        created = _outage(config, np.sort(rng.integers(start, end, config.orders)))
        n = created.size
        self.n_records = n
        self.products = products
        self.new_field_from = (
            None if config.new_field_from is None else timefmt.to_ms(config.new_field_from)
        )
        available = np.maximum(np.searchsorted(users_created, created, side="right"), 1)
        self.user = (rng.random(n) * available).astype(np.int32)
        self.user_width = max(7, len(str(len(users_created))))
        self.currency = rng.choice(len(CURRENCIES), n, p=CURRENCY_WEIGHTS).astype(np.int8)
        self._build_items(rng, products)
        self._build_money(rng)
        self._build_details(rng, n)
        self._build_versions(rng, config, created)

    def _build_items(self, rng: np.random.Generator, products: Products) -> None:
        n = self.n_records
        count = rng.integers(1, MAX_ITEMS + 1, n).astype(np.int8)
        self.item_start = np.concatenate(([0], np.cumsum(count)[:-1])).astype(np.int64)
        self.item_count = count
        total = int(count.sum())
        self.item_product = rng.integers(0, products.n_records, total).astype(np.int32)
        self.item_qty = np.minimum(rng.geometric(0.55, total), MAX_QUANTITY).astype(np.int8)
        self.item_price = products.base_price[self.item_product].astype(np.int64)
        gross = self.item_qty * self.item_price
        has_discount = rng.random(total) < 0.15
        self.item_discount = np.where(has_discount, gross * rng.integers(5, 21, total) // 100, 0)

    def _build_money(self, rng: np.random.Generator) -> None:
        n = self.n_records
        lines = self.item_qty * self.item_price - self.item_discount
        self.subtotal = np.add.reduceat(lines, self.item_start)
        coupon = rng.random(n) < 0.3
        self.discount_total = np.where(coupon, self.subtotal * rng.integers(5, 16, n) // 100, 0)
        rate = np.array(TAX_RATE_PERMILLE, dtype=np.int64)[self.currency]
        self.tax_total = ((self.subtotal - self.discount_total) * rate + 500) // 1000
        fees = np.array([0, 499, 999], dtype=np.int64)
        self.shipping_total = rng.choice(fees, n, p=[0.4, 0.4, 0.2])
        self.total = self.subtotal - self.discount_total + self.tax_total + self.shipping_total

    def _build_details(self, rng: np.random.Generator, n: int) -> None:
        self.skew_kind = rng.choice(3, n, p=[0.8, 0.1, 0.1]).astype(np.int8)  # ok, off, null
        self.skew = np.where(
            self.skew_kind == 1,
            rng.integers(-6 * 60, 6 * 60, n) * MINUTE_MS,
            rng.integers(-2000, 2000, n),
        )
        self.has_address = rng.random(n) >= 0.05
        self.platform = np.where(rng.random(n) < 0.1, -1, rng.integers(0, 4, n)).astype(np.int8)
        self.method = np.where(
            rng.random(n) < 0.03, -1, rng.choice(len(PAYMENT_METHODS), n, p=PAYMENT_WEIGHTS)
        ).astype(np.int8)
        self.meta = rng.integers(0, 1 << 30, n).astype(np.int64)

    def _build_versions(
        self, rng: np.random.Generator, config: WorldConfig, created: np.ndarray
    ) -> None:
        n = self.n_records
        r = rng.random(n)
        cancel_pending, cancel_paid, normal = r < 0.05, (r >= 0.05) & (r < 0.10), r >= 0.10
        refunded = normal & (rng.random(n) < 0.05)
        deleted = rng.random(n) < 0.01
        times = np.full((n, 6), -1, dtype=np.int64)
        columns = np.array([PENDING, PAID, SHIPPED, DELIVERED, CANCELLED, 0], np.int8)
        status = np.tile(columns, (n, 1))
        times[:, 0] = created
        paid = created + _between(rng, 2 * MINUTE_MS, 6 * 60 * MINUTE_MS, n)
        times[~cancel_pending, 1] = paid[~cancel_pending]
        ship = paid + rng.integers(timefmt.DAY_MS, 3 * timefmt.DAY_MS, n)
        ship = (ship // timefmt.HOUR_MS + 1) * timefmt.HOUR_MS
        times[normal, 2] = ship[normal]
        delivered = ship + rng.integers(timefmt.DAY_MS, 7 * timefmt.DAY_MS, n)
        times[normal, 3] = delivered[normal]
        cancel_delay = _between(rng, 5 * MINUTE_MS, 48 * 60 * MINUTE_MS, n)
        times[cancel_pending, 4] = (created + cancel_delay)[cancel_pending]
        times[cancel_paid, 4] = (paid + cancel_delay)[cancel_paid]
        refund_at = delivered + rng.integers(timefmt.DAY_MS, 30 * timefmt.DAY_MS, n)
        times[refunded, 4] = refund_at[refunded]
        status[refunded, 4] = REFUNDED
        final = np.where(normal, np.where(refunded, REFUNDED, DELIVERED), CANCELLED)
        status[:, 5] = final
        times[deleted, 5] = times.max(axis=1)[deleted] + rng.integers(
            timefmt.DAY_MS, 60 * timefmt.DAY_MS, n
        )[deleted]
        present = times >= 0
        counts = present.sum(axis=1)
        rec = np.repeat(np.arange(n), counts)
        column = np.broadcast_to(np.arange(6), (n, 6))[present]
        shipped = column == 2
        frac = ~shipped & (rng.random(rec.size) >= 0.1)
        code = np.where(
            shipped,
            rng.choice(timefmt.WHOLE_HOUR_CODES, rec.size),
            timefmt.pick_offsets(rng, rec.size),
        )
        self.table: VersionTable = finalize(
            rng, rec, times[present], frac, code, n, config.bad_record_rate,
            defects.weights(self.name),
        )
        self.table.cols.update(status=status[present], deleted=column == 5)
        self.paid_version = np.where(cancel_pending, -1, self.table.starts + 1)

    def order_id(self, rec: int) -> str:
        return f"ord_{rec + 1:0{self.width}d}"

    def _items(self, rec: np.ndarray) -> list[list[dict]]:
        counts = self.item_count[rec]
        idx = expand_ranges(self.item_start[rec], counts)
        product = self.item_product[idx].tolist()
        qty = self.item_qty[idx].tolist()
        price = self.item_price[idx].tolist()
        discount = self.item_discount[idx].tolist()
        p = self.products
        flat = []
        k = 0
        for r, c in zip(rec.tolist(), counts.tolist(), strict=True):
            prefix = f"li_{r + 1:0{self.width}d}x"
            for j in range(1, c + 1):
                pr = product[k]
                flat.append({
                    "id": f"{prefix}{j}",
                    "product_id": p.ids[pr],
                    "sku": p.skus[pr],
                    "name": p.names[pr],
                    "category": p.categories[pr],
                    "quantity": qty[k],
                    "unit_price": cents_text(price[k]),
                    "discount": cents_text(discount[k]),
                })
                k += 1
        out = []
        k = 0
        for c in counts.tolist():
            out.append(flat[k:k + c])
            k += c
        return out

    def _devices(self, rec: np.ndarray) -> list[dict | None]:
        h = self.meta[rec].tolist()
        out: list[dict | None] = []
        for platform, x in zip(self.platform[rec].tolist(), h, strict=True):
            if platform < 0:
                out.append(None)
                continue
            oses = OS_BY_PLATFORM[platform]
            out.append({
                "platform": PLATFORMS[platform],
                "app_version": None if platform == 2 else APP_VERSIONS[x % len(APP_VERSIONS)],
                "os": oses[(x >> 3) % len(oses)],
                "user_agent": USER_AGENTS[(x >> 6) % len(USER_AGENTS)],
            })
        return out

    @staticmethod
    def _metadata(x: int) -> dict[str, str]:
        shape = x % 7
        if shape == 0:
            return {}
        meta = {"channel": CHANNELS[(x >> 9) % len(CHANNELS)]}
        if shape >= 3:
            meta["campaign"] = CAMPAIGNS[(x >> 12) % len(CAMPAIGNS)]
        return meta

    def render(self, vidx: np.ndarray) -> list[dict]:
        t = self.table
        rec = t.rec[vidx]
        upd = t.upd[vidx]
        updated = timefmt.render(upd, t.code[vidx], t.frac[vidx])
        first = t.starts[rec]
        created_ms = t.upd[first]
        created = timefmt.render(created_ms, t.code[first], t.frac[first])
        paid_v = self.paid_version[rec]
        has_capture = (paid_v >= 0) & (vidx >= paid_v)
        pv = paid_v[has_capture]
        captured_text = iter(timefmt.render(t.upd[pv], t.code[pv], t.frac[pv]))
        captured = [next(captured_text) if c else None for c in has_capture.tolist()]
        client_ms = (created_ms + self.skew[rec]).tolist()
        skew_kind = self.skew_kind[rec].tolist()
        ship_to = addresses(rec.astype(np.int64), 31)
        has_address = self.has_address[rec].tolist()
        devices = self._devices(rec)
        items = self._items(rec)
        method = self.method[rec].tolist()
        meta = self.meta[rec].tolist()
        status = t.cols["status"][vidx].tolist()
        deleted = t.cols["deleted"][vidx].tolist()
        money = [
            arr[rec].tolist()
            for arr in (self.subtotal, self.discount_total, self.tax_total, self.shipping_total,
                        self.total)
        ]
        gifts = self._gifts(rec, upd)
        user = self.user[rec].tolist()
        currency = self.currency[rec].tolist()
        out = []
        for i, r in enumerate(rec.tolist()):
            m = method[i]
            record = {
                "id": f"ord_{r + 1:0{self.width}d}",
                "status": STATUSES[status[i]],
                "user_id": f"usr_{user[i] + 1:0{self.user_width}d}",
                "currency": CURRENCIES[currency[i]],
                "created_at": created[i],
                "updated_at": updated[i],
                "deleted_at": updated[i] if deleted[i] else None,
                "client_created_ms": None if skew_kind[i] == 2 else client_ms[i],
                "subtotal": cents_text(money[0][i]),
                "discount_total": cents_text(money[1][i]),
                "tax_total": cents_text(money[2][i]),
                "shipping_total": cents_text(money[3][i]),
                "total": cents_text(money[4][i]),
                "items": items[i],
                "shipping_address": ship_to[i] if has_address[i] else None,
                "device": devices[i],
                "payment": None if m < 0 else {
                    "method": PAYMENT_METHODS[m],
                    "card_brand": CARD_BRANDS[meta[i] % len(CARD_BRANDS)] if m == 0 else None,
                    "captured_at": captured[i],
                },
                "metadata": self._metadata(meta[i]),
            }
            if gifts is not None and gifts[i] is not False:
                record["gift_message"] = gifts[i]
            out.append(record)
        return out

    def _gifts(self, rec: np.ndarray, upd: np.ndarray) -> list[str | None | bool] | None:
        """The drifted `gift_message` per record, or False where it is not carried yet."""
        if self.new_field_from is None:
            return None
        carries = (upd >= self.new_field_from).tolist()
        pick = (unit(rec, 41) * len(GIFT_MESSAGES)).astype(np.int64).tolist()
        return [GIFT_MESSAGES[p] if c else False for c, p in zip(carries, pick, strict=True)]

    def json_parts(self, vidx: np.ndarray) -> jsontext.Part:
        """`render` as JSON text parts."""
        t = self.table
        rec = t.rec[vidx]
        upd = t.upd[vidx]
        first = t.starts[rec]
        created_ms = t.upd[first]
        updated = timefmt.json_texts(upd, t.code[vidx], t.frac[vidx])
        client_ms = jsontext.integers(created_ms + self.skew[rec])
        return jsontext.objects([
            ("id", [b'"ord_', jsontext.digits(rec + 1, self.width), b'"']),
            ("status", _STATUS[t.cols["status"][vidx]]),
            ("user_id", [b'"usr_', jsontext.digits(self.user[rec] + 1, self.user_width), b'"']),
            ("currency", _CURRENCY[self.currency[rec]]),
            ("created_at", timefmt.json_texts(created_ms, t.code[first], t.frac[first])),
            ("updated_at", updated),
            ("deleted_at", jsontext.nullable(t.cols["deleted"][vidx], updated)),
            ("client_created_ms", jsontext.nullable(self.skew_kind[rec] != 2, client_ms)),
            ("subtotal", money.json_texts(self.subtotal[rec])),
            ("discount_total", money.json_texts(self.discount_total[rec])),
            ("tax_total", money.json_texts(self.tax_total[rec])),
            ("shipping_total", money.json_texts(self.shipping_total[rec])),
            ("total", money.json_texts(self.total[rec])),
            ("items", self._items_json(rec)),
            ("shipping_address", jsontext.nullable(
                self.has_address[rec], address_texts(rec.astype(np.int64), 31))),
            ("device", self._devices_json(rec)),
            ("payment", self._payments_json(vidx, rec)),
            ("metadata", self._metadata_json(self.meta[rec])),
        ], self._gifts_json(rec, upd))

    def _items_json(self, rec: np.ndarray) -> jsontext.Part:
        counts = self.item_count[rec]
        idx = expand_ranges(self.item_start[rec], counts)
        order = np.repeat(np.arange(rec.size), counts)
        number = np.arange(idx.size) - (np.cumsum(counts, dtype=np.int64) - counts)[order] + 1
        line = self.item_product[idx].astype(np.int64) * (MAX_QUANTITY + 1) + self.item_qty[idx]
        item = [jsontext.optional(number > 1, b","), *jsontext.objects([
            ("id", [b'"li_', jsontext.digits(rec[order] + 1, self.width), b"x",
                    jsontext.digits(number, 1), b'"']),
            (None, self._line_members[line]),
            ("discount", money.json_texts(self.item_discount[idx])),
        ])]
        items = jsontext.rows(idx.size, item)
        return [b"[", jsontext.grouped(items, order, number - 1, rec.size, MAX_ITEMS), b"]"]

    @cached_property
    def _line_members(self) -> jsontext.Block:
        """A line item's members from product_id to unit_price (the product's base price), by
        product * (MAX_QUANTITY + 1) + quantity."""
        fixed = self.products.texts
        product = np.repeat(np.arange(self.products.n_records), MAX_QUANTITY + 1)
        return jsontext.rows(product.size, jsontext.members([
            ("product_id", fixed["id"][product]),
            ("sku", fixed["sku"][product]),
            ("name", fixed["name"][product]),
            ("category", fixed["category"][product]),
            ("quantity", np.tile(_QUANTITY, (self.products.n_records, 1))),
            ("unit_price", money.json_texts(self.products.base_price[product])),
        ]))

    def _devices_json(self, rec: np.ndarray) -> jsontext.Part:
        platform = self.platform[rec].astype(np.int64)
        x = self.meta[rec]
        known = platform >= 0
        platform = np.where(known, platform, 0)
        return jsontext.nullable(known, jsontext.objects([
            ("platform", _PLATFORM[platform]),
            ("app_version", jsontext.nullable(
                platform != 2, _APP_VERSION[x % len(APP_VERSIONS)])),
            ("os", _OS[platform * _OS_SLOTS + (x >> 3) % _OS_COUNT[platform]]),
            ("user_agent", _USER_AGENT[(x >> 6) % len(USER_AGENTS)]),
        ]))

    def _payments_json(self, vidx: np.ndarray, rec: np.ndarray) -> jsontext.Part:
        t = self.table
        paid_v = self.paid_version[rec]
        has_capture = (paid_v >= 0) & (vidx >= paid_v)
        pv = np.maximum(paid_v, 0)
        captured = timefmt.json_texts(t.upd[pv], t.code[pv], t.frac[pv])
        method = self.method[rec].astype(np.int64)
        return jsontext.nullable(method >= 0, jsontext.objects([
            ("method", _PAYMENT_METHOD[method]),
            ("card_brand", jsontext.nullable(
                method == 0, _CARD_BRAND[self.meta[rec] % len(CARD_BRANDS)])),
            ("captured_at", jsontext.nullable(has_capture, captured)),
        ]))

    @staticmethod
    def _metadata_json(x: np.ndarray) -> jsontext.Part:
        shape = x % 7
        campaign = jsontext.optional(
            shape >= 3, [b',"campaign":', _CAMPAIGN[(x >> 12) % len(CAMPAIGNS)]]
        )
        tagged = jsontext.objects([("channel", _CHANNEL[(x >> 9) % len(CHANNELS)])], campaign)
        return jsontext.Masked(shape != 0, tagged, b"{}")

    def _gifts_json(self, rec: np.ndarray, upd: np.ndarray) -> jsontext.Part:
        """The drifted `,"gift_message":...` member per record, where carried yet."""
        if self.new_field_from is None:
            return b""
        pick = (unit(rec, 41) * len(GIFT_MESSAGES)).astype(np.int64)
        gift = [b',"gift_message":', _GIFT[pick]]
        return jsontext.optional(upd >= self.new_field_from, gift)


_STATUS = jsontext.table(STATUSES)
_CURRENCY = jsontext.table(CURRENCIES)
_QUANTITY = jsontext.table(range(MAX_QUANTITY + 1))
_PLATFORM = jsontext.table(PLATFORMS)
_APP_VERSION = jsontext.table(APP_VERSIONS)
_OS_COUNT = np.array([len(oses) for oses in OS_BY_PLATFORM])
_OS_SLOTS = int(_OS_COUNT.max())
_OS = jsontext.table(  # by platform * _OS_SLOTS + os draw; a short row repeats (unused)
    oses[i % len(oses)] for oses in OS_BY_PLATFORM for i in range(_OS_SLOTS)
)
_USER_AGENT = jsontext.table(USER_AGENTS)
_PAYMENT_METHOD = jsontext.table(PAYMENT_METHODS)
_CARD_BRAND = jsontext.table(CARD_BRANDS)
_CHANNEL = jsontext.table(CHANNELS)
_CAMPAIGN = jsontext.table(CAMPAIGNS)
_GIFT = jsontext.table(GIFT_MESSAGES)
