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
        with such a row (a new copy of an old key is a duplicate too): the rows within the
        new rows' range of every key column.
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

{#- The condition behind __rows_of_new_loads__ for the test being run (see above). The new
    loads' ids are inlined as literals, so that PostgreSQL finds their rows through the raw
    table's BRIN index on `_dlt_load_id` (load/raw_destination.py). A uniqueness test checks
    the rows whose every key column lies between the new rows' smallest and greatest value:
    every row sharing its key with a new row, found through the same BRIN index on the key's
    timestamp (a few more rows than those is only more checking; a semi-join on the key was
    planned as one index scan per new row). -#}
{% macro rows_of_new_loads(relation) -%}
    {%- set loads = completed_loads_since_last_green_build(relation) -%}
    {%- set new_rows -%}
        {%- if loads -%}
            _dlt_load_id in ({{ quoted_list(loads) }})
        {%- else -%}
            false
        {%- endif -%}
    {%- endset -%}
    {%- set key = model.get('test_metadata', {}).get('kwargs', {})
        .get('combination_of_columns') -%}
    {%- if not key -%}
        {{ return(new_rows) }}
    {%- endif -%}
    {%- set rows -%}
        {%- for column in key %}
            {% if not loop.first %}and {% endif -%}
            {{ column }} between
                (select min({{ column }}) from {{ relation }} where {{ new_rows }})
                and (select max({{ column }}) from {{ relation }} where {{ new_rows }})
        {%- endfor %}
    {%- endset -%}
    {{ return(rows) }}
{%- endmacro %}

{#- The ids of the dlt loads completed (`_dlt_loads` in `relation`'s schema) since the last
    green build started. -#}
{% macro completed_loads_since_last_green_build(relation) -%}
    {{ return(completed_load_ids(
        api.Relation.create(
            database=relation.database, schema=relation.schema, identifier='_dlt_loads'),
        'dlt_loads.inserted_at > ' ~ last_green_build())) }}
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
