{#- Money is numeric(12,2) everywhere (the API sends decimal strings with two decimals). -#}
{% macro cast_money(expression) -%}
    cast({{ expression }} as numeric(12, 2))
{%- endmacro %}
