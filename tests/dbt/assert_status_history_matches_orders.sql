-- The latest observed version in fct_order_status_history has the status and deletion
-- flag of the order in fct_orders, and every order has exactly one latest version.
-- Checked for the orders whose fct_orders or history rows were written since the last green
-- build (all orders on a first build or with --vars '{test_all_rows: true}'); the others were
-- checked by that build and have not changed (macros/test_scoping.sql).
{%- set scoped = tests_since_last_green_build() %}

with

{% if scoped -%}

    -- used only when scoped
    orders_to_check as (  -- noqa: ST03

        {{ keys_written_since_last_green_build(
            'order_id', [ref('fct_orders'), ref('fct_order_status_history')]
        ) }}

    ),

{%- endif %}

orders as (

    select fct_orders.*
    from {{ ref('fct_orders') }} as fct_orders
    {% if scoped -%}
        where fct_orders.order_id in (select orders_to_check.order_id from orders_to_check)
    {%- endif %}

),

latest_versions as (

    select history.*
    from {{ ref('fct_order_status_history') }} as history
    {% if scoped -%}
        inner join orders_to_check
            on history.order_id = orders_to_check.order_id
    {%- endif %}
    where history.is_latest_version

)

select
    orders.status as order_status,
    latest_versions.status as history_status,
    coalesce(orders.order_id, latest_versions.order_id) as order_id

from orders
full outer join latest_versions
    on orders.order_id = latest_versions.order_id
where
    latest_versions.order_id is null
    or orders.order_id is null
    or orders.status != latest_versions.status
    or orders.is_deleted != latest_versions.is_deleted
