{#- Scoped data tests: a test checks only the rows written since the last green build.

    dbt_project.yml sets `where: "built_at > __last_green_build__"` once per folder whose
    models stamp built_at (data_tests:), and `where: "__rows_of_new_loads__"` for the tests of
    the raw dlt tables (the sources), so every generic test of those folders is scoped. This
    is exact for them: row-level checks of rows not rewritten were passed by an earlier green
    build, and every uniqueness group is rewritten whole by the delete+insert of its
    unique_key, so a new duplicate always involves rewritten rows. A failing build is not
    green, so its rows stay in scope until a build passes. A first build (no green build yet)
    or `--vars '{test_all_rows: true}'` renders the filter with the earliest instant: every
    row is checked, and a wrong column name in the filter fails on that first build. -#}

{#- dbt's `where` test config, with placeholders resolved when the test runs:
    __last_green_build__ -> last_green_build()
    __rows_of_new_loads__ -> for a test on a raw dlt table: the rows of the dlt loads
        completed (`_dlt_loads`, in the tested table's schema) since the last green build
        started; for a uniqueness test over `combination_of_columns`, every row sharing its key
        with such a row (a new copy of an old key is a duplicate too).
    The filter is always rendered, never dropped. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if not where -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- if '__rows_of_new_loads__' in where -%}
        {%- set where = where | replace(
            '__rows_of_new_loads__', rows_of_new_loads(relation)) -%}
    {%- endif -%}
    {%- if '__last_green_build__' in where -%}
        {%- set where = where | replace('__last_green_build__', last_green_build()) -%}
    {%- endif -%}
    {%- set filtered -%}
        (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- endset -%}
    {{ return(filtered) }}
{%- endmacro %}

{#- The condition behind __rows_of_new_loads__ for the test being run (see above). -#}
{% macro rows_of_new_loads(relation) -%}
    {%- set new_loads -%}
        (select dlt_loads.load_id
        from {{ api.Relation.create(
            database=relation.database, schema=relation.schema, identifier='_dlt_loads'
        ) }} as dlt_loads
        where dlt_loads.status = 0 and dlt_loads.inserted_at > {{ last_green_build() }})
    {%- endset -%}
    {%- set key = model.get('test_metadata', {}).get('kwargs', {})
        .get('combination_of_columns') -%}
    {%- if key -%}
        {%- set rows -%}
            ({{ key | join(', ') }}) in (
                select {{ key | join(', ') }} from {{ relation }}
                where _dlt_load_id in {{ new_loads }})
        {%- endset -%}
        {{ return(rows) }}
    {%- endif -%}
    {{ return('_dlt_load_id in ' ~ new_loads) }}
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
