"""Contract violations the API occasionally serves, per feed, with the reason recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Record = dict


@dataclass(frozen=True)
class Defect:
    reason: str
    weight: float
    apply: Callable[[Record], None]


def _set(key: str, value: object) -> Callable[[Record], None]:
    def apply(record: Record) -> None:
        record[key] = value

    return apply


def _drop(key: str) -> Callable[[Record], None]:
    def apply(record: Record) -> None:
        record.pop(key, None)

    return apply


def _short_amount(key: str) -> Callable[[Record], None]:
    def apply(record: Record) -> None:
        record[key] = record[key][:-1]

    return apply


def _comma_amount(key: str) -> Callable[[Record], None]:
    def apply(record: Record) -> None:
        record[key] = record[key].replace(".", ",")

    return apply


def _as_number(key: str) -> Callable[[Record], None]:
    def apply(record: Record) -> None:
        record[key] = float(record[key])

    return apply


def _item_quantity_text(record: Record) -> None:
    record["items"][0]["quantity"] = "three"


_COMMON = (
    Defect("malformed_timestamp:updated_at", 1.0, _set("updated_at", "2026-13-45T25:61:00Z")),
    Defect("missing_field:id", 0.15, _drop("id")),
    Defect("wrong_type:id", 0.15, _set("id", 404)),
)

DEFECTS: dict[str, tuple[Defect, ...]] = {
    "orders": _COMMON + (
        Defect("wrong_type:items[0].quantity", 1.0, _item_quantity_text),
        Defect("wrong_type:total", 1.0, _as_number("total")),
        Defect("malformed_timestamp:created_at", 1.0, _set("created_at", "yesterday")),
        Defect("malformed_amount:subtotal", 1.0, _short_amount("subtotal")),
        Defect("malformed_amount:tax_total", 1.0, _comma_amount("tax_total")),
        Defect("missing_field:status", 1.0, _drop("status")),
        Defect("unknown_enum:status", 1.0, _set("status", "lost")),
    ),
    "users": _COMMON + (
        Defect("wrong_type:marketing_opt_in", 1.0, _set("marketing_opt_in", "yes")),
        Defect("missing_field:email", 1.0, _drop("email")),
        Defect("unknown_enum:loyalty_tier", 1.0, _set("loyalty_tier", "diamond")),
        Defect("malformed_timestamp:created_at", 1.0, _set("created_at", "yesterday")),
    ),
    "products": _COMMON + (
        Defect("wrong_type:active", 1.0, _set("active", "true")),
        Defect("malformed_amount:list_price", 1.0, _comma_amount("list_price")),
        Defect("missing_field:sku", 1.0, _drop("sku")),
    ),
}


def weights(feed: str) -> np.ndarray:
    """Relative frequency of each defect of `feed`, in `DEFECTS` order."""
    return np.array([d.weight for d in DEFECTS[feed]], dtype=np.float64)


def spoil(feed: str, records: list[Record], kinds: list[int]) -> list[str | None]:
    """Apply defect `kind - 1` to each record whose kind is non-zero; return the reasons."""
    reasons: list[str | None] = []
    for record, kind in zip(records, kinds, strict=True):
        if kind:
            defect = DEFECTS[feed][kind - 1]
            defect.apply(record)
            reasons.append(defect.reason)
        else:
            reasons.append(None)
    return reasons
