{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='fail',
        indexes=[{'columns': ['order_id']}],
    )
}}

-- One row per observed order version (order_id, updated_at) from the raw history, with the
-- status it had from valid_from until the next observed version (valid_to, null if latest).
-- Incremental: a new version changes its neighbours (valid_to, previous_status,
-- is_latest_version, and version_number when it arrives late), so every order with a version
-- loaded since the last build is rebuilt whole from all its versions (unique_key order_id).
with

order_versions as (

    select * from {{ ref('stg_order_api__order_versions') }}

),

{% if is_incremental() -%}

    last_build as (

        select coalesce(max(loaded_at), cast('-infinity' as timestamptz)) as last_loaded_at
        from {{ this }}

    ),

    -- the orders with a version loaded since the last build: rebuilt from all their versions
    changed_orders as (

        select distinct order_versions.order_id
        from order_versions
        inner join last_build
            on order_versions.loaded_at > last_build.last_loaded_at

    ),

{%- endif %}

sequenced as (

    select
        *,
        row_number() over (
            partition by order_id order by updated_at
        ) as version_number,
        lag(status) over (
            partition by order_id order by updated_at
        ) as previous_status,
        lead(updated_at) over (
            partition by order_id order by updated_at
        ) as next_updated_at

    from order_versions
    {% if is_incremental() -%}
        where order_id in (select changed_orders.order_id from changed_orders)
    {%- endif %}

)

select
    {{ dbt_utils.generate_surrogate_key(['order_id', 'updated_at']) }} as order_version_key,
    order_id,
    user_id,
    cast(version_number as integer) as version_number,
    cast(to_char(updated_at at time zone 'UTC', 'YYYYMMDD') as integer) as valid_from_date_key,
    status,
    previous_status,
    coalesce(status != previous_status, true) as is_status_change,
    currency,
    order_total,
    is_deleted,
    next_updated_at is null as is_latest_version,
    ordered_at,
    updated_at as valid_from,
    next_updated_at as valid_to,
    deleted_at,
    loaded_at

from sequenced
