{#- Engine differences in types and expressions, one dispatched macro each (`default__` is
    PostgreSQL, `spark__` Apache Spark). Models call these instead of an engine's own syntax,
    so one set of models builds on both (README, "Outgrowing one PostgreSQL"). -#}

{#- Unbounded text. -#}
{% macro type_text() -%}
    {{ return(adapter.dispatch('type_text')()) }}
{%- endmacro %}
{% macro default__type_text() -%}
    {{ return('text') }}
{%- endmacro %}
{% macro spark__type_text() -%}
    {{ return('string') }}
{%- endmacro %}

{#- An instant (PostgreSQL timestamptz; Spark's timestamp is an instant shown in the session
    time zone, UTC in this project's profile). -#}
{% macro type_timestamptz() -%}
    {{ return(adapter.dispatch('type_timestamptz')()) }}
{%- endmacro %}
{% macro default__type_timestamptz() -%}
    {{ return('timestamptz') }}
{%- endmacro %}
{% macro spark__type_timestamptz() -%}
    {{ return('timestamp') }}
{%- endmacro %}

{#- A JSON document (PostgreSQL jsonb; JSON text on Spark, read with get_json_object). -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json')()) }}
{%- endmacro %}
{% macro default__type_json() -%}
    {{ return('jsonb') }}
{%- endmacro %}
{% macro spark__type_json() -%}
    {{ return('string') }}
{%- endmacro %}

{#- A dlt load id (unix epoch seconds as text, e.g. 1795839451.7621675) as a number that sorts
    loads in order. Spark's bare `numeric` is decimal(10,0): the fraction would be lost. -#}
{% macro load_id_number(expression) -%}
    {{ return(adapter.dispatch('load_id_number')(expression)) }}
{%- endmacro %}
{% macro default__load_id_number(expression) -%}
    cast({{ expression }} as numeric)
{%- endmacro %}
{% macro spark__load_id_number(expression) -%}
    cast({{ expression }} as decimal(24, 10))
{%- endmacro %}

{#- Unix epoch seconds (a number, fractions kept) as an instant. -#}
{% macro epoch_to_timestamp(expression) -%}
    {{ return(adapter.dispatch('epoch_to_timestamp')(expression)) }}
{%- endmacro %}
{% macro default__epoch_to_timestamp(expression) -%}
    to_timestamp({{ expression }})
{%- endmacro %}
{% macro spark__epoch_to_timestamp(expression) -%}
    timestamp_micros(cast(round(({{ expression }}) * 1000000) as bigint))
{%- endmacro %}

{#- The UTC calendar day of an instant. -#}
{% macro utc_date(expression) -%}
    {{ return(adapter.dispatch('utc_date')(expression)) }}
{%- endmacro %}
{% macro default__utc_date(expression) -%}
    cast({{ expression }} at time zone 'UTC' as date)
{%- endmacro %}
{% macro spark__utc_date(expression) -%}
    to_date(to_utc_timestamp({{ expression }}, current_timezone()))
{%- endmacro %}

{#- The UTC day of an instant as an integer yyyymmdd (the dim_dates key). -#}
{% macro utc_date_key(expression) -%}
    {{ return(adapter.dispatch('utc_date_key')(expression)) }}
{%- endmacro %}
{% macro default__utc_date_key(expression) -%}
    cast(to_char({{ expression }} at time zone 'UTC', 'YYYYMMDD') as integer)
{%- endmacro %}
{% macro spark__utc_date_key(expression) -%}
    cast(date_format({{ utc_date(expression) }}, 'yyyyMMdd') as int)
{%- endmacro %}

{#- Seconds (with fractions) from instant `start` to instant `end`. -#}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between')(start, end)) }}
{%- endmacro %}
{% macro default__seconds_between(start, end) -%}
    extract(epoch from {{ end }} - {{ start }})
{%- endmacro %}
{% macro spark__seconds_between(start, end) -%}
    (unix_micros({{ end }}) - unix_micros({{ start }})) / 1000000.0
{%- endmacro %}
