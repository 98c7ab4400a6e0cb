-- Ordering devices (platform, operating system, app version) seen on orders. Orders without
-- device information map to the single all-null "unknown" device.
with

orders as (

    select * from {{ ref('stg_order_api__orders') }}

),

devices as (

    select distinct
        device_platform as platform,
        device_os as os,
        device_app_version as app_version

    from orders

)

select
    {{ dbt_utils.generate_surrogate_key(['platform', 'os', 'app_version']) }} as device_key,
    platform,
    os,
    app_version,
    platform is null as is_unknown

from devices
