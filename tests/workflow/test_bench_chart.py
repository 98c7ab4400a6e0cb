"""bench/README.md's growth charts: the numbers of results/latest-*.json, drawn by Mermaid in
headless Chromium (screenshot in .local/screenshots/)."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys

from tests.workflow import mermaid_charts
from warehouse import REPO_ROOT

BENCH = REPO_ROOT / "bench"
_spec = importlib.util.spec_from_file_location("bench_chart", BENCH / "chart.py")
assert _spec and _spec.loader
bench_chart = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_chart)


def test_readme_chart_is_current() -> None:
    done = subprocess.run([sys.executable, str(BENCH / "chart.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_readme_chart_shows_the_results_in_a_browser() -> None:
    runs = bench_chart.results()
    readme = (BENCH / "README.md").read_text()
    sources = mermaid_charts.sources(readme)
    assert len(sources) == 3

    def log10(values: list[float]) -> list[float]:
        return [round(math.log10(v), 3) for v in values]

    ours = [r["contenders"]["ours"] for r in runs]
    nightly = [r["contenders"]["nightly"] for r in runs]
    expected = [  # (bars, line) per chart: loads and dbt on log10 seconds, RSS in MB
        (log10([c["wall_s"] for c in ours]), log10([c["wall_s"] for c in nightly])),
        (log10([r["dbt_full_s"] for r in runs]), log10([r["dbt_incremental_s"] for r in runs])),
        ([round(c["peak_rss_mb"], 1) for c in ours], [round(c["peak_rss_mb"], 1) for c in nightly]),
    ]
    for source, (bars, line) in zip(sources, expected, strict=True):
        assert mermaid_charts.series(source, "bar") == bars
        assert mermaid_charts.series(source, "line") == line
    assert expected[0][0][-1] - expected[0][0][0] > 1  # the full load grows: > 10x over the sizes
    for run in runs:  # the growth table has each size's full load
        row = f"| {bench_chart.size_label(run['orders'])} | {run['contenders']['ours']['rows']:,} |"
        assert f"{row} {run['contenders']['ours']['wall_s']:,.1f} |" in readme

    block = readme[readme.index(bench_chart.START):readme.index(bench_chart.END)]
    charts = mermaid_charts.render(block, "bench-growth.png")
    labels = [f"{bench_chart.size_label(r['orders'])} orders" for r in runs]
    assert [c["labels"] for c in charts] == [labels] * 3
    for chart, source in zip(charts, sources, strict=True):
        mermaid_charts.assert_chart_shows(chart, mermaid_charts.series(source, "bar"),
                                          mermaid_charts.series(source, "line"))
