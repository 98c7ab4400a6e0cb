-- Calendar (UTC days) covering whole years from the first to the last order activity.
with

orders as (

    select * from {{ ref('stg_order_api__order_versions') }}

),

bounds as (

    select
        cast(date_trunc('year', min(ordered_at at time zone 'UTC')) as date) as first_day,
        cast(
            date_trunc('year', max(greatest(ordered_at, updated_at) at time zone 'UTC'))
            + interval '1 year - 1 day' as date
        ) as last_day

    from orders

),

days as (

    select cast(series.day_ts as date) as date_day
    from bounds
    cross join lateral generate_series(
        bounds.first_day, bounds.last_day, interval '1 day'
    ) as series (day_ts)

)

select
    date_day,
    cast(to_char(date_day, 'YYYYMMDD') as integer) as date_key,
    cast(date_part('year', date_day) as integer) as year_number,
    cast(date_part('quarter', date_day) as integer) as quarter_number,
    cast(date_part('month', date_day) as integer) as month_number,
    cast(date_part('day', date_day) as integer) as day_of_month,
    cast(date_part('isodow', date_day) as integer) as day_of_week,
    cast(date_part('week', date_day) as integer) as iso_week_number,
    cast(date_trunc('month', date_day) as date) as first_day_of_month,
    trim(to_char(date_day, 'Month')) as month_name,
    trim(to_char(date_day, 'Day')) as day_name,
    date_part('isodow', date_day) in (6, 7) as is_weekend

from days
