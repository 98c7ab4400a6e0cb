"""Configuration of a simulated Order API world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class WorldConfig:
    """Size, seed and timeline of a world; `products` defaults to max(50, orders // 200)."""

    orders: int = 2000
    users: int = 400
    products: int | None = None
    seed: int = 7
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC)
    end: datetime = datetime(2026, 12, 31, tzinfo=UTC)
    bad_record_rate: float = 0.0
    new_field_from: datetime | None = None
    # orders placed on this UTC day fall to `outage_fraction` of normal (an outage at the shop)
    outage_day: date | None = None
    outage_fraction: float = 0.0

    def __post_init__(self) -> None:
        if self.orders < 1 or self.users < 1:
            raise ValueError("a world needs at least one order and one user")
        if self.products is not None and self.products < 1:
            raise ValueError("a world needs at least one product")
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if not 0.0 <= self.bad_record_rate <= 1.0:
            raise ValueError("bad_record_rate must be within [0, 1]")
        if not 0.0 <= self.outage_fraction <= 1.0:
            raise ValueError("outage_fraction must be within [0, 1]")

    @property
    def product_count(self) -> int:
        return self.products if self.products is not None else max(50, self.orders // 200)
