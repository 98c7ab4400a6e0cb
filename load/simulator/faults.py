"""Deterministic choice of injected faults, from a seed and the request counter."""

from __future__ import annotations

import threading

from .rng import unit_one

KINDS = ("429_seconds", "500", "drop", "429_date", "503", "truncated", "garbage")
SLOW = "slow"


class FaultPlan:
    """Decides, request by request, whether to misbehave and how."""

    def __init__(
        self, rate: float = 0.0, seed: int = 1, slow_rate: float = 0.0, slow_seconds: float = 0.0
    ) -> None:
        for name, value in (("fault_rate", rate), ("slow_rate", slow_rate)):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        self.rate = rate
        self.seed = seed
        self.slow_rate = slow_rate
        self.slow_seconds = slow_seconds
        self._requests = 0
        self._faults = 0
        self._lock = threading.Lock()

    def next(self) -> str | None:
        """The fault for the next request (a KINDS entry or SLOW), or None to answer normally."""
        with self._lock:
            n = self._requests
            self._requests += 1
            if self.rate and unit_one(n, self.seed * 2 + 1) < self.rate:
                kind = KINDS[self._faults % len(KINDS)]
                self._faults += 1
                return kind
        if self.slow_rate and unit_one(n, self.seed * 2 + 2) < self.slow_rate:
            return SLOW
        return None
