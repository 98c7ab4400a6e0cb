{#- on-run-start: the raw sources as external tables over the lake (Spark only).

    `python load/orders.py --destination lake` writes dlt's layout under the lake URL:
    `raw/<table>/<load_id>.<file_id>.parquet` per raw table and `raw/_dlt_loads/*.jsonl` (one
    line per completed load). Every table of source `order_api` becomes
    `create table if not exists raw.<table> using parquet|json location '<lake>/raw/<table>'`,
    then `refresh table` so that files written since the last build are listed (the Thrift
    server caches file listings). The lake is `--vars '{lake_url: ...}'`, else $LAKE_URL,
    else `.local/lake` in the directory dbt runs in. A table's columns are read from its files
    when it is first created: after the loader adds a column, drop the table (`drop table
    raw.orders`) and the next build creates it again with the new column. -#}
{% macro create_lake_sources() -%}
    {{ return(adapter.dispatch('create_lake_sources')()) }}
{%- endmacro %}

{% macro default__create_lake_sources() -%}
{%- endmacro %}

{% macro spark__create_lake_sources() -%}
    {%- if execute -%}
        {%- set lake = var('lake_url', env_var('LAKE_URL', '')) or
            env_var('PWD', '.') ~ '/.local/lake' -%}
        {%- set lake = lake | replace('file://', '') -%}
        {%- set tables = graph.sources.values() | selectattr('source_name', 'equalto', 'order_api')
            | list -%}
        {%- for schema in tables | map(attribute='schema') | unique -%}
            {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- endfor -%}
        {%- for table in tables -%}
            {%- set relation = api.Relation.create(schema=table.schema,
                identifier=table.identifier) -%}
            {%- set format = 'json' if table.identifier.startswith('_dlt') else 'parquet' -%}
            {%- do run_query('create table if not exists ' ~ relation ~ ' using ' ~ format
                ~ " location '" ~ lake.rstrip('/') ~ '/' ~ table.schema ~ '/'
                ~ table.identifier ~ "'") -%}
            {%- do run_query('refresh table ' ~ relation) -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
