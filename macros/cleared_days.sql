{#- Post-hook of a model rebuilt by day (delete+insert on its day key), such as
    int_orders_aggregated_to_days: a day left without rows is written as one row with
    order_count 0, so that delete+insert clears it; that row is removed here. A full build
    writes no such row (every group counts at least one order). -#}
{% macro remove_cleared_days() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where order_count = 0
    {%- endif -%}
{%- endmacro %}
