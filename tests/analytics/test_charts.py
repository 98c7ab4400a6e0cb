"""The nightly job summary's charts, drawn by Mermaid in headless Chromium, show the marts'
numbers: orders and revenue of the 28 days up to the outage day, the outage marked."""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from tests.analytics.conftest import OUTAGE_DAY, REPO, Warehouse
from tests.workflow import mermaid_charts

NIGHTLY = (REPO / ".github" / "workflows" / "nightly.yml").read_text()
SHOW = ["--quiet", "show", "--select", "daily_orders_last_28_days", "--output", "json",
        "--limit", "1000"]

_spec = importlib.util.spec_from_file_location(
    "job_summary", REPO / ".github" / "scripts" / "job_summary.py")
assert _spec and _spec.loader
job_summary = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(job_summary)


def test_job_summary_chart_shows_the_marts(outage: Warehouse) -> None:
    # what the nightly workflow runs for the chart's data
    assert "dbt " + " ".join(SHOW) + " \\" in NIGHTLY
    shown = outage.dbt(*SHOW)
    assert shown.returncode == 0, shown.stdout[-3000:]
    daily = outage.tmp / "daily-orders.json"
    daily.write_text(shown.stdout)
    markdown = job_summary.render(outage.tmp / "run-summary.json",
                                  outage.tmp / "build_run_results.json", daily)
    (outage.tmp / "job-summary.md").write_text(markdown)

    # the marts: orders and revenue per day and currency, the 28 days up to the outage day
    days = [OUTAGE_DAY - timedelta(days=n) for n in range(27, -1, -1)]
    orders: dict = defaultdict(int)
    revenue: dict = defaultdict(Decimal)
    for day, currency, n, amount in outage.query("""
            select ordered_date, currency, count(*), sum(revenue_amount)
            from marts.order_summary where ordered_date between %s and %s
            group by 1, 2""", days[0], days[-1]):
        orders[day] += n
        revenue[currency, day] = amount
    expected = dict(outage.query("""
        select date_day, sum(expected_orders) from marts.daily_order_monitor
        where date_day between %s and %s group by 1""", days[0], days[-1]))

    sources = mermaid_charts.sources(markdown)
    titles = [s.splitlines()[1] for s in sources]
    span = f"{days[0]} to {days[-1]}"
    assert titles == [f'    title "Orders per UTC day, all currencies, {span}"',
                      *(f'    title "Revenue per UTC day, {c}, {span}"'
                        for c in ("EUR", "USD", "GBP"))]
    want_bars = [[float(orders[d]) for d in days]] + [
        [float(revenue.get((c, d), 0)) for d in days] for c in ("EUR", "USD", "GBP")]
    assert [mermaid_charts.series(s, "bar") for s in sources] == want_bars
    assert mermaid_charts.series(sources[0], "line") == [float(expected[d]) for d in days]
    assert orders[OUTAGE_DAY] == 0 and min(orders[d] for d in days[:-1]) > 100

    charts = mermaid_charts.render(markdown, "job-summary-orders-revenue.png")
    assert len(charts) == 4
    labels = [d.strftime("%d") for d in days[:-1]] + [OUTAGE_DAY.strftime("%d") + " ⚠"]
    for chart, source, bars in zip(charts, sources, want_bars, strict=True):
        assert chart["labels"] == labels
        assert chart["title"] == source.splitlines()[1].split('"')[1]
        mermaid_charts.assert_chart_shows(chart, bars, mermaid_charts.series(source, "line"))
    # the load table and the anomaly warning naming the day are in the same summary
    assert "| orders | " in markdown
    assert f"> Order anomaly on {OUTAGE_DAY} (latest complete UTC day): EUR orders 0" \
        in markdown
    assert json.loads(shown.stdout)["show"]
