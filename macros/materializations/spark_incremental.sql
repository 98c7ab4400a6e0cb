{#- Spark with plain parquet tables: an `incremental` model is built as a table, whole, on
    every run (macros/cross_db/spark_engine.sql says why). Not linted by sqlfluff (its jinja
    templater does not know the `materialization` tag): .sqlfluff, .sqlfluffignore. -#}
{% materialization incremental, adapter='spark' -%}
    {{ return(materialization_table_spark()) }}
{%- endmaterialization %}
