"""The loader against the real simulator and a real PostgreSQL: exact raw history, every night."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

import orders
from order_api.settings import RAW_TABLES
from simulator import World, WorldConfig, export_world, serve
from tests.conftest import query
from tests.load.helpers import assert_raw_matches, raw_versions

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 11, 30, tzinfo=UTC)
NIGHT1 = datetime(2026, 11, 20, tzinfo=UTC)
SCHEMA_FILE = Path(orders.SCHEMAS_DIR) / "import" / "order_api.schema.yaml"


def small_world(**overrides: object) -> World:
    config = {"orders": 3000, "users": 500, "seed": 11, "start": START, "end": END, **overrides}
    return World(WorldConfig(**config))


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """Start a simulator for a world and point the loader at it."""
    servers = []

    def start(world: World, as_of: datetime = NIGHT1, **kwargs: object):  # noqa: ANN202
        server = serve(world, as_of=as_of, token="test-token", **kwargs)
        servers.append(server)
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "test-token")
        return server

    yield start
    for server in servers:
        server.stop()


def load(*args: str, summary: Path | None = None) -> dict:
    argv = list(args) + (["--summary-json", str(summary)] if summary else [])
    assert orders.main(argv) == 0
    return json.loads(summary.read_text()) if summary else {}


def test_multi_night_raw_equals_served_every_night(pg, pg_env, api, tmp_path: Path) -> None:
    server = api(small_world())
    for night in range(4):
        server.as_of = NIGHT1 + timedelta(days=night)
        summary = load(summary=tmp_path / f"night{night}.json")
        assert_raw_matches(pg, server.served)
        for feed, figures in summary["feeds"].items():
            assert figures["records"] == figures["loaded"] + figures["rejected"], feed
    # the nights really had history: status changes, user edits, deletes and re-reads
    versions_per_order = query(pg, "select max(n) from (select count(*) as n from raw.orders "
                                   "group by id) as v")[0][0]
    assert versions_per_order >= 2
    assert query(pg, "select count(*) from raw.orders where deleted_at is not null")[0][0] > 0
    assert query(pg, "select count(*) from (select id from raw.users group by id "
                     "having count(*) > 1) as u")[0][0] > 0
    # later nights asked from the saved cursor minus the 10-minute lag, not from the start
    assert summary["feeds"]["orders"]["requested_since"] is not None
    assert summary["feeds"]["orders"]["records"] < len(server.served.versions("orders"))


def test_faults_and_bad_records_are_exact(pg, pg_env, api, tmp_path: Path) -> None:
    server = api(small_world(bad_record_rate=0.001, orders=6000), fault_rate=0.05)
    summary = load(summary=tmp_path / "s.json")
    assert_raw_matches(pg, server.served)
    assert sum(server.served.faults.values()) > 0, "the fault mix never fired"
    rejected = query(pg, "select count(*) from raw.rejected_records")[0][0]
    assert rejected == sum(len(server.served.bad(f)) for f in ("orders", "users", "products"))
    for figures in summary["feeds"].values():
        assert figures["records"] == figures["loaded"] + figures["rejected"]
    assert sum(f["retries"] for f in summary["feeds"].values()) >= sum(
        server.served.faults.values())
    reasons = {r for (r,) in query(pg, "select reason from raw.rejected_records")}
    assert all(reasons), "every rejected record says why"


def test_rerun_is_idempotent_and_since_does_not_move_cursor(pg, pg_env, api,
                                                            tmp_path: Path) -> None:
    server = api(small_world())
    load()
    before = {f: raw_versions(pg, f) for f in ("orders", "users")}
    summary = load("--since", "2026-11-01T00:00:00Z", summary=tmp_path / "since.json")
    assert summary["feeds"]["orders"]["new_versions"] == 0
    assert {f: raw_versions(pg, f) for f in ("orders", "users")} == before
    # the cursor did not move back: the next incremental run asks from the newest - 10 min
    summary = load(summary=tmp_path / "next.json")
    since = datetime.fromisoformat(summary["feeds"]["orders"]["requested_since"])
    newest = query(pg, "select max(updated_at) from raw.orders")[0][0]
    assert since == newest.astimezone(UTC) - timedelta(minutes=10)
    summary = load("--full-refresh", summary=tmp_path / "full.json")
    assert summary["feeds"]["orders"]["requested_since"] is None
    assert summary["feeds"]["orders"]["new_versions"] == 0
    assert_raw_matches(pg, server.served)


def test_schema_drift_adds_and_reports_a_column(pg, pg_env, api, tmp_path: Path) -> None:
    api(small_world(new_field_from=NIGHT1 - timedelta(days=3)))
    summary = load(summary=tmp_path / "s.json")
    assert "orders.gift_message" in summary["feeds"]["orders"]["new_columns"]
    columns = {c for (c,) in query(pg, "select column_name from information_schema.columns "
                                       "where table_schema = 'raw' and table_name = 'orders'")}
    assert "gift_message" in columns
    assert query(pg, "select count(*) from raw.orders where gift_message is not null")[0][0] > 0


def test_pinned_schema_types_are_what_postgres_has(pg, pg_env, api) -> None:
    api(small_world())
    load()
    assert yaml.safe_load.__module__ == "yaml", "dlt's libyaml loader stays inside the run"
    pinned = yaml.safe_load(SCHEMA_FILE.read_text())["tables"]
    assert pinned["orders"]["columns"]["total"]["precision"] == 12
    types = dict(((t, c), (d, p, s)) for t, c, d, p, s in query(pg, """
        select table_name, column_name, data_type, numeric_precision, numeric_scale
        from information_schema.columns where table_schema = 'raw'"""))
    assert types[("orders", "updated_at")][0] == "timestamp with time zone"
    assert types[("orders", "total")] == ("numeric", 12, 2)
    assert types[("order_items", "unit_price")] == ("numeric", 12, 2)
    assert types[("order_items", "quantity")][0] == "integer"
    assert types[("orders", "metadata")][0] == "jsonb"
    assert types[("users", "marketing_opt_in")][0] == "boolean"
    assert types[("rejected_records", "payload")][0] == "jsonb"
    for table in ("orders", "order_items", "users", "products"):
        for column in pinned[table]["columns"]:
            if column.startswith("_dlt"):
                continue
            assert (table, column) in types, f"pinned raw.{table}.{column} missing in Postgres"


def test_export_backfill_gives_the_same_raw_as_the_api(pg, pg_env, api, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    world = small_world(bad_record_rate=0.01)
    export_world(world, NIGHT1, tmp_path / "export", part_size=400)
    load("--from-export", str(tmp_path / "export"))
    exported = {f: raw_versions(pg, f) for f in ("orders", "users", "products")}
    rejected = query(pg, "select feed, payload_hash from raw.rejected_records order by 1, 2")
    items = query(pg, "select count(*), sum(quantity) from raw.order_items")
    assert rejected, "the export's bad records were kept"

    query(pg, "drop schema raw cascade; drop schema if exists raw_staging cascade; select 1")
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-api"))
    api(world)
    load("--full-refresh")
    assert {f: raw_versions(pg, f) for f in ("orders", "users", "products")} == exported
    assert query(pg, "select feed, payload_hash from raw.rejected_records order by 1, 2") \
        == rejected
    assert query(pg, "select count(*), sum(quantity) from raw.order_items") == items


def test_libyaml_reads_the_pinned_schema_exactly_like_pyyaml() -> None:
    """orders.py has dlt parse the pinned schema with libyaml (while the pipeline runs): it must
    be the same schema."""
    text = SCHEMA_FILE.read_text()
    assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.load(text, Loader=yaml.SafeLoader)


def test_settings_name_the_pinned_schemas_tables_and_keys() -> None:
    """order_api/settings.py lists the raw tables and their keys once; the pinned schema agrees."""
    pinned = yaml.safe_load(SCHEMA_FILE.read_text())["tables"]
    assert {t for t in pinned if not t.startswith("_dlt")} == set(RAW_TABLES)
    for name, table in RAW_TABLES.items():
        columns = pinned[name]["columns"]
        assert tuple(c for c in columns if columns[c].get("primary_key")) == table.primary_key
        if table.feed is not None:
            assert pinned[name]["resource"] == table.feed
