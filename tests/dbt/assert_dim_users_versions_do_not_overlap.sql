-- The validity intervals [valid_from, valid_to) of one user's versions must not overlap,
-- otherwise a point-in-time join could return two versions for one order.
-- Checked for the users whose dim_users rows were written since the last green build (all
-- users on a first build or with --vars '{test_all_rows: true}'); a user's versions are
-- always rewritten together (macros/test_scoping.sql).
{%- set scoped = tests_since_last_green_build() %}

with

{% if scoped -%}

    -- used only when scoped
    users_to_check as (  -- noqa: ST03

        {{ keys_written_since_last_green_build('user_id', [ref('dim_users')]) }}

    ),

{%- endif %}

versions as (

    select dim_users.*
    from {{ ref('dim_users') }} as dim_users
    {% if scoped -%}
        where dim_users.user_id in (select users_to_check.user_id from users_to_check)
    {%- endif %}

)

select
    earlier.user_id,
    earlier.user_key as earlier_user_key,
    later.user_key as later_user_key

from versions as earlier
inner join versions as later
    on
        earlier.user_id = later.user_id
        and earlier.user_key != later.user_key
        and earlier.valid_from <= later.valid_from
        and earlier.valid_to > later.valid_from
