"""Write the nightly run's GitHub job summary (markdown) from the loader and dbt outputs.

    python .github/scripts/job_summary.py --loader .local/run-summary.json \
        --run-results target/run_results.json [--daily .local/daily-orders.json] \
        [--out "$GITHUB_STEP_SUMMARY"]

--daily is the JSON of `dbt show --select daily_orders_last_28_days --output json` (orders
and revenue per currency on the last 28 complete UTC days, from daily_order_monitor): drawn
as Mermaid `xychart-beta` charts (GitHub renders them in job summaries), the anomalies marked
with a warning sign on the day's label and a warning line.

Missing or unreadable inputs are reported in the summary instead of failing the step (it
runs with `if: always()`, also after a failed load or build). Output is appended to --out
(default: $GITHUB_STEP_SUMMARY, else stdout).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DBT_STATUSES = ("pass", "warn", "error", "skip")
# dbt statuses per node type: models/seeds/snapshots say success/error/skipped, tests
# pass/fail/warn/error/skipped. Both are counted in four buckets.
# Anything unknown counts as an error.
_BUCKET = {"success": "pass", "pass": "pass", "warn": "warn", "partial success": "warn",
           "error": "error", "fail": "error", "runtime error": "error",
           "skipped": "skip", "skip": "skip", "no-op": "skip"}


def bucket(status: Any) -> str:
    return _BUCKET.get(str(status).lower(), "error")


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _load_json(path: Path | None) -> tuple[Any, str | None]:
    if path is None:
        return None, "not given"
    try:
        return json.loads(path.read_text()), None
    except FileNotFoundError:
        return None, f"`{path}` not found"
    except (OSError, ValueError) as exc:
        return None, f"`{path}` unreadable: {exc}"


def loader_section(summary: dict[str, Any] | None, problem: str | None = None) -> list[str]:
    lines = ["### Order API load", ""]
    if summary is None:
        return lines + [f"No loader summary ({problem}).", ""]
    load_ids = ", ".join(summary.get("load_ids") or []) or "-"
    lines += [f"Source: {_cell(summary.get('source', '?'))}, "
              f"{float(summary.get('duration_s') or 0):.1f} s, load ids: {load_ids}", "",
              "| feed | records | new versions | rejected | new columns |",
              "| --- | ---: | ---: | ---: | --- |"]
    feeds = summary.get("feeds") or {}
    for name, feed in feeds.items():
        columns = ", ".join(f"`{c}`" for c in feed.get("new_columns") or []) or "-"
        lines.append(f"| {_cell(name)} | {feed.get('records', 0)} | "
                     f"{feed.get('new_versions', 0)} | {feed.get('rejected', 0)} | {columns} |")
    if feeds:
        total = {k: sum(int(f.get(k) or 0) for f in feeds.values())
                 for k in ("records", "new_versions", "rejected")}
        lines.append(f"| **total** | {total['records']} | {total['new_versions']} | "
                     f"{total['rejected']} | |")
    lines.append("")
    rejected = sum(int(f.get("rejected") or 0) for f in feeds.values())
    if rejected:
        lines += [f"> [!WARNING]\n> {rejected} record(s) broke the contract and were "
                  "quarantined in `raw.rejected_records`.", ""]
    new_columns = [f"{n}.{c}" for n, f in feeds.items() for c in f.get("new_columns") or []]
    if new_columns:
        lines += ["> [!NOTE]\n> New API field(s) became new raw column(s): "
                  + ", ".join(f"`{c}`" for c in new_columns) + ".", ""]
    return lines


def dbt_counts(run_results: dict[str, Any]) -> Counter[str]:
    """Results per bucket; exposures (listed by `dbt build` as no-op: nothing runs) are not
    counted."""
    counts: Counter[str] = Counter({s: 0 for s in DBT_STATUSES})
    for result in run_results.get("results") or []:
        if not str(result.get("unique_id", "")).startswith("exposure."):
            counts[bucket(result.get("status"))] += 1
    return counts


def dbt_section(run_results: dict[str, Any] | None, problem: str | None = None) -> list[str]:
    lines = ["### dbt", ""]
    if run_results is None:
        return lines + [f"No dbt run results ({problem}).", ""]
    command = " ".join(["dbt", (run_results.get("args") or {}).get("which") or ""]).strip()
    elapsed = float(run_results.get("elapsed_time") or 0)
    counts = dbt_counts(run_results)
    lines += [f"`{command}`: {elapsed:.1f} s", "",
              "| pass | warn | error | skip |", "| ---: | ---: | ---: | ---: |",
              "| " + " | ".join(str(counts[s]) for s in DBT_STATUSES) + " |", ""]
    problems = [r for r in run_results.get("results") or []
                if bucket(r.get("status")) in ("error", "warn")]
    problems.sort(key=lambda r: (bucket(r.get("status")) != "error", r.get("unique_id", "")))
    if problems:
        lines += ["Failures and warnings:", "", "| node | status | message |",
                  "| --- | --- | --- |"]
        for r in problems:
            message = (r.get("message") or "").strip().splitlines()
            lines.append(f"| `{_cell(r.get('unique_id', '?'))}` | {_cell(r.get('status'))} | "
                         f"{_cell(message[0] if message else '')} |")
        lines.append("")
    return lines


ANOMALY_MARK = "⚠"


def _number(value: Any) -> float:
    return float(value or 0)


def xychart(title: str, labels: list[str], bars: list[float], line: list[float],
            axis: str) -> list[str]:
    """A Mermaid xychart: bars (the values) and a line (the expected values)."""
    def values(series: list[float]) -> str:
        return "[" + ", ".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in series) + "]"

    return ["```mermaid", "xychart-beta",
            f'    title "{title}"',
            "    x-axis [" + ", ".join(f'"{label}"' for label in labels) + "]",
            f'    y-axis "{axis}" 0 --> {math.ceil(max([*bars, *line, 1]) * 1.1)}',
            f"    bar {values(bars)}",
            f"    line {values(line)}",
            "```", ""]


def daily_section(daily: dict[str, Any] | None, problem: str | None = None) -> list[str]:
    """Orders (all currencies) and revenue per currency of the last 28 days, as charts."""
    lines = ["### Orders and revenue, last 28 days", ""]
    rows = (daily or {}).get("show")
    if not rows:
        return lines + [f"No daily orders ({problem or 'no rows'}).", ""]
    days = sorted({r["date_day"] for r in rows})
    flagged = [r for r in rows if r.get("is_orders_anomaly") or r.get("is_revenue_anomaly")]
    marked = {r["date_day"] for r in flagged}
    # day of the month only: 28 dates side by side would overlap (the titles give the range)
    labels = [d[8:] + (f" {ANOMALY_MARK}" if d in marked else "") for d in days]
    span = f"{days[0]} to {days[-1]}"
    latest = next((r["date_day"] for r in rows if r.get("is_latest_complete_day")), days[-1])
    latest_flags = [r for r in flagged if r["date_day"] == latest]
    if latest_flags:
        parts = []
        for r in latest_flags:
            if r.get("is_orders_anomaly"):
                parts.append(f"{r['currency']} orders {r['orders']} (expected "
                             f"{_number(r['expected_orders']):g}, score {r['orders_score']})")
            if r.get("is_revenue_anomaly"):
                parts.append(f"{r['currency']} revenue {_number(r['revenue']):.2f} (expected "
                             f"{_number(r['expected_revenue']):.2f}, score {r['revenue_score']})")
        lines += [f"> [!WARNING]\n> Order anomaly on {latest} (latest complete UTC day): "
                  + "; ".join(parts) + ".", ""]
    else:
        lines += [f"No order anomaly on {latest} (latest complete UTC day).", ""]
    lines += [f"Bars: the day's value; line: expected (median of the same weekday in the 4 "
              f"weeks before); {ANOMALY_MARK}: an anomaly that day (docs/analysts.md).", ""]
    by_day: dict[str, list[dict[str, Any]]] = {d: [] for d in days}
    for r in rows:
        by_day[r["date_day"]].append(r)
    lines += xychart(f"Orders per UTC day, all currencies, {span}", labels,
                     [sum(_number(r["orders"]) for r in by_day[d]) for d in days],
                     [sum(_number(r["expected_orders"]) for r in by_day[d]) for d in days],
                     "orders")
    currencies = sorted({r["currency"] for r in rows},
                        key=lambda c: -sum(_number(r["revenue"]) for r in rows
                                           if r["currency"] == c))
    for currency in currencies:
        cells = {r["date_day"]: r for r in rows if r["currency"] == currency}
        lines += xychart(f"Revenue per UTC day, {currency}, {span}", labels,
                         [_number(cells.get(d, {}).get("revenue")) for d in days],
                         [_number(cells.get(d, {}).get("expected_revenue")) for d in days],
                         currency)
    return lines


def render(summary_path: Path | None, run_results_path: Path | None,
           daily_path: Path | None = None) -> str:
    summary, summary_problem = _load_json(summary_path)
    results, results_problem = _load_json(run_results_path)
    lines = ["## Nightly ELT run", ""]
    lines += loader_section(summary, summary_problem)
    if daily_path is not None:
        lines += daily_section(*_load_json(daily_path))
    lines += dbt_section(results, results_problem)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--loader", type=Path, help="the loader's --summary-json file")
    p.add_argument("--run-results", type=Path, help="dbt's target/run_results.json")
    p.add_argument("--daily", type=Path,
                   help="`dbt show --select daily_orders_last_28_days --output json` output")
    p.add_argument("--out", type=Path, default=os.environ.get("GITHUB_STEP_SUMMARY") or None,
                   help="file to append to (default: $GITHUB_STEP_SUMMARY, else stdout)")
    args = p.parse_args(argv)
    text = render(args.loader, args.run_results, args.daily) + "\n"
    if args.out:
        with open(args.out, "a", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
