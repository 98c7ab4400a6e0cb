{{
    config(
        unique_key='device_key',
    )
}}

-- Why incremental: not for speed (0.2 s either way at 100k orders, bench/README.md) but for
-- the order_summary view that reads it: a table is swapped on every run and dbt drops its old
-- copy with cascade, which drops the view until it is rebuilt (and two builds at once then
-- both re-create it: tests/reliability/test_dbt_with_loads.py).
-- Ordering devices (platform, operating system, app version) seen on any observed order
-- version. Orders without device information map to the single all-null "unknown" device.
-- Incremental (delete+insert on device_key): the history of order versions only grows, so a
-- build adds the devices of the versions written since the last build; the result equals a
-- full build.
with

order_versions as (

    select * from {{ ref('base_order_api__order_versions') }}
    where {{ built_after_last_build('built_at') }}

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
