{#- The build stamp: when dbt wrote a row, for the incremental models that rebuild by key.

    Every such model stamps the rows it writes with built_at = the start of the dbt
    invocation (run_started_at, the same instant for every model of one run). A mart then
    rebuilds the keys whose upstream rows were written after its own newest built_at
    (built_after_last_build), and data tests check the rows written since the last green
    build (macros/test_scoping.sql). These models index built_at and run `analyze` after each
    build (post-hook in dbt_project.yml), so that the planner sees how few rows are new and
    uses the index. -#}

{#- The stamp of the rows written by this invocation. -#}
{% macro build_stamp() -%}
    cast('{{ run_started_at }}' as {{ type_timestamptz() }})
{%- endmacro %}

{#- In an incremental build: the upstream rows (`column` = their built_at) written after the
    newest row of this model, i.e. by the runs since this model was last built (also runs
    killed or failed after building staging but before this model). Renders `true` in a full
    build. The watermark is read when the model runs and inlined as a literal, so that the
    planner estimates the few changed rows (and uses the built_at indexes). A run that wrote
    nothing here leaves the watermark where it was, which only makes the next run look at
    more rows, never at fewer.
    In a snapshot's query, the same from the newest row the snapshot captured (`true` while
    the snapshot does not exist): the snapshot then compares only the source rows written
    since it last ran, so it must keep `hard_deletes: ignore` (with `invalidate` it would
    close every row left out). -#}
{% macro built_after_last_build(column='built_at') -%}
    {%- if is_incremental() or existing_snapshot() -%}
        {{ column }} > cast('{{ last_build_watermark() }}' as {{ type_timestamptz() }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- Whether the node being built is a snapshot whose table already exists. -#}
{% macro existing_snapshot() -%}
    {{ return(execute and model.resource_type == 'snapshot'
        and adapter.get_relation(this.database, this.schema, this.identifier) is not none) }}
{%- endmacro %}

{#- The newest built_at of this model, as text ('-infinity' if empty or while parsing). -#}
{% macro last_build_watermark() -%}
    {%- if not execute -%}
        {{ return('-infinity') }}
    {%- endif -%}
    {%- set result = run_query('select cast(max(built_at) as text) from ' ~ this) -%}
    {{ return(result.columns[0].values()[0] or '-infinity') }}
{%- endmacro %}
