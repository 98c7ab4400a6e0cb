"""The nightly job summary (.github/scripts/job_summary.py) from sample loader/dbt outputs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / ".github" / "scripts" / "job_summary.py"

_spec = importlib.util.spec_from_file_location("job_summary", SCRIPT)
assert _spec and _spec.loader
job_summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(job_summary)


def feed(records: int, new_versions: int, rejected: int, new_columns: list[str],
         **extra: object) -> dict:
    return {"pages": 1, "records": records, "loaded": records - rejected, "rejected": rejected,
            "new_versions": new_versions, "new_line_items": 0, "new_columns": new_columns,
            "retries": 0, "requested_since": "2026-11-19T23:50:00+00:00", "duration_s": 1.5,
            **extra}


LOADER = {
    "source": "https://orders.example-shop.com into 127.0.0.1:5432/order_analytics",
    "load_ids": ["1763856000.123", "1763856001.456"],
    "duration_s": 42.25,
    "feeds": {
        "orders": feed(5120, 5003, 2, [], new_line_items=11873),
        "users": feed(1000, 998, 0, ["referral_code", "locale"]),
        "products": feed(80, 0, 1, []),
    },
}


def result(unique_id: str, status: str, message: str | None = None) -> dict:
    return {"unique_id": unique_id, "status": status, "message": message,
            "execution_time": 0.1, "failures": None, "timing": [], "thread_id": "Thread-1"}


RUN_RESULTS = {
    "metadata": {"dbt_version": "1.11.16"},
    "elapsed_time": 63.4,
    "args": {"which": "build"},
    "results": [
        result("model.order_analytics.fct_orders", "success", "SELECT 5003"),
        result("model.order_analytics.dim_users", "success", "SELECT 1200"),
        result("seed.order_analytics.countries", "success", "INSERT 250"),
        result("snapshot.order_analytics.users_snapshot", "success", "INSERT 0 998"),
        result("test.order_analytics.unique_fct_orders_order_id.1a2b", "pass"),
        result("test.order_analytics.assert_order_totals_equal_sum_of_items", "fail",
               "Got 3 results, configured to fail if != 0"),
        result("test.order_analytics.not_null_dim_users_email.9f", "warn",
               "Got 1 result, configured to warn if != 0"),
        result("model.order_analytics.order_summary", "error",
               "Database Error in model order_summary\n  relation does not exist"),
        result("model.order_analytics.dim_dates", "skipped"),
        result("test.order_analytics.unique_order_summary_order_id.77", "skipped"),
    ],
}


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path]:
    loader = tmp_path / "run-summary.json"
    loader.write_text(json.dumps(LOADER))
    results = tmp_path / "run_results.json"
    results.write_text(json.dumps(RUN_RESULTS))
    return loader, results


def test_loader_table_rows(inputs: tuple[Path, Path]) -> None:
    lines = job_summary.render(*inputs).splitlines()
    start = lines.index("| feed | records | new versions | rejected | new columns |")
    assert lines[start:start + 6] == [
        "| feed | records | new versions | rejected | new columns |",
        "| --- | ---: | ---: | ---: | --- |",
        "| orders | 5120 | 5003 | 2 | - |",
        "| users | 1000 | 998 | 0 | `referral_code`, `locale` |",
        "| products | 80 | 0 | 1 | - |",
        "| **total** | 6200 | 6001 | 3 | |",
    ]
    text = "\n".join(lines)
    assert ("Source: https://orders.example-shop.com into 127.0.0.1:5432/order_analytics, "
            "42.2 s, load ids: 1763856000.123, 1763856001.456") in text
    assert "3 record(s) broke the contract" in text
    assert "`users.referral_code`, `users.locale`" in text


def test_dbt_counts_and_failures(inputs: tuple[Path, Path]) -> None:
    lines = job_summary.render(*inputs).splitlines()
    start = lines.index("| pass | warn | error | skip |")
    assert lines[start - 2] == "`dbt build`: 63.4 s"
    assert lines[start:start + 3] == [
        "| pass | warn | error | skip |",
        "| ---: | ---: | ---: | ---: |",
        "| 5 | 1 | 2 | 2 |",
    ]
    start = lines.index("| node | status | message |")
    assert lines[start:start + 5] == [
        "| node | status | message |",
        "| --- | --- | --- |",
        "| `model.order_analytics.order_summary` | error | "
        "Database Error in model order_summary |",
        "| `test.order_analytics.assert_order_totals_equal_sum_of_items` | fail | "
        "Got 3 results, configured to fail if != 0 |",
        "| `test.order_analytics.not_null_dim_users_email.9f` | warn | "
        "Got 1 result, configured to warn if != 0 |",
    ]


def test_clean_run_has_no_warnings_or_failure_list(tmp_path: Path) -> None:
    loader = tmp_path / "run-summary.json"
    loader.write_text(json.dumps({**LOADER, "feeds": {"orders": feed(10, 10, 0, [])}}))
    results = tmp_path / "run_results.json"
    results.write_text(json.dumps({**RUN_RESULTS, "results": RUN_RESULTS["results"][:5]}))
    text = job_summary.render(loader, results)
    assert "| orders | 10 | 10 | 0 | - |" in text.splitlines()
    assert "| 5 | 0 | 0 | 0 |" in text.splitlines()
    for absent in ("WARNING", "NOTE", "| node | status | message |"):
        assert absent not in text


def test_exposures_are_not_counted() -> None:
    results = {**RUN_RESULTS, "results": [
        result("model.order_analytics.fct_orders", "success"),
        result("exposure.order_analytics.analyst_docs_site", "no-op", "NO-OP")]}
    assert "| 1 | 0 | 0 | 0 |" in job_summary.dbt_section(results)


def test_missing_inputs_are_reported_not_fatal(tmp_path: Path) -> None:
    broken = tmp_path / "run_results.json"
    broken.write_text("{not json")
    text = job_summary.render(tmp_path / "missing.json", broken)
    assert f"No loader summary (`{tmp_path / 'missing.json'}` not found)." in text
    assert f"No dbt run results (`{broken}` unreadable:" in text


def test_pipe_in_values_is_escaped() -> None:
    results = {**RUN_RESULTS, "results": [result("model.x.y", "error", "a | b")]}
    assert "| `model.x.y` | error | a \\| b |" in job_summary.dbt_section(results)


def test_cli_appends_to_github_step_summary(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "step_summary.md"
    out.write_text("earlier step\n")
    loader, results = inputs
    done = subprocess.run([sys.executable, str(SCRIPT), "--loader", str(loader),
                           "--run-results", str(results)],
                          env={"GITHUB_STEP_SUMMARY": str(out), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = out.read_text()
    assert text.startswith("earlier step\n## Nightly ELT run\n")
    assert "| orders | 5120 | 5003 | 2 | - |" in text


def test_real_loader_summary_shape_is_accepted() -> None:
    """The loader's own dataclasses produce JSON the script reads."""
    run_summary = pytest.importorskip("run_summary")
    summary = run_summary.RunSummary(source="simulator", load_ids=["1"], duration_s=1.0)
    summary.feeds["orders"] = run_summary.FeedSummary(records=3, new_versions=2, rejected=1,
                                                      new_columns=["gift_note"])
    lines = job_summary.loader_section(summary.to_json())
    assert "| orders | 3 | 2 | 1 | `gift_note` |" in lines


