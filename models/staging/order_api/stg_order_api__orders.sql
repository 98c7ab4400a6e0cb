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

-- Why incremental (measured, bench/README.md): rebuilt whole 2.9 s, nightly 1.8 s at 100k orders;
-- its built_at drives fct_orders.
-- Latest version of every order (one row per order_id), from base_order_api__order_versions.
-- Soft-deleted orders are kept and flagged with is_deleted.
-- Incremental: the versions of loads newer than the newest load in this model are ranked per
-- order; the best one replaces the order's row unless the row already built is newer (an
-- older version loaded late, e.g. by a backfill, never replaces a newer one).
with

order_versions as (

    select * from {{ ref('base_order_api__order_versions') }}
    where {{ loaded_after_last_build('dlt_load_id') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by order_id
            order by updated_at desc, {{ load_id_number('dlt_load_id') }} desc
        ) as version_rank

    from order_versions

)

select
    order_id,
    user_id,
    status,
    currency,
    metadata,
    shipping_line1,
    shipping_line2,
    shipping_city,
    shipping_region,
    shipping_postal_code,
    shipping_country_code,
    device_platform,
    device_app_version,
    device_os,
    device_user_agent,
    payment_method,
    payment_card_brand,
    payment_captured_at,
    subtotal,
    discount_total,
    tax_total,
    shipping_total,
    order_total,
    is_deleted,
    ordered_at,
    updated_at,
    deleted_at,
    client_created_at,
    dlt_load_id,
    loaded_at,
    {{ build_stamp() }} as built_at

from ranked
where
    version_rank = 1
    {% if is_incremental() -%}
        -- the row already built wins only if it is newer: on equal updated_at the new copy
        -- (from a later load) wins, as in a full build
        and not exists (
            select built.order_id
            from {{ this }} as built
            where
                built.order_id = ranked.order_id
                and built.updated_at > ranked.updated_at
        )
    {%- endif %}
