{{ config(materialized='table') }}

-- Latest version of every product (one row per product_id) from the append-only history.
with

source as (

    select * from {{ source('order_api', 'products') }}

),

renamed as (

    select
        -- ids
        cast(id as text) as product_id,

        -- attributes
        sku,
        name as product_name,
        category as product_category,
        upper(trim(currency)) as currency,
        cast(active as boolean) as is_active,

        -- amounts
        {{ cast_money('list_price') }} as list_price,

        -- timestamps
        cast(updated_at as timestamptz) as updated_at,

        -- load metadata
        _dlt_load_id as dlt_load_id

    from source

),

latest as (

    select
        *,
        row_number() over (
            partition by product_id
            order by updated_at desc, cast(dlt_load_id as numeric) desc
        ) as version_rank

    from renamed

)

select
    product_id,
    sku,
    product_name,
    product_category,
    currency,
    is_active,
    list_price,
    updated_at,
    dlt_load_id

from latest
where version_rank = 1
