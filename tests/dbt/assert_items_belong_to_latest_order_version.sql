-- The items kept for an order (its greatest order_updated_at) must belong to the order's
-- latest version. A mismatch means the latest order version arrived without its items (or
-- items without their order), e.g. one of them was quarantined: upstream data, so warn.
{{ config(severity='warn') }}

with

orders as (

    select * from {{ ref('stg_order_api__orders') }}

),

order_items as (

    select distinct
        order_id,
        order_updated_at

    from {{ ref('stg_order_api__order_items') }}

)

select
    orders.updated_at,
    order_items.order_updated_at,
    coalesce(orders.order_id, order_items.order_id) as order_id

from orders
full outer join order_items
    on orders.order_id = order_items.order_id
where orders.updated_at is distinct from order_items.order_updated_at
