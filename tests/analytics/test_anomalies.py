"""Anomaly warnings: an outage on OUTAGE_DAY warns on that day only; without it, 60 days
judged by the same detector raise nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.analytics.conftest import OUTAGE_DAY, Warehouse

TEST = "test.order_analytics.warn_daily_order_anomaly"
WINDOW = (OUTAGE_DAY - timedelta(days=59), OUTAGE_DAY)


def statuses(wh: Warehouse, build: bool = False) -> dict[str, str]:
    """Result status per node of the session's `dbt build`, or of the latest dbt command."""
    path = wh.tmp / ("build_run_results.json" if build else "target/run_results.json")
    results = json.loads(path.read_text())
    return {r["unique_id"]: r["status"] for r in results["results"]}


def anomalies(wh: Warehouse) -> list[tuple]:
    """Anomalous (day, currency, metric) among the 60 days ending on OUTAGE_DAY."""
    return wh.query("""
        select date_day, currency, metric from marts.daily_order_monitor
        cross join lateral (values ('orders', is_orders_anomaly),
                                   ('revenue', is_revenue_anomaly)) as flags (metric, flagged)
        where flagged and date_day between %s and %s
        order by 1, 2, 3""", *WINDOW)


def test_outage_warns_on_that_day_and_only_that_day(outage: Warehouse) -> None:
    # the nightly `dbt build` (as of the next night, 03:00 UTC) judged the outage day: warn,
    # and the build stayed green
    assert outage.build.returncode == 0
    assert statuses(outage, build=True)[TEST] == "warn"
    assert "Warning in test warn_daily_order_anomaly" in outage.build.stdout
    judged = outage.query("select date_day from marts.daily_order_monitor "
                          "where is_latest_complete_day")
    assert {day for (day,) in judged} == {OUTAGE_DAY}
    flagged = anomalies(outage)
    assert {day for day, _, _ in flagged} == {OUTAGE_DAY}
    # every currency with enough orders to judge dropped in orders and revenue
    assert {(c, m) for _, c, m in flagged} >= {("EUR", "orders"), ("EUR", "revenue"),
                                               ("USD", "orders"), ("USD", "revenue")}
    # the warning names the day: its rows, stored by the build (store_failures), and the
    # query dbt prints to see them
    stored = outage.query("select distinct date_day, currency "
                          "from dbt_test__audit.warn_daily_order_anomaly")
    assert {day for day, _ in stored} == {OUTAGE_DAY} and "EUR" in {c for _, c in stored}
    assert "dbt_test__audit" in outage.build.stdout
    # judging the day before instead (var anomaly_day) passes
    before = outage.dbt("test", "--select", "warn_daily_order_anomaly", "--vars",
                        json.dumps({"anomaly_day": str(OUTAGE_DAY - timedelta(days=1))}))
    assert before.returncode == 0 and statuses(outage)[TEST] == "pass", before.stdout[-3000:]


def test_sixty_quiet_days_raise_nothing(quiet: Warehouse) -> None:
    assert statuses(quiet, build=True)[TEST] == "pass"
    judged = quiet.query("""
        select currency, count(*) filter (where is_judged) from marts.daily_order_monitor
        where date_day between %s and %s group by currency""", *WINDOW)
    assert dict(judged)["EUR"] == dict(judged)["USD"] == 60
    assert anomalies(quiet) == []
    # the dbt test, run on the first and the last of those days through the var, passes too
    for day in WINDOW:
        run = quiet.dbt("test", "--select", "warn_daily_order_anomaly", "--vars",
                        json.dumps({"anomaly_day": str(day)}))
        assert run.returncode == 0 and statuses(quiet)[TEST] == "pass", run.stdout[-3000:]
