"""`adapter` for sqlfluff's jinja templater (`library_path` in .sqlfluff), not for dbt.

The project's engine differences are dispatched macros (`adapter.dispatch('x')(...)` picks
`postgres__x` / `spark__x` / `default__x`, macros/cross_db/). sqlfluff lints the SQL as
PostgreSQL, so here `dispatch` returns the project's `default__x` macro, which sqlfluff loaded
from macros/ like every other.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context


@pass_context
def dispatch(context: Context, macro_name: str, macro_namespace: str | None = None) -> Any:
    return context.resolve(f"default__{macro_name}")
