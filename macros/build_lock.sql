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

{% macro default__build_lock() -%}
    select pg_advisory_xact_lock(hashtext('dbt {{ project_name }}'), hashtext('{{ this }}'))
{%- endmacro %}
