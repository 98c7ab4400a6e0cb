-- Analyst-facing view: one row per order that is not soft-deleted, with the buyer's
-- attributes as they were when the order was placed (fct_orders.user_key is the point-in-time
-- dim_users version), shipping location, device and status attributes.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

users as (

    select * from {{ ref('dim_users') }}

),

locations as (

    select * from {{ ref('dim_locations') }}

),

devices as (

    select * from {{ ref('dim_devices') }}

),

statuses as (

    select * from {{ ref('order_statuses') }}

)

select
    orders.order_id,
    orders.user_id,
    orders.ordered_at,
    {{ utc_date('orders.ordered_at') }} as ordered_date,
    orders.status,
    statuses.label as status_label,
    statuses.is_terminal as is_terminal_status,
    statuses.counts_as_revenue,
    orders.currency,
    orders.subtotal,
    orders.discount_total,
    orders.tax_total,
    orders.shipping_total,
    orders.order_total,
    {{ cast_money(
        'case when statuses.counts_as_revenue then orders.order_total else 0 end'
    ) }} as revenue_amount,
    orders.item_count,
    orders.quantity_total,
    orders.payment_method,
    users.email as user_email,
    users.first_name as user_first_name,
    users.last_name as user_last_name,
    users.loyalty_tier as user_loyalty_tier,
    users.is_marketing_opt_in as user_is_marketing_opt_in,
    users.address_country_code as user_country_code,
    locations.country_code as shipping_country_code,
    locations.country_name as shipping_country_name,
    locations.world_region as shipping_world_region,
    locations.region as shipping_region,
    locations.city as shipping_city,
    locations.postal_code as shipping_postal_code,
    devices.platform as device_platform,
    devices.os as device_os,
    devices.app_version as device_app_version,
    orders.updated_at,
    orders.built_at

from orders
left join users
    on orders.user_key = users.user_key
left join locations
    on orders.location_key = locations.location_key
left join devices
    on orders.device_key = devices.device_key
left join statuses
    on orders.status = statuses.status
where not orders.is_deleted
