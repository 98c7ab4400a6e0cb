{{
    config(
        unique_key='order_id',
        indexes=[
            {'columns': ['order_id']},
            {'columns': ['built_at']},
            load_id_index(),
        ],
    )
}}

-- Why incremental (measured, bench/README.md): rebuilt whole 5.0 s, nightly 1.2 s at 100k orders.
-- Line items of each order's latest version (one row per order_id, order_item_id).
-- Every order version carries its full item list (minItems 1), so the latest version of an
-- order is the greatest order_updated_at among its items.
-- Incremental: the items of loads completed since the last build are ranked per order; the
-- newest version's items replace all items of the order (unique_key order_id) unless the
-- items already built belong to a newer version (a late, older version never wins).
with

source as (

    select * from {{ source('order_api', 'order_items') }}
    where
        {{ completed_dlt_load('_dlt_load_id') }}
        and {{ loaded_after_last_build('_dlt_load_id') }}

),

renamed as (

    select
        -- ids
        cast(id as {{ type_text() }}) as order_item_id,
        cast(order_id as {{ type_text() }}) as order_id,
        cast(product_id as {{ type_text() }}) as product_id,

        -- attributes
        cast(line_number as integer) as line_number,
        sku,
        name as product_name,
        category as product_category,
        cast(quantity as integer) as quantity,

        -- amounts
        {{ cast_money('unit_price') }} as unit_price,
        {{ cast_money('discount') }} as discount,
        {{ cast_money('quantity * unit_price - discount') }} as line_total,

        -- timestamps
        cast(order_updated_at as {{ type_timestamptz() }}) as order_updated_at,

        -- load metadata
        _dlt_load_id as dlt_load_id

    from source

),

ranked as (

    select
        *,
        dense_rank() over (
            partition by order_id
            order by order_updated_at desc
        ) as order_version_rank,
        row_number() over (
            partition by order_id, order_updated_at, order_item_id
            order by {{ load_id_number('dlt_load_id') }} desc
        ) as copy_rank

    from renamed

)

select
    order_item_id,
    order_id,
    product_id,
    line_number,
    sku,
    product_name,
    product_category,
    quantity,
    unit_price,
    discount,
    line_total,
    order_updated_at,
    dlt_load_id,
    {{ build_stamp() }} as built_at

from ranked
where
    order_version_rank = 1
    and copy_rank = 1
    {% if is_incremental() -%}
        and not exists (
            select built.order_id
            from {{ this }} as built
            where
                built.order_id = ranked.order_id
                and built.order_updated_at > ranked.order_updated_at
        )
    {%- endif %}
