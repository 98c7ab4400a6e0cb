"""raw_destination's insert-only merge: exact history, even when dlt runs a load job twice."""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dlt
import pyarrow as pa
import pytest

import raw_destination
from tests.conftest import connect, query

T0 = datetime(2026, 11, 20, tzinfo=UTC)


@dlt.resource(primary_key=["id", "updated_at"],
              write_disposition={"disposition": "merge", "strategy": "insert-only"})
def versions(rows: list[tuple[int, int]]):  # noqa: ANN201
    """(id, hours after T0) versions, as Arrow (like the loader: no _dlt_id to keep rows apart)."""
    yield pa.table({"id": [i for i, _ in rows],
                    "updated_at": pa.array([T0 + timedelta(hours=h) for _, h in rows],
                                           pa.timestamp("us", tz="UTC"))})


def _load_with_one_job_twice(pipeline: dlt.Pipeline, rows: list[tuple[int, int]]) -> None:
    """Extract and normalize, then copy the job file: dlt loads its rows twice into staging,
    as when a job's COPY committed but the loader was killed before dlt marked it done."""
    pipeline.extract(versions(rows))
    pipeline.normalize()
    load_id = pipeline.list_normalized_load_packages()[0]
    jobs = Path(pipeline.pipelines_dir, pipeline.pipeline_name, "load", "normalized", load_id,
                "new_jobs")
    job = next(p for p in jobs.iterdir() if p.name.startswith("versions."))
    table, file_id, rest = job.name.split(".", 2)  # e.g. versions.1a2b3c.0.parquet
    shutil.copy(job, jobs / f"{table}.{file_id}x.{rest}")
    pipeline.load()


@pytest.mark.parametrize("ours", [True, False])
def test_a_job_loaded_twice_lands_once(pg, pg_env, tmp_path, monkeypatch, ours) -> None:
    monkeypatch.setenv("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")  # as orders.py
    dest = raw_destination.destination(pg.url()) if ours else dlt.destinations.postgres(pg.url())
    pipeline = dlt.pipeline("twice", destination=dest, dataset_name="raw",
                            pipelines_dir=str(tmp_path / "dlt"))
    pipeline.run(versions([(1, 0), (2, 5), (3, 9)]))
    if ours:  # as orders.py does after each load: the BRIN index the bounded merge uses
        with pipeline.sql_client() as sql:
            raw_destination.index_raw_table(sql, pipeline.default_schema.tables["versions"])
    # again: 2@5 (known), 2@7 (new), 4@1 (new, older than raw's newest), 3@9 (known)
    _load_with_one_job_twice(pipeline, [(2, 5), (2, 7), (4, 1), (3, 9)])
    rows = query(pg, "select id, extract(hour from updated_at at time zone 'UTC')::int, count(*) "
                     "from raw.versions group by 1, 2 order by 1, 2")
    if ours:
        assert rows == [(1, 0, 1), (2, 5, 1), (2, 7, 1), (3, 9, 1), (4, 1, 1)]
    else:  # the failure raw_destination exists for: dlt's own insert-only doubles new rows
        assert rows == [(1, 0, 1), (2, 5, 1), (2, 7, 2), (3, 9, 1), (4, 1, 2)]


def _pipeline(pg, tmp_path: Path, monkeypatch) -> dlt.Pipeline:  # noqa: ANN001
    monkeypatch.setenv("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")  # as orders.py
    return dlt.pipeline("first", destination=raw_destination.destination(pg.url()),
                        dataset_name="raw", pipelines_dir=str(tmp_path / "dlt"))


def _history(pg) -> list[tuple[int, int, int]]:  # noqa: ANN001
    return query(pg, "select id, extract(hour from updated_at at time zone 'UTC')::int, count(*) "
                     "from raw.versions group by 1, 2 order by 1, 2")


def _staged(pg) -> int:  # noqa: ANN001
    """Rows left in dlt's staging table: the merge leaves them, moving the table leaves none."""
    return query(pg, "select count(*) from raw_staging.versions")[0][0]


def test_a_first_load_moves_staging_into_raw_with_raws_grants(pg, tmp_path, monkeypatch) -> None:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    with connect(pg) as conn, conn.cursor() as cur:
        cur.execute(f"create role {role}; create schema raw")
        cur.execute(f"alter default privileges in schema raw grant select on tables to {role}")
    try:
        pipeline = _pipeline(pg, tmp_path, monkeypatch)
        pipeline.run(versions([(1, 0), (2, 5), (3, 9)]))
        assert _history(pg) == [(1, 0, 1), (2, 5, 1), (3, 9, 1)]
        assert _staged(pg) == 0  # moved, not copied a second time
        assert query(pg, "select has_table_privilege(%s, 'raw.versions', 'select')", role) == [
            (True,)]
        # the next load merges through the staging table the move left behind
        pipeline.run(versions([(2, 5), (2, 7)]))
        assert _history(pg) == [(1, 0, 1), (2, 5, 1), (2, 7, 1), (3, 9, 1)]
        assert _staged(pg) == 2
    finally:
        with connect(pg) as conn, conn.cursor() as cur:
            cur.execute(f"drop owned by {role}; drop role {role}")


def test_a_first_load_merges_when_a_job_ran_twice(pg, tmp_path, monkeypatch) -> None:
    pipeline = _pipeline(pg, tmp_path, monkeypatch)
    _load_with_one_job_twice(pipeline, [(1, 0), (2, 5), (2, 7)])
    assert _history(pg) == [(1, 0, 1), (2, 5, 1), (2, 7, 1)]
    assert _staged(pg) == 6  # both copies stayed in staging; raw has each version once


def test_a_first_load_merges_when_a_view_reads_raw(pg, tmp_path, monkeypatch) -> None:
    pipeline = _pipeline(pg, tmp_path, monkeypatch)
    pipeline.run(versions([(9, 0)]))
    with connect(pg) as conn, conn.cursor() as cur:  # raw's table empty, and a view reads it
        cur.execute("delete from raw.versions")
        cur.execute("create view public.latest as select id, max(updated_at) as updated_at "
                    "from raw.versions group by id")
    pipeline.run(versions([(1, 0), (2, 5)]))
    assert _history(pg) == [(1, 0, 1), (2, 5, 1)]
    assert _staged(pg) == 2
    assert query(pg, "select count(*) from public.latest") == [(2,)]
