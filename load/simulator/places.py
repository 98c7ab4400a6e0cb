"""Postal addresses derived deterministically from integer keys."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import jsontext
from .rng import mix64
from .vocab import COUNTRIES, STREETS

MAX_CITIES = 6
MAX_NUMBER = 240


class _Draws(NamedTuple):
    country: np.ndarray
    city: np.ndarray
    street: np.ndarray
    number: np.ndarray
    flat: np.ndarray
    postal: np.ndarray


def _draws(keys: np.ndarray, salt: int) -> _Draws:
    h = mix64(keys, salt)
    return _Draws(
        country=(h % np.uint64(len(COUNTRIES))).astype(np.int64),
        city=((h >> np.uint64(8)) % np.uint64(MAX_CITIES)).astype(np.int64),
        street=((h >> np.uint64(16)) % np.uint64(len(STREETS))).astype(np.int64),
        number=((h >> np.uint64(24)) % np.uint64(MAX_NUMBER) + np.uint64(1)).astype(np.int64),
        flat=((h >> np.uint64(32)) % np.uint64(10)).astype(np.int64),
        postal=((h >> np.uint64(40)) % np.uint64(90000) + np.uint64(10000)).astype(np.int64),
    )


def _line2(flat: int) -> str | None:
    return f"Apt {flat + 1}" if flat < 3 else None


def _has_postal_code(code: str, flat: int) -> bool:
    return not (code == "IE" and flat > 4)


def addresses(keys: np.ndarray, salt: int) -> list[dict]:
    """One address dict per key; the same key always gives the same address."""
    d = _draws(keys, salt)
    out = []
    for c, ci, s, n, f, p in zip(*(column.tolist() for column in d), strict=True):
        code, cities = COUNTRIES[c]
        name, region = cities[ci % len(cities)]
        out.append({
            "line1": f"{n} {STREETS[s]}",
            "line2": _line2(f),
            "city": name,
            "region": region,
            "postal_code": str(p) if _has_postal_code(code, f) else None,
            "country": code,
        })
    return out


# JSON texts by draw: city and region by country * MAX_CITIES + city draw, line1 by
# (number - 1) * len(STREETS) + street, and which (country, flat) pairs carry a postal code.
_CITY_OF = [cities[ci % len(cities)] for _, cities in COUNTRIES for ci in range(MAX_CITIES)]
_CITY = jsontext.table(name for name, _ in _CITY_OF)
_REGION = jsontext.table(region for _, region in _CITY_OF)
_COUNTRY = jsontext.table(code for code, _ in COUNTRIES)
_LINE1 = jsontext.table(f"{n} {s}" for n in range(1, MAX_NUMBER + 1) for s in STREETS)
_LINE2 = jsontext.table(_line2(f) for f in range(10))
_POSTAL = np.array([[_has_postal_code(code, f) for f in range(10)] for code, _ in COUNTRIES])


def address_texts(keys: np.ndarray, salt: int) -> jsontext.Part:
    """`addresses` as JSON texts."""
    d = _draws(keys, salt)
    city = d.country * MAX_CITIES + d.city
    postal = [b'"', jsontext.digits(d.postal, 5), b'"']
    return jsontext.objects([
        ("line1", _LINE1[(d.number - 1) * len(STREETS) + d.street]),
        ("line2", _LINE2[d.flat]),
        ("city", _CITY[city]),
        ("region", _REGION[city]),
        ("postal_code", jsontext.nullable(_POSTAL[d.country, d.flat], postal)),
        ("country", _COUNTRY[d.country]),
    ])
