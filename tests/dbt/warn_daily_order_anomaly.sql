-- Warns (the build stays green) when orders or revenue of a currency on the judged UTC day
-- drop or spike beyond the threshold (daily_order_monitor, docs/analysts.md). The judged day
-- is the latest complete day, or var `anomaly_day` (YYYY-MM-DD). The failing rows (day,
-- currency, values, scores) are stored in dbt_test__audit.warn_daily_order_anomaly:
--   dbt test --select warn_daily_order_anomaly --vars '{anomaly_day: "2026-11-20"}'
{{ config(severity='warn', store_failures=true) }}

select
    date_day,
    currency,
    orders,
    expected_orders,
    orders_score,
    revenue,
    expected_revenue,
    revenue_score

from {{ ref('daily_order_monitor') }}
where
    (is_orders_anomaly or is_revenue_anomaly)
    {% if var('anomaly_day', none) -%}
        and date_day = cast('{{ var("anomaly_day") }}' as date)
    {%- else -%}
        and is_latest_complete_day
    {%- endif %}
