"""bench/README.md's growth charts: the numbers of results/latest-*.json, drawn by Mermaid in
headless Chromium (screenshot in .local/screenshots/)."""

from __future__ import annotations

import importlib.util
import json
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
    runs = [json.loads((BENCH / "results" / f"latest-{n}.json").read_text())
            for n in (10_000, 100_000, 1_000_000)]
    readme = (BENCH / "README.md").read_text()
    sources = mermaid_charts.sources(readme)
    assert len(sources) == 2
    seconds = [[r["contenders"][c]["timed_s"] for r in runs] for c in ("ours", "plain_dlt")]
    rates = [[r["contenders"][c]["rows_per_s"] for r in runs] for c in ("ours", "plain_dlt")]
    for source, (ours, plain), places in zip(sources, (seconds, rates), (2, 0), strict=True):
        assert mermaid_charts.series(source, "bar") == [round(v, places) for v in ours]
        assert mermaid_charts.series(source, "line") == [round(v, places) for v in plain]
    assert seconds[0][2] / seconds[0][0] > 10  # it grows: 1M orders take > 10x of 10k

    block = readme[readme.index(bench_chart.START):readme.index(bench_chart.END)]
    charts = mermaid_charts.render(block, "bench-growth.png")
    assert [c["labels"] for c in charts] == [["10k orders", "100k orders", "1M orders"]] * 2
    for chart, source in zip(charts, sources, strict=True):
        mermaid_charts.assert_chart_shows(chart, mermaid_charts.series(source, "bar"),
                                          mermaid_charts.series(source, "line"))
