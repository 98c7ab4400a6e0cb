"""CONTRIBUTING.md's "add a mart in ten minutes" works as written.

The example's SQL and YAML are read from CONTRIBUTING.md (the fenced blocks titled with their
path), so the document and this test cannot drift. They go into a copy of the project, which
is linted (sqlfluff, dbt-score) and built over two simulated nights; the mart must equal the
same numbers computed straight from raw, also after an order's newer version drops items.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import orders
from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.e2e.test_incremental_marts import copy_order_version, new_load
from tests.project_copy import copy_project, run
from warehouse import REPO_ROOT

FIRST_NIGHT = datetime(2026, 11, 18, tzinfo=UTC)
BLOCK = re.compile(r'^```(?:sql|yaml) title="([^"]+)"\n(.*?)^```$', re.MULTILINE | re.DOTALL)
ONLY_JINJA = re.compile(r"\{\{ (ref|source|config)\(")

# the mart's rows computed from raw: each order's latest version and its items, statuses from
# the seed, per UTC day of the order, category and currency
DIRECT = """
with latest as (
    select distinct on (id) id, status, upper(trim(currency)) as currency, created_at,
        deleted_at, updated_at
    from raw.orders order by id, updated_at desc
),
items as (
    select distinct order_id, order_updated_at, id, category, quantity, unit_price, discount
    from raw.order_items
)
select (latest.created_at at time zone 'UTC')::date, items.category, latest.currency,
    count(distinct latest.id), sum(items.quantity),
    sum(round(items.quantity * items.unit_price - items.discount, 2))
from latest
join items on items.order_id = latest.id and items.order_updated_at = latest.updated_at
join staging.order_statuses as statuses on statuses.status = latest.status
where statuses.counts_as_revenue and latest.deleted_at is null
group by 1, 2, 3 order by 1, 2, 3"""
MART = """select date_day, product_category, currency, orders, units, revenue
          from marts.daily_category_revenue order by 1, 2, 3"""


def example() -> dict[str, str]:
    """path -> content of every titled code block of CONTRIBUTING.md."""
    return dict(BLOCK.findall((REPO_ROOT / "CONTRIBUTING.md").read_text()))


def test_the_example_mart_builds_lints_and_is_right_over_two_nights(
        pg, pg_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = example()
    assert set(files) == {"models/marts/daily_category_revenue.sql",
                          "models/marts/daily_category_revenue.yml"}
    sql = files["models/marts/daily_category_revenue.sql"]
    assert "{%" not in sql
    assert all(ONLY_JINJA.match(tag) for tag in re.findall(r"\{\{.*?\(", sql)), sql

    project = copy_project(tmp_path)
    for path, content in files.items():
        (project / path).write_text(content)

    lint = run(project, "sqlfluff", "lint", "--disable-progress-bar",
               "models/marts/daily_category_revenue.sql")
    assert lint.returncode == 0, lint.stdout[-3000:]
    assert run(project, "dbt", "parse").returncode == 0
    score = run(project, "dbt-score", "lint")
    assert score.returncode == 0, score.stdout[-3000:]

    world = World(WorldConfig(orders=600, users=120, seed=5,
                              start=datetime(2026, 9, 1, tzinfo=UTC),
                              end=datetime(2026, 11, 30, tzinfo=UTC)))
    with serve(world, as_of=FIRST_NIGHT, token="e2e") as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", "e2e")
        for night in range(2):
            server.as_of = FIRST_NIGHT + timedelta(days=night)
            assert orders.main([]) == 0
            build = run(project, "dbt", "build", env=pg_env)
            assert build.returncode == 0, build.stdout[-4000:]
            assert query(pg, MART) == query(pg, DIRECT)
    before = query(pg, MART)
    assert len(before) > 10

    # a newer version of a paid order keeping only its first item: the categories of the
    # items it dropped lose that order
    order_id, latest = query(pg, """
        select o.id, o.updated_at from raw.orders as o
        join raw.order_items as i on i.order_id = o.id and i.order_updated_at = o.updated_at
        where o.status = 'paid' and o.deleted_at is null
            and o.updated_at = (select max(updated_at) from raw.orders where id = o.id)
        group by o.id, o.updated_at having count(distinct i.category) >= 2
        order by o.id limit 1""")[0]
    copy_order_version(pg, order_id, latest, new_load(pg),
                       new_updated_at=latest + timedelta(minutes=5), keep_items=1)
    build = run(project, "dbt", "build", env=pg_env)
    assert build.returncode == 0, build.stdout[-4000:]
    assert query(pg, MART) == query(pg, DIRECT) != before
