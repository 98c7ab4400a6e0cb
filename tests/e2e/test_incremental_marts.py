"""Incremental marts end equal to a full rebuild, and incremental tests do not forget failures.

Two nights from the simulator, then loads written straight into raw (as dlt would write them)
with what a nightly rarely brings: an order version arriving late (older than the order's
latest), a newer version that drops items and moves the shipping address, and a user version
arriving late that changes which dim_users version an existing order points at. The
incremental `dbt build` must give exactly the tables a `dbt build --full-refresh` gives, for
every model of the manifest (so for every incremental one, also a contributor's new one,
without editing this file). Then a
bad row: the build fails, and the next build, with nothing new loaded, still tests that row
and fails again (tests on incremental builds check the rows written since the last green
build); a corrected version makes the build green.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import orders
from simulator import World, WorldConfig, serve
from tests.conftest import connect, query
from tests.e2e.test_pipeline import dbt

FIRST_NIGHT = datetime(2026, 11, 18, tzinfo=UTC)


def manifest_models(manifest: Path) -> list[dict]:
    """Every model dbt builds as a relation, from the manifest of the build: a contributor's
    new (incremental) model is checked without editing this file."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return [n for n in nodes
            if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"]


def relation(node: dict) -> str:
    return f"{node['schema']}.{node['alias']}"


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldConfig(orders=600, users=120, seed=11,
                             start=datetime(2026, 9, 1, tzinfo=UTC),
                             end=datetime(2026, 11, 30, tzinfo=UTC)))


def columns(pg, table: str) -> list[str]:  # noqa: ANN001
    schema, name = table.split(".")
    return [c for (c,) in query(pg, """
        select column_name from information_schema.columns
        where table_schema = %s and table_name = %s order by ordinal_position""", schema, name)]


def contents(pg, tables: list[str]) -> dict[str, list[tuple]]:  # noqa: ANN001
    """Every relation as a sorted list of rows, built_at (when dbt wrote it) left out."""
    out = {}
    for table in tables:
        cols = ", ".join(f'"{c}"' for c in columns(pg, table) if c != "built_at")
        out[table] = sorted(query(pg, f"select {cols} from {table}"), key=repr)
    return out


def execute(pg, sql: str, *params: object) -> None:  # noqa: ANN001
    conn = connect(pg)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params or None)
    finally:
        conn.close()


def new_load(pg) -> str:  # noqa: ANN001
    """A completed dlt load newer than every other; rows written with it are picked up."""
    last = query(pg, "select max(cast(load_id as numeric)) from raw._dlt_loads")[0][0]
    load_id = str(last + 1)
    execute(pg, """insert into raw._dlt_loads (load_id, schema_name, status, inserted_at,
                   schema_version_hash)
                   select %s, schema_name, 0, now(), schema_version_hash from raw._dlt_loads
                   order by inserted_at desc limit 1""", load_id)
    return load_id


def copy_order_version(pg, order_id: str, updated_at: datetime, load_id: str, *,  # noqa: ANN001
                       new_updated_at: datetime, keep_items: int | None = None,
                       status: str | None = None, city: str | None = None,
                       quantity: int | None = None) -> None:
    """Insert a version of an order (and its items) copied from an existing one."""
    items = [c for c in columns(pg, "raw.order_items")
             if c not in ("order_updated_at", "_dlt_load_id", "quantity")]
    execute(pg, f"""
        insert into raw.order_items ({", ".join(items)}, quantity, order_updated_at,
                                     _dlt_load_id)
        select {", ".join(items)}, coalesce(%s, quantity), %s, %s from raw.order_items
        where order_id = %s and order_updated_at = %s and line_number <= coalesce(%s, 1000)
        """, quantity, new_updated_at, load_id, order_id, updated_at, keep_items)
    kept = """(select sum(quantity * unit_price - discount) from raw.order_items
               where order_id = o.id and order_updated_at = %s)"""
    fixed = {"updated_at": "%s", "_dlt_load_id": "%s", "status": "coalesce(%s, status)",
             "shipping_address__city": "coalesce(%s, shipping_address__city)",
             "subtotal": kept, "total": f"{kept} - discount_total + tax_total + shipping_total"}
    cols = columns(pg, "raw.orders")
    values = [fixed.get(c, c) for c in cols]
    params = {"updated_at": [new_updated_at], "_dlt_load_id": [load_id], "status": [status],
              "shipping_address__city": [city], "subtotal": [new_updated_at],
              "total": [new_updated_at]}
    execute(pg, f"""
        insert into raw.orders as target ({", ".join(cols)})
        select {", ".join(values)} from raw.orders as o where id = %s and updated_at = %s""",
            *[p for c in cols for p in params.get(c, [])], order_id, updated_at)


