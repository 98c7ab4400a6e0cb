{#- Calendar helpers for dim_dates (see types.sql for how engine differences are dispatched). -#}

{#- One row per day from `first_day` to `last_day` (dates, columns of `relation_alias`), as
    the `date_day` column: a lateral generate_series on PostgreSQL, explode(sequence()) on
    Spark. -#}
{% macro days_between(relation_alias, first_day, last_day) -%}
    {{ return(adapter.dispatch('days_between')(relation_alias, first_day, last_day)) }}
{%- endmacro %}
{% macro default__days_between(relation_alias, first_day, last_day) -%}
    select cast(series.day_ts as date) as date_day
    from {{ relation_alias }}
    cross join lateral generate_series(
        {{ relation_alias }}.{{ first_day }}, {{ relation_alias }}.{{ last_day }},
        interval '1 day'
    ) as series (day_ts)
{%- endmacro %}
{% macro spark__days_between(relation_alias, first_day, last_day) -%}
    select explode(sequence(
        {{ relation_alias }}.{{ first_day }}, {{ relation_alias }}.{{ last_day }},
        interval 1 day
    )) as date_day
    from {{ relation_alias }}
{%- endmacro %}

{#- The last day of the year of a date or instant's UTC day. -#}
{% macro last_day_of_year(expression) -%}
    {{ return(adapter.dispatch('last_day_of_year')(expression)) }}
{%- endmacro %}
{% macro default__last_day_of_year(expression) -%}
    cast(date_trunc('year', {{ expression }}) + interval '1 year - 1 day' as date)
{%- endmacro %}
{% macro spark__last_day_of_year(expression) -%}
    date_add(add_months(cast(date_trunc('year', {{ expression }}) as date), 12), -1)
{%- endmacro %}

{#- A date's part: 'year', 'quarter', 'month', 'day', 'isodow' (1 = Monday .. 7 = Sunday),
    'week' (ISO week number). -#}
{% macro date_part_of(part, expression) -%}
    {{ return(adapter.dispatch('date_part_of')(part, expression)) }}
{%- endmacro %}
{% macro default__date_part_of(part, expression) -%}
    cast(date_part('{{ part }}', {{ expression }}) as integer)
{%- endmacro %}
{% macro spark__date_part_of(part, expression) -%}
    {%- set functions = {
        'year': 'year', 'quarter': 'quarter', 'month': 'month', 'day': 'dayofmonth',
        'week': 'weekofyear',
    } -%}
    {%- if part == 'isodow' -%}
        cast(extract(dayofweek_iso from {{ expression }}) as int)
    {%- else -%}
        {{ functions[part] }}({{ expression }})
    {%- endif -%}
{%- endmacro %}

{#- English month ('January') or day ('Monday') name of a date. -#}
{% macro date_name(part, expression) -%}
    {{ return(adapter.dispatch('date_name')(part, expression)) }}
{%- endmacro %}
{% macro default__date_name(part, expression) -%}
    trim(to_char({{ expression }}, '{{ {"month": "Month", "day": "Day"}[part] }}'))
{%- endmacro %}
{% macro spark__date_name(part, expression) -%}
    date_format({{ expression }}, '{{ {"month": "MMMM", "day": "EEEE"}[part] }}')
{%- endmacro %}
