"""The dbt metadata linter (dbt-score with dbt_score_rules/): passes on the project, fails on
each planted violation: a model without description or key test, source() outside staging, a
staging model reading another, a model named against its folder."""

from __future__ import annotations

import json
from pathlib import Path

from tests.project_copy import copy_project, run

PLANTED = {
    # a mart reading a source, no YAML at all
    "models/marts/fct_planted_orders.sql":
        "select id as order_id from {{ source('order_api', 'orders') }}\n",
    # a latest-version staging model reading another staging model
    "models/staging/order_api/stg_order_api__planted_latest_orders.sql":
        "select * from {{ ref('stg_order_api__orders') }}\n",
    # an intermediate model not named int_
    "models/intermediate/planted_orders_pivoted.sql":
        "select order_id from {{ ref('stg_order_api__orders') }}\n",
}
EXPECTED = {  # model -> the rules it must fail
    "fct_planted_orders": {"has_description", "source_only_in_staging",
                           "primary_key_is_tested"},
    "stg_order_api__planted_latest_orders": {"staging_reads_no_staging"},
    "planted_orders_pivoted": {"name_matches_folder"},
}


def lint(project: Path) -> tuple[int, dict[str, set[str]]]:
    """dbt parse + dbt-score: exit code and the failed rules of every model."""
    parse = run(project, "dbt", "parse", "--no-partial-parse")
    assert parse.returncode == 0, parse.stdout[-3000:]
    score = run(project, "dbt-score", "lint", "--format", "json")
    failed = {}
    for unique_id, item in json.loads(score.stdout)["evaluables"].items():
        rules = {name.split(".")[-1] for name, result in item["results"].items()
                 if result["result"] != "OK"}
        if rules:
            failed[unique_id.split(".")[-1]] = rules
    return score.returncode, failed


def test_the_project_passes_and_each_planted_violation_fails(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    assert lint(project) == (0, {})

    for path, sql in PLANTED.items():
        (project / path).parent.mkdir(parents=True, exist_ok=True)
        (project / path).write_text(sql)
    returncode, failed = lint(project)
    assert returncode == 1
    for model, rules in EXPECTED.items():
        assert rules <= failed.get(model, set()), (model, failed)
    assert set(failed) <= set(EXPECTED), failed
