{{
    config(
        unique_key='order_id',
        indexes=[{'columns': ['built_at']}, {'columns': ['ordered_date_key']}],
    )
}}

-- Why incremental (measured, bench/README.md): rebuilt whole 2.4 s, nightly 1.0 s at 100k orders
-- (1M orders: x10).
-- One row per order, in its latest version (soft-deleted orders kept, is_deleted = true).
-- user_key is the dim_users version valid when the order was placed:
-- valid_from <= ordered_at < valid_to.
-- Incremental (delete+insert on order_id): an order's row depends on its latest version
-- (stg_order_api__orders), its items (stg_order_api__order_items) and its buyer's versions
-- (dim_users). The orders with any of these rewritten since this model's last build are
-- rebuilt whole, from all their current rows: a new or late version, changed items, or a new
-- user version (which can move the point-in-time user_key of the buyer's orders).
with

{% if is_incremental() -%}

    changed_orders as (

        select stg_orders.order_id
        from {{ ref('stg_order_api__orders') }} as stg_orders
        where {{ built_after_last_build('stg_orders.built_at') }}

        union

        select stg_order_items.order_id
        from {{ ref('stg_order_api__order_items') }} as stg_order_items
        where {{ built_after_last_build('stg_order_items.built_at') }}

        union

        -- the orders of buyers whose dim_users versions were rewritten
        select buyers_orders.order_id
        from {{ ref('stg_order_api__orders') }} as buyers_orders
        inner join {{ ref('dim_users') }} as rebuilt_users
            on buyers_orders.user_id = rebuilt_users.user_id
        where {{ built_after_last_build('rebuilt_users.built_at') }}

    ),

{%- endif %}

orders_to_build as (

    select * from {{ ref('stg_order_api__orders') }}
    {% if is_incremental() -%}
        where order_id in (select changed_orders.order_id from changed_orders)
    {%- endif %}

),

order_items as (

    select * from {{ ref('stg_order_api__order_items') }}
    {% if is_incremental() -%}
        where order_id in (select changed_orders.order_id from changed_orders)
    {%- endif %}

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
    orders_to_build.order_id,
    users.user_key,
    orders_to_build.user_id,
    {{ dbt_utils.generate_surrogate_key([
        'orders_to_build.shipping_country_code',
        'orders_to_build.shipping_region',
        'orders_to_build.shipping_city',
        'orders_to_build.shipping_postal_code'
    ]) }} as location_key,
    {{ dbt_utils.generate_surrogate_key([
        'orders_to_build.device_platform',
        'orders_to_build.device_os',
        'orders_to_build.device_app_version'
    ]) }} as device_key,
    {{ utc_date_key('orders_to_build.ordered_at') }}
        as ordered_date_key,
    orders_to_build.status,
    orders_to_build.currency,
    cast(orders_to_build.payment_method as {{ type_text() }}) as payment_method,
    cast(orders_to_build.payment_card_brand as {{ type_text() }}) as payment_card_brand,
    cast(coalesce(order_items_summary.item_count, 0) as integer) as item_count,
    cast(coalesce(order_items_summary.quantity_total, 0) as integer) as quantity_total,
    orders_to_build.subtotal,
    orders_to_build.discount_total,
    orders_to_build.tax_total,
    orders_to_build.shipping_total,
    orders_to_build.order_total,
    orders_to_build.is_deleted,
    orders_to_build.ordered_at,
    orders_to_build.updated_at,
    orders_to_build.deleted_at,
    orders_to_build.client_created_at,
    orders_to_build.payment_captured_at,
    orders_to_build.loaded_at,
    {{ build_stamp() }} as built_at

from orders_to_build
left join order_items_summary
    on orders_to_build.order_id = order_items_summary.order_id
left join users
    on
        orders_to_build.user_id = users.user_id
        and orders_to_build.ordered_at >= users.valid_from
        and orders_to_build.ordered_at < users.valid_to
