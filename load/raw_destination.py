"""dlt's postgres destination, with an insert-only merge made for append-only history.

Raw keeps every version of a record once: dlt's `merge` with the `insert-only` strategy, one
MERGE per table from dlt's staging table. This module changes that MERGE in three ways:

1. **A job that ran twice cannot double rows.** dlt runs a load job (a COPY into staging) at
   least once: a loader killed after a job's COPY commits but before dlt records the job runs it
   again on resume, and the staging table holds the file's rows twice. dlt's MERGE would insert
   both (tests/load/test_crash.py caught 12,000 doubled orders this way); here the MERGE reads
   staging deduplicated by the primary key (`distinct on`).
2. **A nightly merge reads only the recent end of raw.** Versions arrive in `updated_at` order,
   so raw is physically ordered by it. A version in staging can only match raw rows at or after
   the oldest `updated_at` in staging; that bound on the key's timestamp column, with a BRIN
   index on it, lets PostgreSQL skip the rest of the table instead of scanning it all.
3. **A first load is not written twice.** When raw's table is still empty, the merge's result
   is exactly the staging table (if it holds no key twice), so staging's table is moved into raw
   instead, as dlt's own `staging-optimized` replace does on postgres: the rows PostgreSQL just
   copied are not copied again (~15 s of a 1M-order full load). See `_merge_or_move`.

Raw tables get their BRIN index (on `_dlt_load_id` and the key's timestamp) after each load
(`index_and_count`): a few pages each, created once, which also make "the rows of load X" (the
run summary, dbt's incremental staging) cheap. Everything else is dlt's postgres destination.

Where raw is (`locate`, `connect`): the `_PGSQL_*` settings, else dlt's
`destination.postgres.credentials`, else the embedded server in `.local/pg` (load/warehouse.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import dlt
import psycopg2
from dlt.common.destination.client import PreparedTableSchema
from dlt.common.schema.utils import get_columns_names_with_prop
from dlt.destinations import postgres
from dlt.destinations.impl.postgres.configuration import PostgresCredentials
from dlt.destinations.impl.postgres.postgres import PostgresClient
from dlt.destinations.job_client_impl import FollowupJobRequest
from dlt.destinations.sql_client import SqlClientBase
from dlt.destinations.sql_jobs import SqlMergeFollowupJob

import errors
import warehouse

log = logging.getLogger("order_api")

STATE_ID_CONSTRAINT = "_dlt_pipeline_state__dlt_id_key"  # see `destination`
# Fresh raw tables have no statistics yet, and without them the planner would rather scan all of
# raw than use the BRIN index; the penalty that steers it away from scans then makes its cost
# estimate huge, which would switch JIT compilation on (~0.3 s per statement for nothing).
PLAN_WITH_BRIN = ("set local enable_seqscan = off", "set local jit = off")


def _time_key(table: PreparedTableSchema) -> str | None:
    """The primary key's timestamp column (e.g. `updated_at`), if it has one."""
    keys = get_columns_names_with_prop(table, "primary_key")
    return next((k for k in keys if table["columns"][k].get("data_type") == "timestamp"), None)


class InsertOnlyHistoryMergeJob(SqlMergeFollowupJob):
    @classmethod
    def gen_upsert_sql(cls, table_chain: Sequence[PreparedTableSchema],
                       sql_client: SqlClientBase[Any], insert_only: bool = False,
                       **kwargs: Any) -> list[str]:
        if not insert_only or len(table_chain) != 1:  # raw has no nested tables
            return super().gen_upsert_sql(table_chain, sql_client, insert_only, **kwargs)
        table = table_chain[0]
        target, staging = sql_client.get_qualified_table_names(table["name"])
        esc = sql_client.escape_column_name
        keys = [esc(k) for k in get_columns_names_with_prop(table, "primary_key")]
        columns = [esc(c) for c in table["columns"]]
        on = " and ".join(f"d.{k} = s.{k}" for k in keys)
        if (time_key := _time_key(table)) is not None:
            on += f" and d.{esc(time_key)} >= (select min({esc(time_key)}) from {staging})"
        merge = (f"merge into {target} as d "
                 f"using (select distinct on ({', '.join(keys)}) * from {staging}) as s on {on} "
                 f"when not matched then insert ({', '.join(columns)}) "
                 f"values ({', '.join('s.' + c for c in columns)})")
        dataset = sql_client.fully_qualified_dataset_name()
        return [*PLAN_WITH_BRIN, _merge_or_move(target, staging, dataset, keys, merge)]


