{#- Incremental staging by dlt load, on dlt's append-only raw history.

    A raw row is picked up by the load that wrote it (`_dlt_load_id`, increasing with every
    load), never by its updated_at: a version that became visible late (the loader re-reads
    the API's 10-minute late-visibility window) or a backfill (`--since`, `--from-export`)
    lands in a later load, so it is picked up exactly once, however old its updated_at.

    What a nightly build reads does not grow with the history: the newest load already in
    the model is read through the model's index on its load id number (load_id_index), and
    the new loads' ids are inlined as literals, so PostgreSQL finds their rows through the
    raw tables' BRIN index on `_dlt_load_id` (load/raw_destination.py) and the staging
    models' load id index instead of scanning either. -#}

{#- Rows of the loads dlt has completed (status 0 in `_dlt_loads`). A load that is still
    running, or was killed and will be completed by the next run under the same load id, is
    skipped until it is complete; otherwise an incremental build could see part of a load
    and never the rest. Loads complete in load id order (dlt finishes a pending load before
    it starts a new one). In an incremental build: the completed loads newer than the newest
    load in the model, as a list of literals (read when the model runs; a load completing
    later has a greater id and is read by the next build). -#}
{% macro completed_dlt_load(load_id_column='_dlt_load_id') -%}
    {%- if is_incremental() and not in_unit_test() -%}
        {%- set new_loads = completed_load_ids(
            source('order_api', '_dlt_loads'),
            load_id_number('dlt_loads.load_id') ~ ' > ' ~ last_load_watermark()) -%}
        {{ return(load_id_column ~ ' in (' ~ quoted_list(new_loads) ~ ')'
                  if new_loads else 'false') }}
    {%- endif -%}
    {%- set completed -%}
        {{ load_id_column }} in (
            select dlt_loads.load_id
            from {{ source('order_api', '_dlt_loads') }} as dlt_loads
            where dlt_loads.status = 0
        )
    {%- endset -%}
    {{ return(completed) }}
{%- endmacro %}

{#- In an incremental build: the rows of loads newer than the newest load already in the
    model ({{ this }}.dlt_load_id), the watermark inlined as a literal so that the planner
    sees how few rows are new. In a full build: every row (renders `true`). A unit test's
    `this` is a CTE of given rows, which a query before the model cannot read: there the
    watermark is a subquery, and completed loads are read as in a full build. -#}
{% macro loaded_after_last_build(load_id_column='dlt_load_id') -%}
    {%- if not is_incremental() -%}
        {{ return('true') }}
    {%- elif not in_unit_test() -%}
        {{ return(load_id_number(load_id_column) ~ ' > ' ~ last_load_watermark()) }}
    {%- endif -%}
    {%- set after_watermark -%}
        {{ load_id_number(load_id_column) }} > (
            select coalesce(max({{ load_id_number('built.dlt_load_id') }}), 0)
            from {{ this }} as built
        )
    {%- endset -%}
    {{ return(after_watermark) }}
{%- endmacro %}

{#- The newest load id number in this model (0 if empty or while parsing): one step down
    the load_id_index, not a scan. -#}
{% macro last_load_watermark() -%}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set result = run_query(
        'select cast(coalesce(max(' ~ load_id_number('built.dlt_load_id') ~ '), 0) as text)'
        ~ ' from ' ~ this ~ ' as built') -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}

{#- The ids of the loads dlt has completed (status 0 in `dlt_loads`, a `_dlt_loads` table)
    that meet `condition` (SQL on `dlt_loads.*`), in load id order. -#}
{% macro completed_load_ids(dlt_loads, condition) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        'select dlt_loads.load_id from ' ~ dlt_loads ~ ' as dlt_loads'
        ~ ' where dlt_loads.status = 0 and ' ~ condition ~ ' order by 1') -%}
    {{ return(result.columns[0].values() | list) }}
{%- endmacro %}

{#- The index that makes last_load_watermark and loaded_after_last_build lookups: on the
    model's load id as a number (an expression index; `indexes` renders it as written). -#}
{% macro load_id_index() -%}
    {{ return({'columns': ['(' ~ load_id_number('dlt_load_id') ~ ')']}) }}
{%- endmacro %}

{#- True while dbt runs a unit test (its `this` and inputs are CTEs of given rows). -#}
{% macro in_unit_test() -%}
    {{ return(model is defined and model.resource_type == 'unit_test') }}
{%- endmacro %}

{#- Text values as a comma-separated list of SQL string literals. -#}
{% macro quoted_list(values) -%}
    {%- for value in values -%}
        '{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
