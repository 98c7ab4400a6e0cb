{#- The green-build log: every `dbt build` of the whole project in which every node passed
    is recorded (on-run-end), and its start is what scoped data tests compare built_at with
    (macros/test_scoping.sql). -#}

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

{#- SQL literal: start of the last green `dbt build`, or the earliest instant when there is
    none (first build) or when `--vars '{test_all_rows: true}'` asks for every row. Read when
    the test runs and inlined, so that the planner estimates the few new rows (built_at
    indexes). -#}
{% macro last_green_build() -%}
    {{ return(adapter.dispatch('last_green_build')()) }}
{%- endmacro %}

{% macro default__last_green_build() -%}
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
