"""`dbt_utils` for sqlfluff's jinja templater (`library_path` in .sqlfluff), not for dbt.

sqlfluff lints offline with the jinja templater, which knows dbt's builtins (ref, source,
config, var, ...) and the project's own macros (`load_macros_from_path = macros`) but not
package namespaces such as `dbt_utils.`. This module stands in for the package: it renders
SQL of the same shape as the real macro (so the linter sees realistic SQL). Only what the
models use is here; any other `dbt_utils.<name>(...)` renders as a plain `null`.
"""

from __future__ import annotations

from typing import Any

_NULL = "_dbt_utils_surrogate_key_null_"


def generate_surrogate_key(field_list: list[str]) -> str:
    parts = [f"coalesce(cast({field} as text), '{_NULL}')" for field in field_list]
    return "md5(cast(" + " || '-' || ".join(parts) + " as text))"


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    return lambda *args, **kwargs: "null"
