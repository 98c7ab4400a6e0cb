{#- Grants for the analyst role. Both macros render to one idempotent statement, so they
    can run on every invocation (on-run-start / on-run-end) and concurrently. -#}

{#- Create a NOLOGIN role if it is missing. Two runs racing on CREATE ROLE make the loser
    fail with duplicate_object or unique_violation; both are swallowed. -#}
{% macro ensure_role(role_name) -%}
    {{ return(adapter.dispatch('ensure_role')(role_name)) }}
{%- endmacro %}

{% macro default__ensure_role(role_name) -%}
do $ensure_role$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = '{{ role_name }}') then
        begin
            create role {{ adapter.quote(role_name) }} nologin;
        exception
            when duplicate_object or unique_violation then null;
        end;
    end if;
end
$ensure_role$;
{%- endmacro %}

{#- USAGE on each schema in `schemas` (the relations themselves get SELECT through the
    `grants` model config); revoke everything on the schemas in `revoke_from` and on their
    tables/views. Schemas that do not exist yet are skipped. Two builds ending at once would
    update the same catalog rows and one fail with "tuple concurrently updated"; a
    transaction advisory lock makes the second wait for the first's commit. -#}
{% macro grant_schema_usage(role_name, schemas, revoke_from=[]) -%}
    {{ return(adapter.dispatch('grant_schema_usage')(role_name, schemas, revoke_from)) }}
{%- endmacro %}

{% macro default__grant_schema_usage(role_name, schemas, revoke_from=[]) -%}
do $grant_usage$
declare
    s text;
begin
    perform pg_advisory_xact_lock(hashtext('dbt {{ project_name }}'), hashtext('schema grants'));
    {%- for schema in schemas %}
    if exists (select 1 from pg_catalog.pg_namespace where nspname = '{{ schema }}') then
        execute format('grant usage on schema %I to %I', '{{ schema }}', '{{ role_name }}');
    end if;
    {%- endfor %}
    {%- if revoke_from %}
    foreach s in array {{ "array['" ~ revoke_from | join("', '") ~ "']::text[]" }} loop
        if exists (select 1 from pg_catalog.pg_namespace where nspname = s) then
            execute format('revoke all on schema %I from %I', s, '{{ role_name }}');
            execute format('revoke all on all tables in schema %I from %I', s, '{{ role_name }}');
        end if;
    end loop;
    {%- endif %}
end
$grant_usage$;
{%- endmacro %}
