{% snapshot users_snapshot %}

    {{
        config(
            schema='snapshots',
            unique_key='user_id',
            strategy='timestamp',
            updated_at='updated_at',
            hard_deletes='ignore',
            indexes=[
                {'columns': ['user_id']},
                {'columns': ['dbt_scd_id']},
                {'columns': ['built_at']},
            ],
        )
    }}

    -- The users whose staging row was written since the snapshot last ran: the others have not
    -- changed, and comparing only these keeps a nightly snapshot as small as the day's change
    -- (macros/build_stamp.sql, built_after_last_build).
    select * from {{ ref('stg_order_api__users') }}
    where {{ built_after_last_build() }}

{% endsnapshot %}
