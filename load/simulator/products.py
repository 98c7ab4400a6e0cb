"""The product catalog feed: a few versions per product (price changes, active flips)."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from . import defects, jsontext, money, timefmt
from .arrays import forward_fill, grouped_cumsum
from .config import WorldConfig
from .rng import generator
from .versions import VersionTable, finalize
from .vocab import CATEGORIES, PRODUCT_ADJECTIVES, PRODUCT_NOUNS

TAG = 3


class Products:
    name = "products"

    def __init__(self, config: WorldConfig) -> None:
        rng = generator(config.seed, TAG)
        n = config.product_count
        start, end = timefmt.to_ms(config.start), timefmt.to_ms(config.end)
        span = end - start
        self.n_records = n
        self.width = max(5, len(str(n)))
        adjective = rng.integers(0, len(PRODUCT_ADJECTIVES), n)
        noun = rng.integers(0, len(PRODUCT_NOUNS), n)
        category = rng.integers(0, len(CATEGORIES), n)
        self.base_price = (rng.integers(2, 200, n) * 100 - 1).astype(np.int64)
        self.ids = [f"prd_{i + 1:0{self.width}d}" for i in range(n)]
        self.skus = [f"SKU-{i + 1:0{self.width}d}" for i in range(n)]
        self.names = [
            f"{PRODUCT_ADJECTIVES[a]} {PRODUCT_NOUNS[b]}"
            for a, b in zip(adjective, noun, strict=True)
        ]
        self.categories = [CATEGORIES[c] for c in category]

        counts = 1 + rng.poisson(2.0, n)
        rec = np.repeat(np.arange(n), counts)
        first = np.zeros(rec.size, dtype=bool)
        first[np.concatenate(([0], np.cumsum(counts)[:-1]))] = True
        gaps = np.where(first, 0, rng.exponential(span / 3, rec.size).astype(np.int64) + 1000)
        created = start - rng.integers(0, max(span // 4, 1), n)
        starts_of = np.repeat(np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        upd = created[rec] + grouped_cumsum(starts_of, gaps)
        is_price = first | (rng.random(rec.size) < 0.7)
        factor = np.where(first, 1.0, rng.uniform(0.8, 1.25, rec.size))
        raw_price = np.round(self.base_price[rec] * factor / 100.0) * 100 - 1
        price = np.maximum(raw_price, 99).astype(np.int64)[forward_fill(is_price)]
        flips = (~is_price).astype(np.int64)
        active = (grouped_cumsum(starts_of, flips) % 2 == 0) ^ (rng.random(n) < 0.05)[rec]
        frac = rng.random(rec.size) >= 0.25
        code = timefmt.pick_offsets(rng, rec.size)
        self.table: VersionTable = finalize(
            rng, rec, upd, frac, code, n, config.bad_record_rate, defects.weights(self.name)
        )
        self.table.cols.update(price=price, active=active)

    def render(self, vidx: np.ndarray) -> list[dict]:
        t = self.table
        rec = t.rec[vidx].tolist()
        updated = timefmt.render(t.upd[vidx], t.code[vidx], t.frac[vidx])
        price = t.cols["price"][vidx].tolist()
        active = t.cols["active"][vidx].tolist()
        return [
            {
                "id": self.ids[r],
                "sku": self.skus[r],
                "name": self.names[r],
                "category": self.categories[r],
                "list_price": money.cents_text(p),
                "currency": "EUR",
                "active": a,
                "updated_at": u,
            }
            for r, u, p, a in zip(rec, updated, price, active, strict=True)
        ]

    @cached_property
    def texts(self) -> dict[str, jsontext.Block]:
        """JSON texts of each product's fixed fields, one row per product."""
        return {
            "id": jsontext.table(self.ids),
            "sku": jsontext.table(self.skus),
            "name": jsontext.table(self.names),
            "category": jsontext.table(self.categories),
        }

    def json_parts(self, vidx: np.ndarray) -> jsontext.Part:
        """`render` as JSON text parts."""
        t = self.table
        rec = t.rec[vidx]
        fixed = self.texts
        return jsontext.objects([
            ("id", fixed["id"][rec]),
            ("sku", fixed["sku"][rec]),
            ("name", fixed["name"][rec]),
            ("category", fixed["category"][rec]),
            ("list_price", money.json_texts(t.cols["price"][vidx])),
            ("currency", jsontext.text("EUR")),
            ("active", jsontext.booleans(t.cols["active"][vidx])),
            ("updated_at", timefmt.json_texts(t.upd[vidx], t.code[vidx], t.frac[vidx])),
        ])
