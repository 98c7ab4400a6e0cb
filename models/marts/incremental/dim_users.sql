-- Why incremental (measured, bench/README.md): rebuilt whole 0.9 s, nightly 0.6 s at 100k orders,
-- and its built_at tells fct_orders whose point-in-time user version may have moved (a table would
-- rewrite every row and make fct_orders rebuild every order).
-- Type-2 user dimension: one row per user version, valid in [valid_from, valid_to).
-- * From users_snapshot: every captured version, closed by dbt when the next one arrived.
-- * Back-filled from the raw history (base_order_api__user_versions): the versions older than
--   a user's first snapshot row, which the snapshot could not see because they were loaded
--   before it first ran (initial load, backfills). Each ends where the next version starts.
-- * The earliest version of a user is valid from the user's created_at (or its own start, if
--   earlier), so orders placed before the first captured change still find a version.
-- * Open versions end at 9999-12-31. A soft delete closes the live version at the deletion
--   time; the tombstone version after it has is_deleted = true and is never is_current.
-- Incremental (delete+insert on user_id): a user's versions depend only on that user's rows
-- in users_snapshot and base_order_api__user_versions, and both change only when a version of
-- the user is written to base_order_api__user_versions. The users with a version written
-- there since this model's last build are rebuilt whole.

{{
    config(
        unique_key='user_id',
        indexes=[{'columns': ['user_id']}, {'columns': ['built_at']}],
    )
}}

{#- The user attributes of a version, the same from either source, with their mart types
    (raw text columns are varchar; the contract and incremental builds need the mart type). -#}
{%- set version_columns = {
    'email': type_text(),
    'first_name': type_text(),
    'last_name': type_text(),
    'phone': type_text(),
    'is_marketing_opt_in': 'boolean',
    'loyalty_tier': type_text(),
    'address_city': type_text(),
    'address_region': type_text(),
    'address_postal_code': type_text(),
    'address_country_code': type_text(),
    'is_deleted': 'boolean',
    'created_at': type_timestamptz(),
    'updated_at': type_timestamptz(),
    'deleted_at': type_timestamptz(),
} %}

with

{% if is_incremental() -%}

    changed_users as (

        select distinct changed_versions.user_id
        from {{ ref('base_order_api__user_versions') }} as changed_versions
        where {{ built_after_last_build('changed_versions.built_at') }}

    ),

{%- endif %}

snapshot as (

    {{ users_snapshot_rows() }}
    {% if is_incremental() -%}
        where user_id in (select changed_users.user_id from changed_users)
    {%- endif %}

),

user_versions as (

    select * from {{ ref('base_order_api__user_versions') }}
    {% if is_incremental() -%}
        where user_id in (select changed_users.user_id from changed_users)
    {%- endif %}

),

first_snapshot_rows as (

    select
        user_id,
        min(dbt_valid_from) as first_valid_from

    from snapshot
    group by user_id

),

snapshot_versions as (

    select
        user_id,
        {%- for column in version_columns %}
            {{ column }},
        {%- endfor %}
        dbt_valid_from as version_start,
        dbt_valid_to as version_end,
        'snapshot' as version_source

    from snapshot

),

history_versions as (

    select
        user_versions.user_id,
        {%- for column in version_columns %}
            user_versions.{{ column }},
        {%- endfor %}
        user_versions.updated_at as version_start,
        cast(null as {{ type_timestamptz() }}) as version_end,
        'raw_history' as version_source

    from user_versions
    left join first_snapshot_rows
        on user_versions.user_id = first_snapshot_rows.user_id
    where
        first_snapshot_rows.first_valid_from is null
        or user_versions.updated_at < first_snapshot_rows.first_valid_from

),

all_versions as (

    select * from snapshot_versions
    union all
    select * from history_versions

),

sequenced as (

    select
        *,
        row_number() over (
            partition by user_id order by version_start
        ) as version_number,
        lead(version_start) over (
            partition by user_id order by version_start
        ) as next_version_start

    from all_versions

)

select
    {{ dbt_utils.generate_surrogate_key(['user_id', 'version_start']) }} as user_key,
    cast(user_id as {{ type_text() }}) as user_id,
    cast(version_number as bigint) as version_number,
    version_source,
    {%- for column, data_type in version_columns.items() %}
        cast({{ column }} as {{ data_type }}) as {{ column }},
    {%- endfor %}
    case
        when version_number = 1 then least(created_at, version_start)
        else version_start
    end as valid_from,
    coalesce(
        case when version_source = 'raw_history' then next_version_start else version_end end,
        cast('9999-12-31 00:00:00+00:00' as {{ type_timestamptz() }})
    ) as valid_to,
    next_version_start is null
    and version_end is null
    and not is_deleted as is_current,
    {{ build_stamp() }} as built_at

from sequenced
