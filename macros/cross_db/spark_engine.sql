{#- How the project builds on Apache Spark with plain parquet tables (dbt-spark, `method:
    thrift`). PostgreSQL is unaffected by anything in this file.

    Parquet tables can be created, replaced and appended to, but not updated, deleted from or
    merged into (that needs Delta Lake, Iceberg or Hudi, whose jars are not part of Spark).
    The project's incremental models replace the rows of changed keys (delete+insert), so on
    Spark every model is rebuilt whole on every run: `is_incremental()` is false and the
    `incremental` materialization builds a table
    (macros/materializations/spark_incremental.sql). The results equal an incremental build
    (tests/e2e/test_incremental_marts.py proves incremental == full on PostgreSQL). -#}

{% macro is_incremental() -%}
    {%- if target.type == 'spark' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(dbt.is_incremental()) }}
{%- endmacro %}

{#- Plain Spark has no SQL grants (Databricks' Unity Catalog has): the `grants` config is
    skipped. Remove this override to have dbt-spark issue GRANT statements. -#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#- Contracts name PostgreSQL types (text, timestamptz, numeric(12,2), integer); on Spark the
    same contract is checked with the matching Spark types. -#}
{% macro spark__get_assert_columns_equivalent(sql) -%}
    {%- set spark_types = {
        'text': 'string', 'timestamptz': 'timestamp', 'jsonb': 'string', 'integer': 'int',
    } -%}
    {%- set columns = {} -%}
    {%- for name, column in model['columns'].items() -%}
        {%- set data_type = column['data_type'] -%}
        {%- set data_type = spark_types.get(data_type, data_type)
            | replace("numeric", "decimal") -%}
        {%- set translated = column.copy() -%}
        {%- do translated.update({'data_type': data_type}) -%}
        {%- do columns.update({name: translated}) -%}
    {%- endfor -%}
    {%- do model.update({'columns': columns}) -%}
    {{ return(assert_columns_equivalent(sql)) }}
{%- endmacro %}

{#- The analyst role and schema grants (on-run-start/-end): PostgreSQL only (see above). -#}
{% macro spark__ensure_role(role_name) -%}
{%- endmacro %}
{% macro spark__grant_schema_usage(role_name, schemas, revoke_from=[]) -%}
{%- endmacro %}

{#- Two builds at once: PostgreSQL's advisory lock (macros/build_lock.sql) has no Spark
    counterpart here; on Spark run one `dbt build` at a time. -#}
{% macro spark__build_lock() -%}
{%- endmacro %}

{#- Statistics after a build (post_hook): the planner of PostgreSQL needs them to use the
    built_at indexes; Spark rebuilds whole tables and has no such indexes. -#}
{% macro spark__analyze_table(relation) -%}
{%- endmacro %}

{#- Incremental tests since the last green build need the green-build log; on Spark every
    build rebuilds every row, so nothing is recorded and the scoped tests' filter
    (macros/test_scoping.sql) is rendered with the earliest instant: every row is checked. -#}
{% macro spark__record_green_build(results) -%}
{%- endmacro %}
{% macro spark__tests_since_last_green_build() -%}
    {{ return(false) }}
{%- endmacro %}
{% macro spark__last_green_build() -%}
    cast('0001-01-01 00:00:00' as timestamp)
{%- endmacro %}
