{#- Stand-ins for the dbt_expectations generic tests used by order_analytics. Same names,
    arguments and semantics as upstream metaplane/dbt_expectations 0.10.x. -#}

{#- Each non-null value must lie in [min_value, max_value] (open interval if strictly).
    Null values pass. -#}
{% test expect_column_values_to_be_between(
    model, column_name, min_value=None, max_value=None, row_condition=None, strictly=False
) %}
{% set expression %}
{{ column_name }}
{% endset %}
{{ dbt_expectations.expression_between(
    model,
    expression=expression,
    min_value=min_value,
    max_value=max_value,
    group_by_columns=None,
    row_condition=row_condition,
    strictly=strictly
) }}
{% endtest %}

{#- Each value must contain a match of the POSIX regex (anchor it with ^...$ for a full
    match). As upstream on postgres, a null value counts as not matching: restrict with
    row_condition if nulls are allowed. -#}
{% test expect_column_values_to_match_regex(
    model, column_name, regex, row_condition=None, is_raw=False, flags=""
) %}
{% set expression %}
{{ dbt_expectations.regexp_instr(column_name, regex, is_raw=is_raw, flags=flags) }} > 0
{% endset %}
{{ dbt_expectations.expression_is_true(
    model,
    expression=expression,
    group_by_columns=None,
    row_condition=row_condition
) }}
{% endtest %}

{#- count(*) (per group_by group, rows filtered by row_condition) must lie in
    [min_value, max_value] (open interval if strictly). -#}
{% test expect_table_row_count_to_be_between(
    model, min_value=None, max_value=None, group_by=None, row_condition=None, strictly=False
) %}
{% set expression %}
count(*)
{% endset %}
{{ dbt_expectations.expression_between(
    model,
    expression=expression,
    min_value=min_value,
    max_value=max_value,
    group_by_columns=group_by,
    row_condition=row_condition,
    strictly=strictly
) }}
{% endtest %}
