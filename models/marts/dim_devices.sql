-- Ordering devices (platform, operating system, app version) seen on any observed order
-- version. Orders without device information map to the single all-null "unknown" device.
with

order_versions as (

    select * from {{ ref('base_order_api__order_versions') }}

),

devices as (

    select distinct
        device_platform as platform,
        device_os as os,
        device_app_version as app_version

    from order_versions

)

select
    {{ dbt_utils.generate_surrogate_key(['platform', 'os', 'app_version']) }} as device_key,
    platform,
    cast(os as {{ type_text() }}) as os,
    cast(app_version as {{ type_text() }}) as app_version,
    platform is null as is_unknown,
    {{ build_stamp() }} as built_at

from devices
