-- Every order's subtotal equals the sum of its line totals
-- (subtotal = sum of quantity x unit_price - discount over the items of its latest version),
-- and every order has at least one item.
-- Checked for the orders whose fct_orders row or items were written since the last green
-- build (all orders on a first build or with --vars '{test_all_rows: true}'); the others were
-- checked by that build and have not changed (macros/test_scoping.sql).
{%- set scoped = tests_since_last_green_build() %}

with

{% if scoped -%}

    -- used only when scoped
    orders_to_check as (  -- noqa: ST03

        {{ keys_written_since_last_green_build(
            'order_id', [ref('fct_orders'), ref('fct_order_items')]
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

order_items as (

    select fct_order_items.*
    from {{ ref('fct_order_items') }} as fct_order_items
    {% if scoped -%}
        where fct_order_items.order_id in (select orders_to_check.order_id from orders_to_check)
    {%- endif %}

),

items_per_order as (

    select
        order_id,
        sum(line_total) as items_subtotal

    from order_items
    group by order_id

)

select
    orders.order_id,
    orders.subtotal,
    items_per_order.items_subtotal

from orders
left join items_per_order
    on orders.order_id = items_per_order.order_id
where items_per_order.items_subtotal is distinct from orders.subtotal
