{{ config(materialized='table') }}

-- Every observed version of every order (one row per order_id, updated_at), the input of
-- fct_order_status_history. A version re-delivered by an overlapping re-read is kept once.
with

source as (

    select * from {{ source('order_api', 'orders') }}

),

renamed as (

    select
        -- ids
        cast(id as text) as order_id,
        cast(user_id as text) as user_id,

        -- attributes
        cast(status as text) as status,
        upper(trim(currency)) as currency,

        -- amounts
        {{ cast_money('total') }} as order_total,

        -- flags
        deleted_at is not null as is_deleted,

        -- timestamps
        cast(created_at as timestamptz) as ordered_at,
        cast(updated_at as timestamptz) as updated_at,
        cast(deleted_at as timestamptz) as deleted_at,

        -- load metadata
        _dlt_load_id as dlt_load_id,
        to_timestamp(cast(_dlt_load_id as double precision)) as loaded_at

    from source

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by order_id, updated_at
            order by cast(dlt_load_id as numeric) desc
        ) as copy_rank

    from renamed

)

select
    order_id,
    user_id,
    status,
    currency,
    order_total,
    is_deleted,
    ordered_at,
    updated_at,
    deleted_at,
    dlt_load_id,
    loaded_at

from deduplicated
where copy_rank = 1
