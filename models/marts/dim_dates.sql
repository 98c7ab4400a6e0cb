-- Calendar (UTC days) covering whole years from the first to the last order activity.
with

orders as (

    select * from {{ ref('base_order_api__order_versions') }}

),

bounds as (

    -- the days of the first and last instants (min and max through the indexes on
    -- ordered_at and updated_at, not a scan of every version)
    select
        cast(date_trunc('year', {{ utc_date('min(ordered_at)') }}) as date) as first_day,
        {{ last_day_of_year(
            utc_date('greatest(max(ordered_at), max(updated_at))')
        ) }} as last_day

    from orders

),

days as (

    {{ days_between('bounds', 'first_day', 'last_day') }}

)

select
    date_day,
    {{ utc_date_key('date_day') }} as date_key,
    {{ date_part_of('year', 'date_day') }} as year_number,
    {{ date_part_of('quarter', 'date_day') }} as quarter_number,
    {{ date_part_of('month', 'date_day') }} as month_number,
    {{ date_part_of('day', 'date_day') }} as day_of_month,
    {{ date_part_of('isodow', 'date_day') }} as day_of_week,
    {{ date_part_of('week', 'date_day') }} as iso_week_number,
    cast(date_trunc('month', date_day) as date) as first_day_of_month,
    {{ date_name('month', 'date_day') }} as month_name,
    {{ date_name('day', 'date_day') }} as day_name,
    {{ date_part_of('isodow', 'date_day') }} in (6, 7) as is_weekend

from days
