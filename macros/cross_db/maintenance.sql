{#- Table statistics after a model is built (post_hook): PostgreSQL's planner needs them to see
    how few rows are new and use the built_at indexes (macros/build_stamp.sql).

    A full build analyzes the new table. An incremental build analyzes only when it wrote
    more than a tenth of the table's rows (its rows are those stamped by this build, counted
    through the built_at index): `analyze` samples the whole table, which at ten million
    orders costs seconds per model, while a nightly's few new rows change no statistic the
    planner needs. Their built_at is newer than any value the statistics hold, so the planner
    estimates `built_at > <last build>` near zero rows and takes the index, as it should; and
    autovacuum analyzes a table again once a tenth of it has changed. -#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table')(relation)) }}
{%- endmacro %}

{% macro default__analyze_table(relation) -%}
    {%- if not is_incremental() -%}
        analyze {{ relation }}
    {%- else -%}
        do $$
        begin
            if (select count(*) from {{ relation }} where built_at = {{ build_stamp() }})
                > 0.1 * (
                    select greatest(reltuples, 0) from pg_class
                    where oid = '{{ relation.include(database=false) }}'::regclass
                )
            then
                analyze {{ relation }};
            end if;
        end
        $$
    {%- endif -%}
{%- endmacro %}
