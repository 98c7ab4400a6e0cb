"""Postal addresses derived deterministically from integer keys."""

from __future__ import annotations

import numpy as np

from .rng import mix64
from .vocab import COUNTRIES, STREETS


def addresses(keys: np.ndarray, salt: int) -> list[dict]:
    """One address dict per key; the same key always gives the same address."""
    h = mix64(keys, salt)
    country = (h % np.uint64(len(COUNTRIES))).astype(np.int64).tolist()
    city = ((h >> np.uint64(8)) % np.uint64(6)).astype(np.int64).tolist()
    street = ((h >> np.uint64(16)) % np.uint64(len(STREETS))).astype(np.int64).tolist()
    number = ((h >> np.uint64(24)) % np.uint64(240) + np.uint64(1)).astype(np.int64).tolist()
    flat = ((h >> np.uint64(32)) % np.uint64(10)).astype(np.int64).tolist()
    postal = ((h >> np.uint64(40)) % np.uint64(90000) + np.uint64(10000)).astype(np.int64).tolist()
    out = []
    for c, ci, s, n, f, p in zip(country, city, street, number, flat, postal, strict=True):
        code, cities = COUNTRIES[c]
        name, region = cities[ci % len(cities)]
        out.append({
            "line1": f"{n} {STREETS[s]}",
            "line2": f"Apt {f + 1}" if f < 3 else None,
            "city": name,
            "region": region,
            "postal_code": None if code == "IE" and f > 4 else str(p),
            "country": code,
        })
    return out
