{#- Table statistics after a model is built (post_hook): PostgreSQL's planner needs them to see
    how few rows are new and use the built_at indexes (macros/build_stamp.sql). -#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table')(relation)) }}
{%- endmacro %}

{% macro default__analyze_table(relation) -%}
    analyze {{ relation }}
{%- endmacro %}