def latest_raw_version(pg, order_id: str) -> datetime:  # noqa: ANN001
    return query(pg, "select max(updated_at) from raw.orders where id = %s", order_id)[0][0]


def test_incremental_marts_equal_a_full_rebuild(pg, pg_env, world: World, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with serve(world, as_of=FIRST_NIGHT, token="e2e") as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "e2e")
        for night in range(2):
            server.as_of = FIRST_NIGHT + timedelta(days=night)
            assert orders.main([]) == 0
            build = dbt(["build"], pg_env, tmp_path)
            assert build.returncode == 0, build.stdout[-4000:]
    assert query(pg, "select count(*) from staging.dbt_green_builds")[0][0] == 2

    # an order version arriving late: older than the order's latest, so the order's row and
    # items stay, but fct_order_status_history gets a version in the middle
    late_order, late_latest = query(pg, """
        select id, max(updated_at) from raw.orders group by id
        having count(*) >= 2 order by id limit 1""")[0]
    # a newer version keeping only the first item, with another shipping city
    moved_order, moved_latest = query(pg, """
        select o.id, o.updated_at from raw.orders as o
        join raw.order_items as i on i.order_id = o.id and i.order_updated_at = o.updated_at
        where o.updated_at = (select max(updated_at) from raw.orders where id = o.id)
            and o.deleted_at is null and o.shipping_address__city is not null
        group by o.id, o.updated_at having count(*) >= 2 order by o.id limit 1""")[0]
    # a user version arriving late, older than the user's first snapshot version and than one
    # of their orders, which must move to it (point-in-time user_key)
    candidate = query(pg, """
        select f.order_id, f.user_key, u.user_id, u.created_at, u.updated_at, f.ordered_at
        from marts.fct_orders as f
        join marts.dim_users as u on f.user_key = u.user_key
        where u.version_number = 1 and f.ordered_at < u.updated_at
            and f.ordered_at > u.created_at
        order by f.order_id limit 1""")
    assert candidate, "the world has no order placed before its buyer's first captured version"
    pit_order, old_user_key, user_id, created_at, first_version_at, ordered_at = candidate[0]

    load_id = new_load(pg)
    copy_order_version(pg, late_order, late_latest, load_id,
                       new_updated_at=late_latest - timedelta(seconds=1), status="paid")
    copy_order_version(pg, moved_order, moved_latest, load_id,
                       new_updated_at=moved_latest + timedelta(minutes=5), keep_items=1,
                       city="Latecomer City")
    late_user_at = created_at + (ordered_at - created_at) / 2
    user_cols = [c for c in columns(pg, "raw.users")
                 if c not in ("updated_at", "_dlt_load_id", "loyalty_tier")]
    execute(pg, f"""
        insert into raw.users ({", ".join(user_cols)}, loyalty_tier, updated_at, _dlt_load_id)
        select {", ".join(user_cols)}, 'platinum', %s, %s from raw.users
        where id = %s and updated_at = %s""", late_user_at, load_id, user_id, first_version_at)

    build = dbt(["build"], pg_env, tmp_path)
    assert build.returncode == 0, build.stdout[-4000:]
    # the changes did arrive
    assert query(pg, "select count(*) from marts.fct_order_items where order_id = %s",
                 moved_order)[0][0] == 1
    assert query(pg, "select count(*) from marts.dim_locations where city = 'Latecomer City'"
                 )[0][0] == 1
    assert query(pg, """select count(*) from marts.fct_order_status_history
                        where order_id = %s and valid_to = %s""",
                 late_order, late_latest)[0][0] == 1
    new_user_key = query(pg, "select user_key from marts.fct_orders where order_id = %s",
                         pit_order)[0][0]
    assert new_user_key != old_user_key
    assert query(pg, "select loyalty_tier from marts.dim_users where user_key = %s",
                 new_user_key)[0][0] == "platinum"
    # only what changed was rewritten
    rewritten = query(pg, """select count(*) from marts.fct_orders
                             where built_at = (select max(built_at) from marts.fct_orders)""")
    assert 3 <= rewritten[0][0] < query(pg, "select count(*) from marts.fct_orders")[0][0] / 4

    models = manifest_models(tmp_path / "target" / "manifest.json")
    assert {"marts.fct_orders", "staging.stg_order_api__orders"} <= {
        relation(n) for n in models if n["config"]["materialized"] == "incremental"}
    # every column built is declared (and so described: tests/lint) in the model's YAML,
    # which is also what tells a changed incremental model (macros/schema_change.sql)
    for node in models:
        assert sorted(columns(pg, relation(node))) == sorted(node["columns"]), relation(node)
    tables = sorted(relation(n) for n in models)
    incremental = contents(pg, tables)
    full = dbt(["build", "--full-refresh"], pg_env, tmp_path)
    assert full.returncode == 0, full.stdout[-4000:]
    rebuilt = contents(pg, tables)
    for table in tables:
        assert incremental[table] == rebuilt[table], f"{table}: incremental build != full rebuild"


