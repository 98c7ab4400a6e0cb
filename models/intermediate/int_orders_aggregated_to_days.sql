-- depends_on: {{ ref('fct_order_status_history') }}
{{
    config(
        unique_key='ordered_date_key',
        indexes=[{'columns': ['ordered_date_key']}, {'columns': ['built_at']}],
        post_hook="{{ remove_cleared_days() }}",
    )
}}

-- Orders per UTC day they were placed, currency, status and deletion flag: their count, the
-- sum of their order_total and their latest activity. daily_order_monitor reads these few
-- thousand rows instead of every order.
-- Incremental (delete+insert on ordered_date_key): the days of the orders rewritten in
-- fct_orders since the last build are rebuilt whole, from all their orders; so are the days
-- those orders were on before, since the API may move an order's created_at (any day an
-- order was ever on is in its versions, fct_order_status_history).
with

{% if is_incremental() -%}

    rebuilt_orders as (

        select
            fct_orders.order_id,
            fct_orders.ordered_date_key

        from {{ ref('fct_orders') }} as fct_orders
        where {{ built_after_last_build('fct_orders.built_at') }}

    ),

    days_to_build as (

        select rebuilt_orders.ordered_date_key
        from rebuilt_orders

        union

        select {{ utc_date_key('versions.ordered_at') }} as ordered_date_key
        from {{ ref('fct_order_status_history') }} as versions
        inner join rebuilt_orders
            on versions.order_id = rebuilt_orders.order_id

    ),

{%- endif %}

orders as (

    select
        ordered_date_key,
        {{ utc_date('ordered_at') }} as ordered_date,
        currency,
        status,
        is_deleted,
        order_total,
        greatest(ordered_at, updated_at) as activity_at

    from {{ ref('fct_orders') }}
    {% if is_incremental() -%}
        where ordered_date_key in (select days_to_build.ordered_date_key from days_to_build)
    {%- endif %}

),

aggregated as (

    select
        ordered_date_key,
        ordered_date,
        currency,
        status,
        is_deleted,
        count(*) as order_count,
        sum(order_total) as order_total,
        max(activity_at) as last_activity_at,
        {{ build_stamp() }} as built_at

    from orders
    group by ordered_date_key, ordered_date, currency, status, is_deleted

)

select * from aggregated

{% if is_incremental() -%}

    union all

    -- a day left without orders (they all moved to another day): one row with
    -- order_count 0, so that delete+insert clears the day; removed after the build
    select
        days_to_build.ordered_date_key,
        null as ordered_date,
        null as currency,
        null as status,
        null as is_deleted,
        0 as order_count,
        null as order_total,
        null as last_activity_at,
        {{ build_stamp() }} as built_at

    from days_to_build
    where not exists (
            select aggregated.ordered_date_key
            from aggregated
            where aggregated.ordered_date_key = days_to_build.ordered_date_key
        )

{%- endif %}