def _merge_or_move(target: str, staging: str, dataset: str, keys: list[str], merge: str) -> str:
    """One plpgsql block: `merge`, or, when raw's table is still empty (a first load), staging's
    table moved into raw in its place, as dlt's `staging-optimized` replace does on postgres.

    The move writes nothing: the rows PostgreSQL just copied into staging become raw's. It is
    taken only when that is exactly the merge's result and loses nothing around the table: raw's
    table is empty, nothing (a view, trigger, policy) depends on it, both tables have the same
    columns, and staging holds no key twice (a job that ran twice goes the merge's way, which
    reads it deduplicated). Raw's grants are carried over. The decision is made inside the
    transaction, so running the block again after it committed takes the merge branch and adds
    nothing. dlt runs it as one statement: it splits job SQL at `;` and rejoins the parts with
    `;` (each part on one line, no `;` inside a literal).
    """
    oid = f"'{target}'::regclass"
    grantee = ("case when g.grantee = 0 then 'public' "
               "else quote_ident(pg_get_userbyid(g.grantee)) end")
    return " ".join([
        "do $raw$ declare",
        f"acl aclitem[] := (select relacl from pg_class where oid = {oid});",
        f"owner oid := (select relowner from pg_class where oid = {oid});",
        "g record;",
        f"begin if not exists (select from {target})",
        f"and not exists (select from pg_depend where refobjid = {oid} and (deptype = 'n' "
        "or classid in ('pg_trigger'::regclass, 'pg_policy'::regclass)))",
        f"and {_column_list(target)} = {_column_list(staging)}",
        f"and not exists (select from {staging} group by {', '.join(keys)} "
        "having count(*) > 1) then",
        f"drop table {target};",
        f"alter table {staging} set schema {dataset};",
        f"create table {staging} (like {target} including all);",
        "for g in select * from aclexplode(acl) where grantee <> owner loop",
        f"execute 'grant ' || g.privilege_type || ' on {target} to ' || {grantee}",
        "|| case when g.is_grantable then ' with grant option' else '' end;",
        "end loop;",
        f"else {merge};",
        "end if; end $raw$",
    ])


def _column_list(table: str) -> str:
    """SQL for a table's columns as one text: names, types and not-null flags, in order."""
    return (f"(select string_agg(attname || ' ' || format_type(atttypid, atttypmod) || ' ' "
            f"|| attnotnull, ', ' order by attnum) from pg_attribute "
            f"where attrelid = '{table}'::regclass and attnum > 0 and not attisdropped)")


class RawPostgresClient(PostgresClient):
    def update_stored_schema(self, *args: Any, **kwargs: Any) -> Any:
        """dlt's update, then the state table's UNIQUE constraint on `_dlt_id` dropped where an
        earlier version of this loader created it (see `destination`)."""
        applied = super().update_stored_schema(*args, **kwargs)
        state = self.sql_client.make_qualified_table_name(self.schema.state_table_name)
        # a catalog lookup first: the ALTER would lock the state table at every call, ~2 a run
        if self.sql_client.execute_sql(
                "select from pg_constraint where conname = %s and conrelid = to_regclass(%s)",
                STATE_ID_CONSTRAINT, state):
            self.sql_client.execute_sql(
                f"alter table {state} drop constraint {STATE_ID_CONSTRAINT}")
        return applied

    def _create_merge_followup_jobs(
        self, table_chain: Sequence[PreparedTableSchema]
    ) -> list[FollowupJobRequest]:
        return [InsertOnlyHistoryMergeJob.from_table_chain(table_chain, self.sql_client)]


class raw_postgres(postgres):  # noqa: N801 - dlt's destination factories are lowercase
    @property
    def client_class(self) -> type[PostgresClient]:
        return RawPostgresClient

    @property
    def destination_type(self) -> str:
        """Recorded in the pipeline's state as dlt's own postgres, so that `dlt pipeline order_api
        info` and `dlt.attach` work anywhere; loads go through this class, which orders.py passes.
        """
        return postgres().destination_type


def destination(credentials: str | None = None) -> raw_postgres:
    """The destination, configured like dlt's postgres (`destination.postgres.credentials`).

    Without `create_indexes`: its only effect here is a UNIQUE constraint on `_dlt_id` of dlt's
    state table (raw tables have no `_dlt_id`). A loader killed after a load job committed but
    before dlt recorded the job runs the job again on resume; for the state row that re-insert
    hit the constraint and failed the resumed load terminally ("duplicate key value violates
    unique constraint _dlt_pipeline_state__dlt_id_key", tests/load/test_crash.py). Without it
    the state row is written twice, identical, which dlt's state restore reads as one."""
    return raw_postgres(credentials=credentials, destination_name="postgres",
                        create_indexes=False)


