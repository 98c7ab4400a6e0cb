{#- The users_snapshot rows dim_users reads (see types.sql for how engine differences are
    dispatched). dbt-spark snapshots need a table format that can merge (Delta Lake, Iceberg,
    Hudi), which plain Spark does not ship: with `spark_file_format` parquet (the default)
    there is no snapshot on Spark, this is an empty set with the snapshot's columns, and
    dim_users takes every version of a user from the raw version history
    (base_order_api__user_versions), which keeps every version the API served. With
    `--vars '{spark_file_format: delta}'` on a cluster that has Delta (e.g. Databricks) the
    snapshot is built and read as on PostgreSQL (documented, not tested here). -#}
{% macro users_snapshot_rows() -%}
    {{ return(adapter.dispatch('users_snapshot_rows')()) }}
{%- endmacro %}

{% macro default__users_snapshot_rows() -%}
    select * from {{ ref('users_snapshot') }}
{%- endmacro %}

{% macro spark__users_snapshot_rows() -%}
    {%- if snapshots_supported() -%}
        select * from {{ ref('users_snapshot') }}
    {%- else -%}
        select
            *,
            cast(null as string) as dbt_scd_id,
            cast(null as timestamp) as dbt_updated_at,
            cast(null as timestamp) as dbt_valid_from,
            cast(null as timestamp) as dbt_valid_to
        from {{ ref('base_order_api__user_versions') }}
        where false
    {%- endif -%}
{%- endmacro %}

{#- Whether the target can build dbt snapshots (dbt_project.yml enables them with this). -#}
{% macro snapshots_supported() -%}
    {{ return(target.type != 'spark'
        or var('spark_file_format', 'parquet') in ['delta', 'iceberg', 'hudi']) }}
{%- endmacro %}
