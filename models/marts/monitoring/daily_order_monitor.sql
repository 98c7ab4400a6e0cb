-- Orders and revenue per UTC day and currency against the same weekday of the four weeks
-- before (the anomaly detector behind the warning test warn_daily_order_anomaly; method and
-- threshold in docs/analysts.md):
-- * expected value: the median of the 4 prior same-weekday values (weekday seasonality),
--   revenue to the cent;
-- * spread: 1.4826 x their median absolute deviation (MAD), at least the Poisson spread of
--   the expected number of orders (sqrt(expected)), and for revenue at least
--   expected revenue x sqrt(2 / expected orders) (a sum of that many order totals);
-- * score: (value - expected) / spread; a complete day with >= anomaly_min_orders expected
--   orders and |score| > anomaly_threshold is an anomaly (a drop or a spike).
-- Days without orders count as 0 (an outage is a day of zeros, not a missing row). The last
-- day with order activity is still in progress and is never judged. The orders are read per
-- day (int_orders_aggregated_to_days), not one by one.
{%- set threshold = var('anomaly_threshold', 4) %}
{%- set min_orders = var('anomaly_min_orders', 20) %}

with

days_orders as (

    select * from {{ ref('int_orders_aggregated_to_days') }}

),

statuses as (

    select * from {{ ref('order_statuses') }}

),

-- live orders (order_summary's rows) and their revenue, per day, currency and status
live_orders as (

    select
        days_orders.ordered_date,
        days_orders.currency,
        days_orders.order_count,
        case
            when statuses.counts_as_revenue then days_orders.order_total else 0
        end as revenue

    from days_orders
    left join statuses
        on days_orders.status = statuses.status
    where not days_orders.is_deleted

),

activity as (

    select
        (select min(live_orders.ordered_date) as first_order_day from live_orders)
            as first_day,
        {{ utc_date('max(days_orders.last_activity_at)') }} as in_progress_day

    from days_orders

),

days as (

    select dates.date_day
    from {{ ref('dim_dates') }} as dates
    inner join activity
        on dates.date_day between activity.first_day and activity.in_progress_day

),

currencies as (

    select distinct currency from live_orders

),

daily as (

    select
        ordered_date as date_day,
        currency,
        cast(sum(order_count) as bigint) as orders,
        sum(revenue) as revenue

    from live_orders
    group by ordered_date, currency

),

series as (

    select
        days.date_day,
        currencies.currency,
        coalesce(daily.orders, 0) as orders,
        coalesce(daily.revenue, 0) as revenue

    from days
    cross join currencies
    left join daily
        on
            days.date_day = daily.date_day
            and currencies.currency = daily.currency

),

weeks_before as (

    select 7 as days_back
    union all
    select 14 as days_back
    union all
    select 21 as days_back
    union all
    select 28 as days_back

),

-- the values of the same weekday 1 to 4 weeks before each day: series has a row for every
-- day and currency, so n rows back in a currency's days is n days back (a window over the
-- days; a join of the series with itself would grow with the square of the days)
history as (

    select
        series.date_day,
        series.currency,
        case weeks_before.days_back
            when 7 then lag(series.orders, 7) over currency_days
            when 14 then lag(series.orders, 14) over currency_days
            when 21 then lag(series.orders, 21) over currency_days
            else lag(series.orders, 28) over currency_days
        end as orders,
        case weeks_before.days_back
            when 7 then lag(series.revenue, 7) over currency_days
            when 14 then lag(series.revenue, 14) over currency_days
            when 21 then lag(series.revenue, 21) over currency_days
            else lag(series.revenue, 28) over currency_days
        end as revenue

    from series
    cross join weeks_before
    window currency_days as (
        partition by weeks_before.days_back, series.currency order by series.date_day
    )

),

medians as (

    select
        date_day,
        currency,
        count(*) as history_days,
        percentile_cont(0.5) within group (order by orders) as expected_orders,
        -- in whole cents, half a cent up: percentile_cont computes in floating point, where
        -- a median of cents is exact (k or k + 0.5) on every engine; of amounts, it is not
        floor(
            percentile_cont(0.5) within group (order by revenue * 100) + 0.5
        ) / 100 as expected_revenue

    from history
    where orders is not null  -- none before the first day
    group by date_day, currency

),

-- the medians with the spread around them
spreads as (

    select
        medians.date_day,
        medians.currency,
        medians.history_days,
        medians.expected_orders,
        medians.expected_revenue,
        greatest(
            1.4826 * percentile_cont(0.5) within group (
                order by abs(history.orders - medians.expected_orders)
            ),
            sqrt(greatest(medians.expected_orders, 1))
        ) as orders_spread,
        greatest(
            1.4826 * percentile_cont(0.5) within group (
                order by abs(history.revenue - medians.expected_revenue)
            ),
            medians.expected_revenue * sqrt(2.0 / greatest(medians.expected_orders, 1))
        ) as revenue_spread

    from medians
    inner join history
        on
            medians.date_day = history.date_day
            and medians.currency = history.currency
    group by
        medians.date_day,
        medians.currency,
        medians.history_days,
        medians.expected_orders,
        medians.expected_revenue

),

scored as (

    select
        series.date_day,
        series.currency,
        series.orders,
        series.revenue,
        spreads.expected_orders,
        spreads.expected_revenue,
        (series.orders - spreads.expected_orders) / spreads.orders_spread as orders_score,
        (series.revenue - spreads.expected_revenue)
        / nullif(spreads.revenue_spread, 0) as revenue_score,
        series.date_day < activity.in_progress_day as is_complete_day,
        series.date_day = activity.in_progress_day - 1 as is_latest_complete_day,
        coalesce(
            series.date_day < activity.in_progress_day
            and spreads.history_days = 4
            and spreads.expected_orders >= {{ min_orders }},
            false
        ) as is_judged

    from series
    cross join activity
    left join spreads
        on
            series.date_day = spreads.date_day
            and series.currency = spreads.currency

)

select
    date_day,
    currency,
    orders,
    cast(revenue as decimal(14, 2)) as revenue,
    cast(expected_orders as decimal(12, 1)) as expected_orders,
    cast(expected_revenue as decimal(14, 2)) as expected_revenue,
    cast(orders_score as decimal(8, 2)) as orders_score,
    cast(revenue_score as decimal(8, 2)) as revenue_score,
    is_complete_day,
    is_latest_complete_day,
    is_judged,
    is_judged and abs(orders_score) > {{ threshold }} as is_orders_anomaly,
    is_judged and abs(revenue_score) > {{ threshold }} as is_revenue_anomaly

from scored
