{#- Incremental staging by dlt load, on dlt's append-only raw history.

    A raw row is picked up by the load that wrote it (`_dlt_load_id`, increasing with every
    load), never by its updated_at: a version that became visible late (the loader re-reads
    the API's 10-minute late-visibility window) or a backfill (`--since`, `--from-export`)
    lands in a later load, so it is picked up exactly once, however old its updated_at. -#}

{#- Rows of the loads dlt has completed (status 0 in `_dlt_loads`). A load that is still
    running, or was killed and will be completed by the next run under the same load id, is
    skipped until it is complete; otherwise an incremental build could see part of a load
    and never the rest. Loads complete in load id order (dlt finishes a pending load before
    it starts a new one). -#}
{% macro completed_dlt_load(load_id_column='_dlt_load_id') -%}
    {{ load_id_column }} in (
        select dlt_loads.load_id
        from {{ source('order_api', '_dlt_loads') }} as dlt_loads
        where dlt_loads.status = 0
    )
{%- endmacro %}

{#- In an incremental build: the rows of loads newer than the newest load already in the
    model ({{ this }}.dlt_load_id). In a full build: every row (renders `true`). -#}
{% macro loaded_after_last_build(load_id_column='dlt_load_id') -%}
    {%- if is_incremental() -%}
        cast({{ load_id_column }} as numeric) > (
            select coalesce(max(cast(built.dlt_load_id as numeric)), 0)
            from {{ this }} as built
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
