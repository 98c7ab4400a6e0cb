"""Benchmark: build a 1M-order world, then render pages as the server does (`World.page_text`);
prints build time, RSS, throughput."""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "load"))

from simulator import World, WorldConfig  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    world = World(WorldConfig(orders=args.orders, users=args.users))
    built = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build: {built:.1f} s, max RSS {rss_mb:.0f} MB, "
          f"{world.orders.table.size:,} order versions, {world.users.table.size:,} user versions")
    as_of = datetime(2026, 11, 20, tzinfo=UTC)
    started = time.perf_counter()
    world.index("orders", as_of)
    print(f"served index: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    rendered = 0
    key = None
    for _ in range(args.pages):
        page = world.page_text("orders", as_of, after=key, limit=1000)
        rendered += len(page.upd_ms)
        key = page.last_key
    elapsed = time.perf_counter() - started
    print(f"render: {rendered / elapsed:,.0f} orders/s (limit=1000, {rendered:,} orders)")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS after paging: {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
