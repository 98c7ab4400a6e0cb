"""Exact money: integer cents rendered as two-decimal strings."""

from __future__ import annotations

from collections.abc import Iterable


def cents_text(cents: int) -> str:
    """Render cents as "%d.%02d" (with a leading minus for negatives)."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole}.{part:02d}"


def render_all(cents: Iterable[int]) -> list[str]:
    """`cents_text` for many amounts."""
    return [cents_text(c) for c in cents]
