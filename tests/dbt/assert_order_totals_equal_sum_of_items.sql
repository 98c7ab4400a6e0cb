-- Every order's subtotal equals the sum of its line totals
-- (subtotal = sum of quantity x unit_price - discount over the items of its latest version),
-- and every order has at least one item.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_items as (

    select * from {{ ref('fct_order_items') }}

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
