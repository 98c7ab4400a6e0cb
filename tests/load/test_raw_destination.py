"""A load job that runs twice (a resumed load after kill -9) must not double rows in raw."""

from __future__ import annotations

import shutil
from pathlib import Path

import dlt
import pyarrow as pa
import pytest

import raw_destination
from tests.conftest import query


@dlt.resource(primary_key="id", write_disposition={"disposition": "merge",
                                                   "strategy": "insert-only"})
def events(ids: list[int]):  # noqa: ANN201
    # Arrow, as the loader yields: no _dlt_id column, so nothing but the merge keeps rows unique
    yield pa.table({"id": ids, "payload": [f"event {i}" for i in ids]})


def _load_with_one_job_twice(pipeline: dlt.Pipeline, ids: list[int]) -> None:
    """Extract and normalize, then copy the events job: dlt loads its rows twice into staging,
    as when a job's COPY committed but the loader was killed before dlt marked it done."""
    pipeline.extract(events(ids))
    pipeline.normalize()
    load_id = pipeline.list_normalized_load_packages()[0]
    jobs = Path(pipeline.pipelines_dir, pipeline.pipeline_name, "load", "normalized", load_id,
                "new_jobs")
    job = next(p for p in jobs.iterdir() if p.name.startswith("events."))
    table, file_id, rest = job.name.split(".", 2)  # e.g. events.1a2b3c.0.insert_values.gz
    shutil.copy(job, jobs / f"{table}.{file_id}x.{rest}")
    pipeline.load()


@pytest.mark.parametrize("exactly_once", [True, False])
def test_a_job_loaded_twice_lands_once(pg, pg_env, tmp_path, exactly_once) -> None:
    dest = (raw_destination.destination(pg.url()) if exactly_once
            else dlt.destinations.postgres(pg.url()))
    pipeline = dlt.pipeline("twice", destination=dest, dataset_name="raw",
                            pipelines_dir=str(tmp_path / "dlt"))
    pipeline.run(events([1, 2]))
    _load_with_one_job_twice(pipeline, [2, 3, 4])
    rows = query(pg, "select id, count(*) from raw.events group by id order by id")
    if exactly_once:
        assert rows == [(1, 1), (2, 1), (3, 1), (4, 1)]
    else:  # the failure this destination exists for: dlt's own insert-only doubles them
        assert rows == [(1, 1), (2, 1), (3, 2), (4, 2)]
