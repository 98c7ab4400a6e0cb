"""`dbt.` (dbt's own macros) for sqlfluff's jinja templater (`library_path` in .sqlfluff), not
for dbt: what the project's macros call by that namespace, as sqlfluff's dbt builtins render it
(macros/cross_db/spark_engine.sql overrides is_incremental and calls dbt.is_incremental)."""

from __future__ import annotations


def is_incremental() -> bool:
    return True  # as sqlfluff's builtin: the incremental branches are linted too
