"""The project's dbt-score rules (dbt-score's default namespace): layering and keys.

`python -m dbt_score lint` (pre-commit, tests/lint) runs them with dbt-score's own rules on
dbt's manifest; pyproject.toml [tool.dbt-score] turns any violation into a failure.
"""
