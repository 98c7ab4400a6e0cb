{#- Internal helpers, as in upstream dbt_expectations: a row (or group) fails when
    `expression test_condition` is not true; a null result is not a failure. -#}
{% macro truth_expression(expression) %}
    {{ return(adapter.dispatch('truth_expression', 'dbt_expectations')(expression)) }}
{% endmacro %}

{% macro default__truth_expression(expression) %}
    {{ expression }} as expression
{% endmacro %}

{% macro expression_is_true(
    model, expression, test_condition="= true", group_by_columns=None, row_condition=None
) %}
    {{ return(adapter.dispatch('expression_is_true', 'dbt_expectations')(
        model, expression, test_condition, group_by_columns, row_condition
    )) }}
{% endmacro %}

{% macro default__expression_is_true(
    model, expression, test_condition, group_by_columns, row_condition
) -%}
with grouped_expression as (
    select
        {% if group_by_columns %}
        {% for group_by_column in group_by_columns -%}
        {{ group_by_column }} as col_{{ loop.index }},
        {% endfor -%}
        {% endif %}
        {{ dbt_expectations.truth_expression(expression) }}
    from {{ model }}
    {%- if row_condition %}
    where {{ row_condition }}
    {% endif %}
    {% if group_by_columns %}
    group by
    {% for group_by_column in group_by_columns -%}
        {{ group_by_column }}{% if not loop.last %},{% endif %}
    {% endfor %}
    {% endif %}
),

validation_errors as (
    select *
    from grouped_expression
    where not(expression {{ test_condition }})
)

select * from validation_errors
{% endmacro %}

{% macro expression_between(
    model, expression, min_value=None, max_value=None, group_by_columns=None,
    row_condition=None, strictly=False
) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "You have to provide either a min_value, max_value or both."
        ) }}
    {%- endif -%}
    {%- set strict_operator = "" if strictly else "=" -%}
    {% set expression_min_max %}
    ( 1=1
    {%- if min_value is not none %}
        and {{ expression | trim }} >{{ strict_operator }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
        and {{ expression | trim }} <{{ strict_operator }} {{ max_value }}
    {%- endif %}
    )
    {% endset %}
    {{ dbt_expectations.expression_is_true(
        model,
        expression=expression_min_max,
        group_by_columns=group_by_columns,
        row_condition=row_condition
    ) }}
{% endmacro %}