def test_a_failing_row_is_tested_until_a_build_is_green(pg, pg_env, world: World,
                                                         tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    with serve(world, as_of=FIRST_NIGHT, token="e2e") as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "e2e")
        assert orders.main([]) == 0
    build = dbt(["build"], pg_env, tmp_path)
    assert build.returncode == 0, build.stdout[-4000:]
    # the first build's scoped tests rendered their filter (every row), not dropped it: a
    # wrong column name in it fails the first build already
    compiled = next((tmp_path / "target" / "run").rglob("unique_fct_orders_order_id.sql"))
    assert "built_at > cast('-infinity' as timestamptz)" in compiled.read_text()

    # a new version of an order with a zero quantity: stg_order_api__order_items' test fails
    order_id, latest = query(pg, """select id, max(updated_at) from raw.orders group by id
                                    order by id limit 1""")[0]
    copy_order_version(pg, order_id, latest, new_load(pg),
                       new_updated_at=latest + timedelta(minutes=1), quantity=0)
    failing = "expect_column_values_to_be_between_stg_order_api__order_items_quantity"
    for _ in range(2):  # nothing new the second time: the row is still in scope
        build = dbt(["build"], pg_env, tmp_path)
        assert build.returncode != 0
        assert any(failing in line and "FAIL" in line for line in build.stdout.splitlines()), \
            build.stdout[-4000:]
    assert query(pg, "select count(*) from staging.dbt_green_builds")[0][0] == 1

    # a corrected version: green again, and recorded
    copy_order_version(pg, order_id, latest, new_load(pg),
                       new_updated_at=latest + timedelta(minutes=2))
    build = dbt(["build"], pg_env, tmp_path)
    assert build.returncode == 0, build.stdout[-4000:]
    assert query(pg, "select count(*) from staging.dbt_green_builds")[0][0] == 2


def test_a_model_whose_columns_changed_is_rebuilt_whole(pg, pg_env, world: World,
                                                        tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """A table built by an older release (here: one column less) is rebuilt by the next
    nightly, not failed until someone runs --full-refresh, nor patched with nulls."""
    with serve(world, as_of=FIRST_NIGHT, token="e2e") as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "e2e")
        assert orders.main([]) == 0
    assert dbt(["build"], pg_env, tmp_path).returncode == 0
    expected = query(pg, "select order_item_key, sku from marts.fct_order_items order by 1")
    execute(pg, "alter table marts.fct_order_items drop column sku")

    build = dbt(["build"], pg_env, tmp_path)
    assert build.returncode == 0, build.stdout[-4000:]
    assert "fct_order_items\": columns changed, rebuilt whole" in build.stdout
    assert query(pg, "select order_item_key, sku from marts.fct_order_items order by 1") \
        == expected
