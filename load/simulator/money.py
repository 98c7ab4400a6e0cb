"""Exact money: integer cents rendered as two-decimal strings."""

from __future__ import annotations

import numpy as np

from . import jsontext


def cents_text(cents: int) -> str:
    """Render cents as "%d.%02d" (with a leading minus for negatives)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def json_texts(cents: np.ndarray) -> jsontext.Part:
    """`cents_text` of each amount as a JSON string."""
    magnitude = np.abs(cents)
    sign = [jsontext.optional(cents < 0, b"-")] if (cents < 0).any() else []
    return [
        b'"', *sign, jsontext.integers(magnitude // 100), b".",
        jsontext.digits(magnitude % 100, 2), b'"',
    ]
