-- The latest observed version in fct_order_status_history has the status and deletion
-- flag of the order in fct_orders, and every order has exactly one latest version.
with

latest_versions as (

    select * from {{ ref('fct_order_status_history') }}
    where is_latest_version

)

select
    orders.status as order_status,
    latest_versions.status as history_status,
    coalesce(orders.order_id, latest_versions.order_id) as order_id

from {{ ref('fct_orders') }} as orders
full outer join latest_versions
    on orders.order_id = latest_versions.order_id
where
    latest_versions.order_id is null
    or orders.order_id is null
    or orders.status != latest_versions.status
    or orders.is_deleted != latest_versions.is_deleted
