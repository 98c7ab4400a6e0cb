-- No user may have two current rows: neither two open rows (dbt_valid_to is null) in
-- users_snapshot nor two is_current versions in dim_users.
-- Checked for the users whose dim_users rows were written since the last green build (all
-- users on a first build or with --vars '{test_all_rows: true}'): dim_users rebuilds every
-- user whose snapshot rows can have changed (macros/test_scoping.sql).
{%- set scoped = tests_since_last_green_build() %}

with

{% if scoped -%}

    -- used only when scoped
    users_to_check as (  -- noqa: ST03

        {{ keys_written_since_last_green_build('user_id', [ref('dim_users')]) }}

    ),

{%- endif %}

snapshot_current as (

    select
        users_snapshot.user_id,
        'users_snapshot' as relation_name,
        count(*) as current_rows

    from {{ ref('users_snapshot') }} as users_snapshot
    {% if scoped -%}
        inner join users_to_check
            on users_snapshot.user_id = users_to_check.user_id
    {%- endif %}
    where users_snapshot.dbt_valid_to is null
    group by users_snapshot.user_id
    having count(*) > 1

),

dim_current as (

    select
        dim_users.user_id,
        'dim_users' as relation_name,
        count(*) as current_rows

    from {{ ref('dim_users') }} as dim_users
    {% if scoped -%}
        inner join users_to_check
            on dim_users.user_id = users_to_check.user_id
    {%- endif %}
    where dim_users.is_current
    group by dim_users.user_id
    having count(*) > 1

)

select * from snapshot_current
union all
select * from dim_current
