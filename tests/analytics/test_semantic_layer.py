"""The semantic layer answers (`mf query`) equal direct SQL on the marts, to the cent."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.analytics.conftest import Warehouse

Row = tuple


def _key(value: object) -> str | None:
    """A group-by value as text: days as YYYY-MM-DD, null as None."""
    if value is None or value == "":
        return None
    text = str(value)
    return text[:10] if text[:4].isdigit() and text[4:5] == "-" else text


def _number(value: object, places: int | None) -> Decimal:
    """A metric value; empty (no row for that metric) is 0. Exact unless `places` is given."""
    number = Decimal(0) if value is None or value == "" else Decimal(str(value))
    return number if places is None else round(number, places)


def mf_rows(wh: Warehouse, metrics: list[str], group_by: list[str],
            places: dict[str, int]) -> dict[tuple, tuple]:
    rows = wh.mf_query("--metrics", ",".join(metrics), "--group-by", ",".join(group_by))
    return {tuple(_key(r[g]) for g in group_by):
            tuple(_number(r[m], places.get(m)) for m in metrics) for r in rows}


def sql_rows(wh: Warehouse, sql: str, n_keys: int, metrics: list[str],
             places: dict[str, int]) -> dict[tuple, tuple]:
    return {tuple(_key(v) for v in row[:n_keys]):
            tuple(_number(v, places.get(m)) for v, m in zip(row[n_keys:], metrics, strict=True))
            for row in wh.query(sql)}


def test_mf_validate_configs_passes_offline(quiet: Warehouse) -> None:
    """`mf validate-configs --skip-dw` against the session's dbt target (no warehouse query)."""
    project = quiet.tmp / "mf-project"
    quiet.mf_query("--metrics", "orders", "--limit", "1")  # creates the project of symlinks
    done = subprocess.run([str(Path(sys.executable).with_name("mf")), "validate-configs",
                           "--skip-dw"], cwd=project, capture_output=True, text=True,
                          env={**quiet.env, "DBT_PROFILES_DIR": str(quiet.tmp / "profiles")},
                          timeout=300)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "ERRORS: 0" in done.stdout


def test_orders_and_revenue_by_day_and_currency_equal_order_summary(quiet: Warehouse) -> None:
    """The issue's acceptance query, against summing marts.order_summary by day and currency."""
    metrics = ["orders", "revenue"]
    got = mf_rows(quiet, metrics, ["metric_time__day", "order__currency"], {})
    want = sql_rows(quiet, """
        select ordered_date, currency, count(*), sum(revenue_amount)
        from marts.order_summary group by ordered_date, currency""", 2, metrics, {})
    assert len(want) > 250
    assert got == want
    assert sum(v[1] for v in got.values()) == \
        quiet.query("select sum(revenue_amount) from marts.order_summary")[0][0]


CASES = {
    "revenue and AOV by month and currency": (
        ["revenue", "average_order_value"], ["metric_time__month", "order__currency"],
        """select date_trunc('month', ordered_date), currency, sum(revenue_amount),
                  avg(order_total) filter (where counts_as_revenue)
           from marts.order_summary group by 1, 2"""),
    "orders and customers by shipping country": (
        ["orders", "customers"], ["shipping_location__country_code"],
        """select shipping_country_code, count(*), count(distinct user_id)
           from marts.order_summary group by 1"""),
    "items sold by the order's shipping country": (
        ["items_sold"], ["order__shipping_location__country_code"],
        """select shipping_country_code, sum(quantity_total)
           from marts.order_summary group by 1"""),
    "revenue and customers by loyalty tier at order time and currency": (
        ["revenue", "customers"], ["buyer__loyalty_tier", "order__currency"],
        """select user_loyalty_tier, currency, sum(revenue_amount), count(distinct user_id)
           from marts.order_summary group by 1, 2"""),
    "items sold per day": (
        ["items_sold"], ["metric_time__day"],
        """select cast(ordered_at at time zone 'UTC' as date), sum(quantity)
           from marts.fct_order_items where not is_order_deleted group by 1"""),
    "cancellation rate by device platform and status": (
        ["orders", "cancellation_rate"], ["device__platform"],
        """select device_platform, count(*), avg((status = 'cancelled')::int)
           from marts.order_summary group by 1"""),
    "repeat customer rate by month": (
        ["customers", "repeat_customer_rate"], ["metric_time__month"],
        """with orders as (
               select user_id, ordered_date, exists (
                   select 1 from marts.order_summary as earlier
                   where earlier.user_id = o.user_id
                     and (earlier.ordered_at, earlier.order_id) < (o.ordered_at, o.order_id)
               ) as is_repeat
               from marts.order_summary as o)
           select date_trunc('month', ordered_date), count(distinct user_id),
                  count(distinct user_id) filter (where is_repeat)::numeric
                  / count(distinct user_id)
           from orders group by 1"""),
    "orders and revenue by status": (
        ["orders", "revenue"], ["order__status"],
        """select status, count(*), sum(revenue_amount) from marts.order_summary group by 1"""),
}
RATES = {"average_order_value": 6, "cancellation_rate": 9, "repeat_customer_rate": 9}


@pytest.mark.parametrize("case", list(CASES))
def test_mf_query_equals_sql_on_the_marts(quiet: Warehouse, case: str) -> None:
    metrics, group_by, sql = CASES[case]
    got = mf_rows(quiet, metrics, group_by, RATES)
    want = sql_rows(quiet, sql, len(group_by), metrics, RATES)
    assert len(want) >= 2
    assert got == want
