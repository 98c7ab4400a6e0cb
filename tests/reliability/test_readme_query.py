"""The analyst query in README.md, pasted as is into `dbt show --inline`, runs and adds up."""

from __future__ import annotations

import re

from tests.conftest import query
from tests.reliability.conftest import Built, require_buildable
from tests.reliability.helpers import run_dbt
from warehouse import REPO_ROOT


def readme_analyst_query() -> str:
    analysts = (REPO_ROOT / "README.md").read_text().split("## For analysts", 1)[1]
    found = re.search(r"```sql\n(.+?)```", analysts, re.S)
    assert found, "README's For analysts section has no sql block"
    return found.group(1).strip()


def test_readme_query_runs_in_dbt_show(built: Built) -> None:
    require_buildable(built)
    sql = readme_analyst_query()
    assert not sql.endswith(";"), "dbt show --inline wraps the query: no trailing ;"
    shown = run_dbt(["show", "--inline", sql, "--limit", "1000", "--output", "json"],
                    built.env, built.workdir)
    assert shown.returncode == 0, shown.stdout[-3000:]
    orders = sum(int(n) for n in re.findall(r'"orders": (\d+)', shown.stdout))
    assert orders == query(built.pg, "select count(*) from marts.order_summary")[0][0] > 0
