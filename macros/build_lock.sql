{#- Two `dbt build`s at once on one database (a re-run started while the nightly still runs,
    or an analyst's build): each model, seed and snapshot is built under a transaction-level
    advisory lock on its relation, taken first in the node's transaction (a pre-hook). The
    second build's node waits until the first build's node commits, then reads what it wrote:
    an incremental model never inserts the same rows twice, and two table swaps never collide
    on `__dbt_tmp`/`__dbt_backup`. A killed build's transaction ends with its connection, and
    the lock with it.

    Why not one session lock for the whole build, taken in on-run-start: dbt-postgres closes
    the connection the on-run-start hooks ran on before the first node starts, and every node
    opens and closes its own connection, so no session of dbt's lives as long as the build. -#}
{% macro build_lock() -%}
    {{ return(adapter.dispatch('build_lock')()) }}
{%- endmacro %}

{#- A table or view is swapped in as dbt's table/view materializations do: the old relation
    renamed to `<name>__dbt_backup` inside the transaction, the backup dropped after the
    commit. The build that waited on the lock renames in between and would find the other
    build's backup still there ("relation ... __dbt_backup already exists"): it drops it first,
    under the lock. -#}
{% macro default__build_lock() -%}
    select pg_advisory_xact_lock(hashtext('dbt {{ project_name }}'), hashtext('{{ this }}'))
    {%- set kind = config.get('materialized') %}
    {%- if kind in ['table', 'view'] %};
    drop {{ kind }} if exists {{ make_backup_relation(this, kind) }} cascade
    {%- endif %}
{%- endmacro %}
