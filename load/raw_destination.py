"""dlt's postgres destination, with an insert-only merge that a resumed load cannot double.

dlt runs a load job (a COPY into the staging table) at least once, not exactly once: if the
loader is killed after a job's COPY commits but before dlt records the job as done, the next
run resumes the load package and runs that job again, so the staging table holds the file's
rows twice. dlt's `insert-only` MERGE inserts every staging row that is not yet in the table,
duplicates included (tests/load/test_crash.py caught 12,000 doubled orders this way).

Here the MERGE reads the staging table deduplicated by the primary key (`distinct on`): the
merge stays one statement in dlt's transaction, and what lands in raw is exactly one row per
version however often a job ran. Everything else is dlt's postgres destination unchanged.

Raw tables also get a BRIN index on `_dlt_load_id`: rows are appended load after load, so
"the rows of load X" (the loader's counts, dbt's incremental staging) reads only X's pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dlt.common.destination.client import PreparedTableSchema
from dlt.destinations import postgres
from dlt.destinations.impl.postgres.postgres import PostgresClient
from dlt.destinations.job_client_impl import FollowupJobRequest
from dlt.destinations.sql_client import SqlClientBase
from dlt.destinations.sql_jobs import SqlMergeFollowupJob


class ExactlyOnceMergeJob(SqlMergeFollowupJob):
    @classmethod
    def gen_upsert_merge_sql(cls, root_table_name: str, staging_root_table_name: str,
                             primary_keys: Sequence[str], *args: Any, **kwargs: Any) -> list[str]:
        deduplicated = (f"(select distinct on ({', '.join(primary_keys)}) * "
                        f"from {staging_root_table_name})")
        return super().gen_upsert_merge_sql(root_table_name, deduplicated, primary_keys,
                                            *args, **kwargs)


class RawPostgresClient(PostgresClient):
    def _create_merge_followup_jobs(
        self, table_chain: Sequence[PreparedTableSchema]
    ) -> list[FollowupJobRequest]:
        return [ExactlyOnceMergeJob.from_table_chain(table_chain, self.sql_client)]


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
    """The destination, configured like dlt's postgres (`destination.postgres.credentials`)."""
    return raw_postgres(credentials=credentials, destination_name="postgres")


def index_load_ids(sql: SqlClientBase[Any], table: str) -> None:
    """A BRIN index on the raw table's `_dlt_load_id` (built once, a few pages in size)."""
    name = sql.escape_column_name(f"{table}__dlt_load_id_brin")
    sql.execute_sql(f"create index if not exists {name} on "
                    f"{sql.make_qualified_table_name(table)} using brin (_dlt_load_id)")