def day_row(day: str, currency: str, orders: int, revenue: str, *, expected: float = 10,
            anomaly: bool = False, latest: bool = False) -> dict:
    return {"date_day": day, "currency": currency, "orders": orders, "revenue": revenue,
            "expected_orders": expected, "expected_revenue": "100.00", "orders_score": -5.1,
            "revenue_score": -4.2, "is_latest_complete_day": latest, "is_judged": True,
            "is_orders_anomaly": anomaly, "is_revenue_anomaly": False}


DAILY = {"node": "daily_orders_last_28_days", "show": [
    day_row("2026-11-19", "EUR", 12, "120.50"), day_row("2026-11-19", "USD", 3, "30.25"),
    day_row("2026-11-20", "EUR", 0, "0.00", anomaly=True, latest=True),
    day_row("2026-11-20", "USD", 4, "41.10", latest=True),
]}


def test_daily_charts_and_anomaly_line(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    daily = tmp_path / "daily-orders.json"
    daily.write_text(json.dumps(DAILY))
    text = job_summary.render(*inputs, daily)
    lines = text.splitlines()
    # the load table stays, the charts come after it
    assert lines.index("| orders | 5120 | 5003 | 2 | - |") < \
        lines.index("### Orders and revenue, last 28 days")
    assert ("> Order anomaly on 2026-11-20 (latest complete UTC day): EUR orders 0 "
            "(expected 10, score -5.1).") in lines
    assert text.count("```mermaid\nxychart-beta\n") == 3
    span = "2026-11-19 to 2026-11-20"
    assert f'    title "Orders per UTC day, all currencies, {span}"' in lines
    assert '    x-axis ["19", "20 ⚠"]' in lines
    assert "    bar [15, 4]" in lines and "    line [20, 20]" in lines
    eur = lines.index(f'    title "Revenue per UTC day, EUR, {span}"')
    assert lines[eur + 3:eur + 5] == ["    bar [120.5, 0]", "    line [100, 100]"]
    assert lines.index(f'    title "Revenue per UTC day, USD, {span}"') > eur


def test_daily_quiet_day_and_missing_file(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    quiet = {"show": [{**r, "is_orders_anomaly": False} for r in DAILY["show"]]}
    daily = tmp_path / "daily-orders.json"
    daily.write_text(json.dumps(quiet))
    text = job_summary.render(*inputs, daily)
    assert "No order anomaly on 2026-11-20 (latest complete UTC day)." in text
    assert "WARNING]\n> Order anomaly" not in text and "⚠\"" not in text
    missing = job_summary.render(*inputs, tmp_path / "none.json")
    assert f"No daily orders (`{tmp_path / 'none.json'}` not found)." in missing
