"""Check the offline dbt package stand-ins against data that must pass and data that must fail.

Runs `dbt build` (dbt Python API, dbtRunner) on packages_offline/tests/standins_project with
the stand-ins installed as its packages, on the PostgreSQL database named by the _PGSQL_*
environment variables (under pytest: the test suite's server, see tests/conftest.py), in a
throw-away schema. Every test in that project declares in its
`meta` whether it must pass or fail and, for failures, how many failing rows it must report.

    _PGSQL_DATABASE=dbt_dev pytest packages_offline/test_standins.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

dbt_runner = pytest.importorskip("dbt.cli.main")
psycopg2 = pytest.importorskip("psycopg2")

HERE = Path(__file__).resolve().parent
PROJECT = HERE / "tests" / "standins_project"
PACKAGES = ("dbt_utils", "dbt_expectations")

PROFILES_YML = """\
standins_check:
  target: dev
  outputs:
    dev:
      type: postgres
      host: "{{ env_var('_PGSQL_HOSTNAME', '127.0.0.1') }}"
      port: "{{ env_var('_PGSQL_PORT', '5432') | int }}"
      user: "{{ env_var('_PGSQL_USER', 'postgres') }}"
      password: "{{ env_var('_PGSQL_PASS', 'postgres') }}"
      dbname: "{{ env_var('_PGSQL_DATABASE', 'order_analytics') }}"
      schema: "{{ env_var('STANDINS_SCHEMA') }}"
      threads: 4
"""


def _connect():
    return psycopg2.connect(
        host=os.environ.get("_PGSQL_HOSTNAME", "127.0.0.1"),
        port=int(os.environ.get("_PGSQL_PORT", "5432")),
        user=os.environ.get("_PGSQL_USER", "postgres"),
        password=os.environ.get("_PGSQL_PASS", "postgres"),
        dbname=os.environ.get("_PGSQL_DATABASE", "order_analytics"),
    )


@pytest.fixture(scope="module")
def build_results(tmp_path_factory, monkeypatch_module, pg_server):
    # the test suite's PostgreSQL (tests/conftest.py): _PGSQL_* or the embedded test server
    for key, value in {"_PGSQL_HOSTNAME": pg_server.host, "_PGSQL_PORT": str(pg_server.port),
                       "_PGSQL_USER": pg_server.user, "_PGSQL_PASS": pg_server.password,
                       "_PGSQL_DATABASE": pg_server.database}.items():
        monkeypatch_module.setenv(key, value)

    project_dir = tmp_path_factory.mktemp("standins") / "project"
    shutil.copytree(PROJECT, project_dir)
    for package in PACKAGES:
        shutil.copytree(HERE / package, project_dir / "dbt_packages" / package)
    (project_dir / "profiles.yml").write_text(PROFILES_YML)
    schema = f"standins_check_{os.getpid()}"
    monkeypatch_module.setenv("STANDINS_SCHEMA", schema)

    try:
        result = dbt_runner.dbtRunner().invoke(
            [
                "build",
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--target-path",
                str(project_dir / "target"),
                "--log-path",
                str(project_dir / "logs"),
                "--no-partial-parse",
                "--quiet",
            ]
        )
        assert result.exception is None, result.exception
        assert result.result is not None, "dbt build produced no results"
        yield {r.node.name: r for r in result.result.results}
    finally:
        with _connect() as conn, conn.cursor() as cur:
            cur.execute(f'drop schema if exists "{schema}" cascade')
        conn.close()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def _expected_tests() -> list[str]:
    import yaml

    spec = yaml.safe_load((PROJECT / "models" / "_tests.yml").read_text())
    names = []
    for model in spec["models"]:
        tests = list(model.get("data_tests", []))
        for column in model.get("columns", []):
            tests.extend(column.get("data_tests", []))
        for test in tests:
            (body,) = test.values()
            names.append(body["name"])
    return names


EXPECTED = _expected_tests()


def test_every_stand_in_is_exercised_with_a_failing_case():
    used = " ".join(
        (PROJECT / "models" / name).read_text() for name in ("_tests.yml", "surrogate_keys.sql")
    )
    for name in (
        "dbt_utils.generate_surrogate_key",
        "dbt_utils.expression_is_true",
        "dbt_utils.unique_combination_of_columns",
        "dbt_expectations.expect_column_values_to_be_between",
        "dbt_expectations.expect_column_values_to_match_regex",
        "dbt_expectations.expect_table_row_count_to_be_between",
    ):
        assert name in used, name
    assert any(n.startswith("must_fail_") for n in EXPECTED)


def test_models_build(build_results):
    for name in ("numbers", "pairs", "surrogate_keys"):
        assert str(build_results[name].status) == "success", build_results[name].message


@pytest.mark.parametrize("test_name", EXPECTED)
def test_outcome(build_results, test_name):
    result = build_results[test_name]
    meta = result.node.config.meta
    status = str(result.status)
    if meta["expect"] == "pass":
        assert status == "pass", f"{test_name}: {status} ({result.failures} failures)"
    else:
        assert status == "fail", f"{test_name}: {status}, expected fail"
        assert result.failures == meta["failures"], (
            f"{test_name}: {result.failures} failing rows, expected {meta['failures']}"
        )
