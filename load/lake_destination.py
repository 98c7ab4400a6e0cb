"""The lake raw layer: the raw tables as parquet files through dlt's `filesystem` destination.

`python load/orders.py --destination lake` writes orders, order_items, users, products and
rejected_records (same validation and quarantine as PostgreSQL's raw schema) under
`<LAKE_URL>/raw/<table>/<load_id>.<file_id>.parquet`: a local directory or an `s3://…` URL
(credentials as dlt reads them: `DESTINATION__FILESYSTEM__CREDENTIALS__*` or
`.dlt/secrets.toml`). Default: `.local/lake` in the repository.

Files are only ever added: each load writes its own files (`append`), so a version re-read
within the contract's 10-minute window is in two loads, and staging on Spark keeps each
`(id, updated_at)` once. dlt keeps its bookkeeping with the files: `raw/_dlt_loads` (one JSON
line per completed load, what staging reads to skip unfinished loads), `raw/_dlt_version`
(schemas) and `raw/_dlt_pipeline_state` (the feed cursors), so a fresh machine pointed at the
same lake resumes from the lake's cursor. dbt's Spark target reads the tables through external
tables the project creates (macros/cross_db/spark_lake_sources.sql).
"""

from __future__ import annotations

import os
from pathlib import Path

from dlt.common.pipeline import LoadInfo
from dlt.destinations import filesystem
from dlt.pipeline import Pipeline

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LAKE = REPO_ROOT / ".local" / "lake"
LAKE_ENV = "LAKE_URL"


def lake_url(env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """Where the lake is: `LAKE_URL` (a directory or a bucket URL), else `.local/lake`."""
    url = env.get(LAKE_ENV) or str(DEFAULT_LAKE)
    if "://" not in url:
        path = Path(url).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path.as_uri()
    return url


def is_local_default(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """No LAKE_URL: the lake in .local/lake (like the embedded database, fine for the demo)."""
    return not env.get(LAKE_ENV)


def destination_and_label() -> tuple[filesystem, str]:
    """The lake's destination and where it is, for messages."""
    url = lake_url()
    return destination(url), f"the lake at {url}"


def destination(url: str) -> filesystem:
    """dlt's filesystem destination at `url`, parquet, in dlt's default layout."""
    return filesystem(bucket_url=url, destination_name="lake")


def rows_written(pipeline: Pipeline, info: LoadInfo) -> dict[str, int]:
    """Rows written per raw table by this run's loads (re-read versions counted again)."""
    if not info.loads_ids:
        return {}
    trace = pipeline.last_trace
    normalize = trace.last_normalize_info if trace else None
    return dict(normalize.row_counts) if normalize else {}
