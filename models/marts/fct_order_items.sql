-- One row per line item of each order's latest version.
with

order_items as (

    select * from {{ ref('stg_order_api__order_items') }}

),

orders as (

    select * from {{ ref('stg_order_api__orders') }}

)

select
    {{ dbt_utils.generate_surrogate_key(['order_items.order_id', 'order_items.order_item_id']) }}
        as order_item_key,
    order_items.order_item_id,
    order_items.order_id,
    {{ dbt_utils.generate_surrogate_key(['order_items.product_id']) }} as product_key,
    order_items.product_id,
    cast(to_char(orders.ordered_at at time zone 'UTC', 'YYYYMMDD') as integer)
        as ordered_date_key,
    order_items.line_number,
    order_items.sku,
    order_items.product_name,
    order_items.product_category,
    orders.currency,
    order_items.quantity,
    order_items.unit_price,
    order_items.discount,
    order_items.line_total,
    coalesce(orders.is_deleted, false) as is_order_deleted,
    orders.ordered_at,
    order_items.order_updated_at

from order_items
left join orders
    on order_items.order_id = orders.order_id
