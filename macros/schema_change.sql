{#- An incremental model whose columns changed is rebuilt whole on its next run.

    dbt's on_schema_change either fails the run (`fail`: a changed model passes CI on a fresh
    database, then fails every nightly until someone runs `--full-refresh`) or patches the
    table (`append_new_columns`: the rows already built keep a null in the new column, so the
    table no longer equals a full build). Instead, when the columns declared in the model's
    YAML (every column is declared: tests/dbt_lint) differ from the built table's, this
    override of dbt's should_full_refresh() makes that one run a full refresh: the model is
    rebuilt from all its input, every row stamped anew, so the incremental models downstream
    rebuild every key too. Anything else (`--full-refresh`, the `full_refresh` config) works
    as in dbt. -#}
{% macro should_full_refresh() -%}
    {%- set configured = config.get('full_refresh') -%}
    {%- if configured is none -%}
        {%- set configured = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- if configured or not execute or model.config.materialized != 'incremental'
        or target.type == 'spark' -%}
        {{ return(configured) }}
    {%- endif -%}
    {{ return(declared_columns_changed()) }}
{%- endmacro %}

{#- True when the model's table exists and its columns are not the ones its YAML declares
    (asked once per model and run: is_incremental() calls should_full_refresh() often). -#}
{% macro declared_columns_changed() -%}
    {%- if '_declared_columns_changed' in model -%}
        {{ return(model['_declared_columns_changed']) }}
    {%- endif -%}
    {%- set declared = model.columns.keys() | map('lower') | sort | list -%}
    {%- set built = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {%- set changed = false -%}
    {%- if declared and built is not none -%}
        {%- set built_columns = adapter.get_columns_in_relation(built)
            | map(attribute='name') | map('lower') | sort | list -%}
        {%- set changed = built_columns != declared -%}
        {%- if changed -%}
            {{ log(this ~ ": columns changed, rebuilt whole (was " ~ built_columns | join(', ')
                ~ ")", info=true) }}
        {%- endif -%}
    {%- endif -%}
    {%- do model.update({'_declared_columns_changed': changed}) -%}
    {{ return(changed) }}
{%- endmacro %}
