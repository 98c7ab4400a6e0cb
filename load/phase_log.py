"""dlt progress as one log line per phase (extract, normalize, load) when no terminal watches.

dlt's `progress="log"` writes a block of counters every second (~30 lines for a small run);
a log file or CI output only needs to see each phase begin, and what the one before did.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from dlt.common.runtime.collector import Collector

log = logging.getLogger("order_api")


class PhaseLog(Collector):
    """A dlt progress collector: one line as a phase starts, with what the previous one did."""

    def __init__(self) -> None:
        self.phase = ""
        self.started = 0.0
        self.counts: dict[str, int] = defaultdict(int)
        self.previous = ""

    def update(self, name: str, inc: int = 1, total: int | None = None,
               inc_total: int | None = None, message: str | None = None,
               label: str | None = None) -> None:
        self.counts[name] += inc

    def _start(self, step: str) -> None:
        phase = step.split()[0]  # `Extract order_api`, `Load order_api in 1795...`
        if phase == self.phase:  # dlt extracts its state as a step of its own: same phase
            return
        self.phase, self.started, self.counts = phase, time.monotonic(), defaultdict(int)
        log.info("%s: started%s", step, f" ({self.previous})" if self.previous else "")

    def _stop(self) -> None:
        done = ", ".join(f"{name} {count}" for name, count in self.counts.items() if count)
        took = time.monotonic() - self.started
        self.previous = f"{self.phase} took {took:.1f} s" + (f": {done}" if done else "")
