"""Every model has a primary key tested unique and not null.

No `from __future__ import annotations` here: dbt-score reads the rules' argument types."""

from dbt_score import Model, RuleViolation, rule


def column_tests(model: Model, name: str) -> set[str]:
    return {t.type for c in model.columns if c.name == name for t in c.tests}


@rule
def primary_key_is_tested(model: Model) -> RuleViolation | None:
    """The primary key is tested unique + not_null: one column with both tests, or a
    dbt_utils.unique_combination_of_columns test whose columns are tested not_null (or carry
    a not_null constraint). A column with a primary_key constraint needs both tests."""
    for column in model.columns:
        if any(c.type == "primary_key" for c in column.constraints) and not {
                "unique", "not_null"} <= column_tests(model, column.name):
            return RuleViolation(f"primary key {column.name} is not tested unique + not_null.")
    if any({"unique", "not_null"} <= column_tests(model, c.name) for c in model.columns):
        return None
    for test in model.tests:
        if test.type == "unique_combination_of_columns":
            return None
    return RuleViolation("no primary key test: test the key column unique + not_null, or a "
                         "combination with dbt_utils.unique_combination_of_columns.")
