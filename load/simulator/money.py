"""Exact money: integer cents rendered as two-decimal strings."""

from __future__ import annotations

import numpy as np


def cents_text(cents: int) -> str:
    """Render cents as "%d.%02d" (with a leading minus for negatives)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


_EUROS = np.array([b'"%d' % euros for euros in range(10_000)], dtype=object)
_CENTS = np.array([b'.%02d"' % cents for cents in range(100)], dtype=object)


def json_texts(cents: np.ndarray) -> np.ndarray:
    """`cents_text` of each amount as a JSON string (an object array of bytes)."""
    euros, part = np.divmod(cents, 100)
    common = (euros >= 0) & (euros < _EUROS.size)
    out = _EUROS[np.where(common, euros, 0)] + _CENTS[part]
    for i in np.flatnonzero(~common).tolist():
        out[i] = b'"%s"' % cents_text(int(cents[i])).encode()
    return out
