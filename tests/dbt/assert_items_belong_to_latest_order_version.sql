-- The items kept for an order (its greatest order_updated_at) must belong to the order's
-- latest version. A mismatch means the latest order version arrived without its items (or
-- items without their order), e.g. one of them was quarantined: upstream data, so warn.
-- Checked for the orders whose staging order row or items were written since the last green
-- build (all orders on a first build or with --vars '{test_all_rows: true}'); the others were
-- checked by that build and have not changed (macros/test_scoping.sql).
{{ config(severity='warn') }}

{%- set scoped = tests_since_last_green_build() %}

with

{% if scoped -%}

    -- used only when scoped
    orders_to_check as (  -- noqa: ST03

        {{ keys_written_since_last_green_build(
            'order_id', [ref('stg_order_api__orders'), ref('stg_order_api__order_items')]
        ) }}

    ),

{%- endif %}

orders as (

    select stg_orders.*
    from {{ ref('stg_order_api__orders') }} as stg_orders
    {% if scoped -%}
        where stg_orders.order_id in (select orders_to_check.order_id from orders_to_check)
    {%- endif %}

),

order_items as (

    select distinct
        stg_order_items.order_id,
        stg_order_items.order_updated_at

    from {{ ref('stg_order_api__order_items') }} as stg_order_items
    {% if scoped -%}
        where stg_order_items.order_id in (select orders_to_check.order_id from orders_to_check)
    {%- endif %}

)

select
    orders.updated_at,
    order_items.order_updated_at,
    coalesce(orders.order_id, order_items.order_id) as order_id

from orders
full outer join order_items
    on orders.order_id = order_items.order_id
where orders.updated_at is distinct from order_items.order_updated_at
