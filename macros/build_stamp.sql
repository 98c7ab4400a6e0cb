{#- Incremental marts and incremental tests, by build stamp.

    Every incremental model stamps the rows it writes with built_at = the start of the dbt
    invocation (run_started_at, the same instant for every model of one run). A mart then
    rebuilds the keys whose upstream rows were written after its own newest built_at, and
    data tests check the rows written since the last green build (see get_where_subquery).
    These models index built_at and run `analyze` after each build (post_hook), so that the
    planner sees how few rows are new and uses the index. -#}

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
    more rows, never at fewer. -#}
{% macro built_after_last_build(column='built_at') -%}
    {%- if is_incremental() -%}
        {{ column }} > cast('{{ last_build_watermark() }}' as timestamptz)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

{#- The newest built_at of this model, as text ('-infinity' if empty or while parsing). -#}
{% macro last_build_watermark() -%}
    {%- if not execute -%}
        {{ return('-infinity') }}
    {%- endif -%}
    {%- set result = run_query('select cast(max(built_at) as text) from ' ~ this) -%}
    {{ return(result.columns[0].values()[0] or '-infinity') }}
{%- endmacro %}

{#- The table where on-run-end records every green `dbt build` (see record_green_build). -#}
{% macro green_build_log() -%}
    {{ return(api.Relation.create(
        database=target.database, schema=target.schema, identifier='dbt_green_builds'
    )) }}
{%- endmacro %}

{#- True when data tests are to be restricted to the rows written since the last green build:
    a green build is recorded and `--vars '{test_all_rows: true}'` was not given. -#}
{% macro tests_since_last_green_build() -%}
    {{ return(adapter.dispatch('tests_since_last_green_build')()) }}
{%- endmacro %}

{% macro default__tests_since_last_green_build() -%}
    {%- if not execute or var('test_all_rows', false) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set log = green_build_log() -%}
    {{ return(adapter.get_relation(log.database, log.schema, log.identifier) is not none) }}
{%- endmacro %}

{#- SQL literal: start of the last green `dbt build`, or -infinity when there is none (first
    build) or when `--vars '{test_all_rows: true}'` asks for every row. Read when the test
    runs and inlined, so that the planner estimates the few new rows (built_at indexes). -#}
{% macro last_green_build() -%}
    cast('{{ last_green_build_started_at() }}' as timestamptz)
{%- endmacro %}

{#- The run_started_at of the last green build, as text ('-infinity' if none). -#}
{% macro last_green_build_started_at() -%}
    {%- if not tests_since_last_green_build() -%}
        {{ return('-infinity') }}
    {%- endif -%}
    {%- set result = run_query(
        'select cast(max(run_started_at) as text) from ' ~ green_build_log()
    ) -%}
    {{ return(result.columns[0].values()[0] or '-infinity') }}
{%- endmacro %}

{#- dbt's `where` test config, with placeholders resolved when the test runs:
    __last_green_build__  -> last_green_build()
    __loads_since_last_green__ -> subquery of the dlt load ids completed (`_dlt_loads`, in the
                                  tested source's schema) after the last green build started
    __this__ -> the tested relation itself (to compare the new rows with all rows).
    So `where: "built_at > __last_green_build__"` checks the rows written by this build and by
    any build since the last green one: a row that failed a test is checked again by every
    build until one is green. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set placeholders = ['__last_green_build__', '__loads_since_last_green__'] -%}
    {%- if where and not tests_since_last_green_build()
        and placeholders | select('in', where) | list -%}
        {#- every row is in scope: no filter at all (cheaper than a filter that keeps all) -#}
        {{ return(relation) }}
    {%- elif where -%}
        {%- if '__loads_since_last_green__' in where -%}
            {%- set loads -%}
                (select dlt_loads.load_id
                from {{ api.Relation.create(
                    database=relation.database, schema=relation.schema, identifier='_dlt_loads'
                ) }} as dlt_loads
                where dlt_loads.status = 0 and dlt_loads.inserted_at > {{ last_green_build() }})
            {%- endset -%}
            {%- set where = where | replace('__loads_since_last_green__', loads) -%}
        {%- endif -%}
        {%- set where = where | replace('__last_green_build__', last_green_build())
            | replace('__this__', relation | string) -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- else -%}
        {{ return(relation) }}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: record this invocation as green when it is a `dbt build` of the whole project
    (no --select/--exclude/--selector) in which every node succeeded or passed (warnings
    count as passed: they are reported by the build that writes the row). Anything else -
    a failure, an error, a skipped node, a partial selection, `dbt run` without tests, a
    killed run - records nothing, so the next build tests every row written since the last
    green one. -#}
{% macro record_green_build(results) -%}
    {{ return(adapter.dispatch('record_green_build')(results)) }}
{%- endmacro %}

{% macro default__record_green_build(results) -%}
    {%- set args = invocation_args_dict -%}
    {%- set partial = args.get('select') or args.get('exclude') or args.get('selector')
        or args.get('resource_types') or args.get('exclude_resource_types') -%}
    {#- exposures are nodes of a build too, with nothing to run: status no-op -#}
    {%- set not_green = results
        | rejectattr('status', 'in', ['success', 'pass', 'warn', 'no-op']) | list -%}
    {%- if execute and flags.WHICH == 'build' and not partial and not not_green -%}
        {%- set log = green_build_log() -%}
        create table if not exists {{ log }} (
            invocation_id text primary key,
            run_started_at timestamptz not null,
            recorded_at timestamptz not null default now()
        );
        insert into {{ log }} (invocation_id, run_started_at)
        values ('{{ invocation_id }}', {{ build_stamp() }});
    {%- else -%}
        select 1 as not_a_green_build
    {%- endif -%}
{%- endmacro %}

{#- The distinct `key` values of the rows of `relations` written since the last green build:
    what a scoped singular test checks (tests/dbt/). -#}
{% macro keys_written_since_last_green_build(key, relations) -%}
    {%- for relation in relations %}
        {%- if not loop.first %}
            union
        {%- endif %}
        select distinct written.{{ key }}
        from {{ relation }} as written
        where written.built_at > {{ last_green_build() }}
    {%- endfor %}
{%- endmacro %}
