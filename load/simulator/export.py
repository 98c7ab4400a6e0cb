"""Bulk export: gzip JSON Lines per feed and UTC day, as the shop's daily drop."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import orjson

from .timefmt import DAY_MS, from_ms
from .world import FEEDS, World


def _lines_by_day(world: World, feed: str, as_of: datetime) -> Iterator[tuple[str, bytes]]:
    for page in world.chunks(feed, as_of):
        for record, ms in zip(page.records, page.upd_ms, strict=True):
            yield from_ms(ms // DAY_MS * DAY_MS).date().isoformat(), orjson.dumps(record) + b"\n"


def _write_part(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
        gz.write(b"".join(lines))


def export_world(
    world: World, as_of: datetime, out_dir: str | Path, part_size: int = 10_000
) -> list[Path]:
    """Write `<out>/<feed>/dt=YYYY-MM-DD/part-NNNN.jsonl.gz` (dt = UTC date of updated_at)."""
    if part_size < 1:
        raise ValueError("part_size must be positive")
    out = Path(out_dir)
    written: list[Path] = []
    for feed in FEEDS:
        day: str | None = None
        part = 0
        lines: list[bytes] = []
        for dt, line in _lines_by_day(world, feed, as_of):
            if dt != day or len(lines) == part_size:
                if lines:
                    written.append(out / feed / f"dt={day}" / f"part-{part:04d}.jsonl.gz")
                    _write_part(written[-1], lines)
                part = 0 if dt != day else part + 1
                day, lines = dt, []
            lines.append(line)
        if lines:
            written.append(out / feed / f"dt={day}" / f"part-{part:04d}.jsonl.gz")
            _write_part(written[-1], lines)
    return written


def read_export(out_dir: str | Path, feed: str) -> list[dict]:
    """All records of one feed in an export, in path order (= feed order)."""
    records: list[dict] = []
    for path in sorted((Path(out_dir) / feed).glob("dt=*/part-*.jsonl.gz")):
        with gzip.open(path, "rb") as fh:
            records.extend(orjson.loads(line) for line in fh)
    return records
