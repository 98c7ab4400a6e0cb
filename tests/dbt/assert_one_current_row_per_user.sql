-- No user may have two current rows: neither two open rows (dbt_valid_to is null) in
-- users_snapshot nor two is_current versions in dim_users.
with

snapshot_current as (

    select
        user_id,
        'users_snapshot' as relation_name,
        count(*) as current_rows

    from {{ ref('users_snapshot') }}
    where dbt_valid_to is null
    group by user_id
    having count(*) > 1

),

dim_current as (

    select
        user_id,
        'dim_users' as relation_name,
        count(*) as current_rows

    from {{ ref('dim_users') }}
    where is_current
    group by user_id
    having count(*) > 1

)

select * from snapshot_current
union all
select * from dim_current