@dataclass(frozen=True)
class Location:
    """Where raw is, before connecting: the `_PGSQL_*` settings or dlt's credentials (a URL);
    neither: the embedded server."""

    settings: warehouse.PgSettings | None
    dlt_dsn: str | None

    @property
    def embedded(self) -> bool:
        return self.settings is None and self.dlt_dsn is None


def locate() -> Location:
    """The `_PGSQL_*` settings, else dlt's `destination.postgres.credentials`, else neither."""
    try:
        settings = warehouse.from_env()
    except ValueError as exc:
        raise errors.UsageError(str(exc)) from None
    return Location(settings, None if settings is not None else _dlt_credentials_dsn())


def _dlt_credentials_dsn() -> str | None:
    """dlt's `destination.postgres.credentials` (a URL or a table) as a connection URL."""
    value = dlt.secrets.get("destination.postgres.credentials")
    if value is None:
        return None
    credentials = PostgresCredentials()
    try:
        if isinstance(value, str):
            credentials.parse_native_representation(value)
        else:
            credentials.update(dict(value))
        return credentials.to_native_representation()
    except Exception:  # noqa: BLE001 - dlt's parse errors vary; the value may hold a password
        raise errors.UsageError("dlt's destination.postgres.credentials is not a PostgreSQL "
                                "connection URL or table: fix it (e.g. postgresql://user:pass@"
                                "host:5432/db) or set _PGSQL_HOSTNAME and friends.") from None


def connect(location: Location) -> tuple[raw_postgres, str, str]:
    """dlt destination, a printable location and a connection URL; checks the connection
    (starting the embedded server if raw is there)."""
    if location.dlt_dsn is not None:
        where = "dlt's destination.postgres.credentials"
        dest, dsn = destination(), location.dlt_dsn
    else:
        if location.embedded and not (warehouse.EMBEDDED_DATA_DIR / "postmaster.pid").exists():
            log.info("starting the embedded PostgreSQL in .local/pg (`make db-stop` stops it)")
        settings = location.settings or warehouse.resolve()
        where, dsn = settings.describe(), settings.url()
        dest = destination(dsn)
    try:
        psycopg2.connect(dsn, connect_timeout=10).close()
    except psycopg2.Error as exc:
        raise errors.UsageError(errors.database_error(exc, where)) from None
    return dest, where, dsn


def index_and_count(sql: SqlClientBase[Any], tables: Iterable[PreparedTableSchema],
                    load_ids: list[str]) -> dict[str, int]:
    """After a load: each raw table's BRIN index (created once), and the rows these loads added
    to it (the run summary's new versions)."""
    counts: dict[str, int] = {}
    for table in tables:
        index_raw_table(sql, table)
        counts[table["name"]] = count_loaded(sql, table["name"], load_ids)
    return counts


def index_raw_table(sql: SqlClientBase[Any], table: PreparedTableSchema) -> None:
    """A BRIN index on the raw table's `_dlt_load_id` and its key's timestamp (once).

    Two `create index if not exists` at once can both find no index and collide on the catalog
    (`pg_class_relname_nsp_index`); a transaction lock on the index's name makes the second
    wait for the first to commit, then find the index."""
    columns = ["_dlt_load_id", *filter(None, [_time_key(table)])]
    qualified = sql.make_qualified_table_name(table["name"])
    name = sql.escape_column_name(f"{table['name']}__brin")
    with sql.begin_transaction():
        sql.execute_sql("select pg_advisory_xact_lock(hashtext(%s))", f"{qualified}.{name}")
        sql.execute_sql(f"create index if not exists {name} on {qualified} using brin "
                        f"({', '.join(sql.escape_column_name(c) for c in columns)})")


def count_loaded(sql: SqlClientBase[Any], table: str, load_ids: list[str]) -> int:
    """Rows of the raw table written by these loads, found through the BRIN index."""
    with sql.begin_transaction():
        for setting in PLAN_WITH_BRIN:
            sql.execute_sql(setting)
        rows = sql.execute_sql(
            f"select count(*) from {sql.make_qualified_table_name(table)} "
            "where _dlt_load_id >= %s and _dlt_load_id = any(%s)", min(load_ids), load_ids)
    return int(rows[0][0])
