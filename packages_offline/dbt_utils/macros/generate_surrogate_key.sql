{#- Stand-in for dbt_utils.generate_surrogate_key (same name, argument and output as
    upstream dbt_utils >= 1.0: md5 over the '-'-joined text of each field, nulls replaced by
    '_dbt_utils_surrogate_key_null_'). -#}
{%- macro generate_surrogate_key(field_list) -%}
    {{ return(adapter.dispatch('generate_surrogate_key', 'dbt_utils')(field_list)) }}
{%- endmacro -%}

{%- macro default__generate_surrogate_key(field_list) -%}
    {%- if var('surrogate_key_treat_nulls_as_empty_strings', false) -%}
        {%- set default_null_value = "" -%}
    {%- else -%}
        {%- set default_null_value = '_dbt_utils_surrogate_key_null_' -%}
    {%- endif -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string() ~ "), '"
            ~ default_null_value ~ "')"
        ) -%}
        {%- if not loop.last -%}
            {%- do fields.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro -%}
