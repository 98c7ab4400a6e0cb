-- The chart of the nightly job summary: orders and revenue per currency on the last 28
-- complete UTC days, with the anomaly flags (.github/workflows/nightly.yml runs
-- `dbt show --select daily_orders_last_28_days --output json`).
with

monitor as (

    select * from {{ ref('daily_order_monitor') }}

),

latest as (

    select max(date_day) as latest_day
    from monitor
    where is_latest_complete_day

)

select
    monitor.date_day,
    monitor.currency,
    monitor.orders,
    cast(monitor.revenue as text) as revenue,
    monitor.expected_orders,
    cast(monitor.expected_revenue as text) as expected_revenue,
    monitor.orders_score,
    monitor.revenue_score,
    monitor.is_latest_complete_day,
    monitor.is_judged,
    monitor.is_orders_anomaly,
    monitor.is_revenue_anomaly

from monitor
cross join latest
where monitor.date_day between latest.latest_day - 27 and latest.latest_day
order by monitor.date_day, monitor.currency
