-- One row per order, in its latest version (soft-deleted orders kept, is_deleted = true).
-- user_key is the dim_users version valid when the order was placed:
-- valid_from <= ordered_at < valid_to.
with

orders as (

    select * from {{ ref('stg_order_api__orders') }}

),

order_items as (

    select * from {{ ref('stg_order_api__order_items') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

order_items_summary as (

    select
        order_id,
        count(*) as item_count,
        sum(quantity) as quantity_total

    from order_items
    group by order_id

)

select
    orders.order_id,
    users.user_key,
    orders.user_id,
    {{ dbt_utils.generate_surrogate_key([
        'orders.shipping_country_code',
        'orders.shipping_region',
        'orders.shipping_city',
        'orders.shipping_postal_code'
    ]) }} as location_key,
    {{ dbt_utils.generate_surrogate_key([
        'orders.device_platform', 'orders.device_os', 'orders.device_app_version'
    ]) }} as device_key,
    cast(to_char(orders.ordered_at at time zone 'UTC', 'YYYYMMDD') as integer)
        as ordered_date_key,
    orders.status,
    orders.currency,
    orders.payment_method,
    orders.payment_card_brand,
    cast(coalesce(order_items_summary.item_count, 0) as integer) as item_count,
    cast(coalesce(order_items_summary.quantity_total, 0) as integer) as quantity_total,
    orders.subtotal,
    orders.discount_total,
    orders.tax_total,
    orders.shipping_total,
    orders.order_total,
    orders.is_deleted,
    orders.ordered_at,
    orders.updated_at,
    orders.deleted_at,
    orders.client_created_at,
    orders.payment_captured_at,
    orders.loaded_at

from orders
left join order_items_summary
    on orders.order_id = order_items_summary.order_id
left join users
    on
        orders.user_id = users.user_id
        and orders.ordered_at >= users.valid_from
        and orders.ordered_at < users.valid_to
