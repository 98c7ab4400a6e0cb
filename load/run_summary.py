"""The run summary: per feed pages, records, new versions, rejected, new columns, retries, time."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dlt.common.schema import Schema


@dataclass
class FeedSummary:
    pages: int = 0
    records: int = 0
    loaded: int = 0
    rejected: int = 0
    new_versions: int = 0
    new_line_items: int = 0
    new_columns: list[str] = field(default_factory=list)
    retries: int = 0
    requested_since: str | None = None
    duration_s: float = 0.0


@dataclass
class RunSummary:
    source: str
    load_ids: list[str] = field(default_factory=list)
    duration_s: float = 0.0
    feeds: dict[str, FeedSummary] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    def table(self) -> str:
        head = (f"{'feed':<10}{'pages':>7}{'records':>9}{'new versions':>14}{'rejected':>10}"
                f"{'retries':>9}{'seconds':>9}  new columns")
        lines = [f"Order API load from {self.source}: {self.duration_s:.1f} s, "
                 f"load ids {', '.join(self.load_ids) or '-'}", head]
        for name, f in self.feeds.items():
            lines.append(f"{name:<10}{f.pages:>7}{f.records:>9}{f.new_versions:>14}"
                         f"{f.rejected:>10}{f.retries:>9}{f.duration_s:>9.1f}  "
                         f"{', '.join(f.new_columns) or '-'}")
        return "\n".join(lines)


def new_columns(before: dict[str, set[str]], schema: Schema,
                feed_tables: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per feed, the columns added to its tables that already had data: new fields the API
    started sending (`before`: each table's columns before the load)."""
    out: dict[str, list[str]] = {}
    for feed, tables in feed_tables.items():
        for table in tables:
            if not before.get(table) or table not in schema.tables:
                continue
            now = set(schema.get_table_columns(table))
            added = sorted(c for c in now - before[table] if not c.startswith("_dlt"))
            out.setdefault(feed, []).extend(f"{table}.{c}" for c in added)
    return out
