{#- Stand-in for dbt_expectations.regexp_instr (postgres, spark + default implementations). -#}
{% macro regexp_instr(source_value, regexp, position=1, occurrence=1, is_raw=False, flags="") %}
    {{ adapter.dispatch('regexp_instr', 'dbt_expectations')(
        source_value, regexp, position, occurrence, is_raw, flags
    ) }}
{% endmacro %}

{% macro default__regexp_instr(source_value, regexp, position, occurrence, is_raw, flags) %}
{% if flags %}{{ dbt_expectations._validate_flags(flags, 'ciep') }}{% endif %}
regexp_instr({{ source_value }}, '{{ regexp }}', {{ position }}, {{ occurrence }}, 0, '{{ flags }}')
{% endmacro %}

{#- Postgres does not need to escape raw strings -#}
{% macro postgres__regexp_instr(source_value, regexp, position, occurrence, is_raw, flags) %}
{% if flags %}{{ dbt_expectations._validate_flags(flags, 'bcegimnpqstwx') }}{% endif %}
coalesce(array_length(
    (select regexp_matches({{ source_value }}, '{{ regexp }}', '{{ flags }}')), 1
), 0)
{% endmacro %}

{#- Spark: position of the first match (0 if none); no flags. Java regular expressions: POSIX
    classes such as [:space:] become \p{Space}, and backslashes are doubled for Spark's string
    literal. -#}
{% macro spark__regexp_instr(source_value, regexp, position, occurrence, is_raw, flags) %}
{% if flags %}{{ dbt_expectations._validate_flags(flags, '') }}{% endif %}
{%- set java = regexp | replace('\\', '\\\\') -%}
{%- set java = java | replace('[:alpha:]', '\\\\p{Alpha}') | replace('[:digit:]', '\\\\p{Digit}')
    | replace('[:alnum:]', '\\\\p{Alnum}') | replace('[:upper:]', '\\\\p{Upper}')
    | replace('[:lower:]', '\\\\p{Lower}') | replace('[:space:]', '\\\\p{Space}')
    | replace('[:punct:]', '\\\\p{Punct}') %}
regexp_instr({{ source_value }}, '{{ java }}')
{% endmacro %}

{% macro _validate_flags(flags, alphabet) %}
{% for flag in flags %}
    {% if flag not in alphabet %}
    {{ exceptions.raise_compiler_error(
        "flag " ~ flag ~ " not in list of allowed flags for this adapter: "
        ~ alphabet | join(", ")
    ) }}
    {% endif %}
{% endfor %}
{% endmacro %}
