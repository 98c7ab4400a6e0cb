"""Markdown with Mermaid charts rendered the way GitHub shows it, in headless Chromium.

`render(markdown, screenshot)` turns the markdown into HTML (markdown-it, GitHub's flavour
of tables), lets Mermaid (npm, .local/node) draw every ```mermaid block, screenshots the page
into .local/screenshots/ and returns, per chart, what the browser drew: the title, the x-axis
labels, the bars' heights and the line's points, in pixels.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from tests.conftest import missing_tool
from tests.workflow.test_docs_browser import BROWSER_ARGS, SCREENSHOTS, browser_executable
from warehouse import REPO_ROOT

MERMAID_JS = REPO_ROOT / ".local" / "node" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
_BLOCK = re.compile(r'<pre><code class="language-mermaid">(.*?)</code></pre>', re.S)

# Per drawn xychart: title, x-axis labels, bar heights, line points (SVG user units).
_READ_CHARTS = """() => [...document.querySelectorAll('pre.mermaid svg')].map(svg => ({
    title: (svg.querySelector('.chart-title text') || {}).textContent || '',
    labels: [...svg.querySelectorAll('.bottom-axis .label text')].map(t => t.textContent),
    bars: [...svg.querySelectorAll('.bar-plot-0 rect')].map(r => ({
        y: +r.getAttribute('y'), height: +r.getAttribute('height')})),
    line: [...(svg.querySelector('[class^=line-plot] path') || {getAttribute: () => ''})
        .getAttribute('d').matchAll(/[ML]([0-9.]+),([0-9.]+)/g)].map(m => +m[2]),
    width: svg.getBoundingClientRect().width,
}))"""


def sources(markdown: str) -> list[str]:
    """The ```mermaid blocks of the markdown."""
    return re.findall(r"```mermaid\n(.*?)```", markdown, re.S)


def series(source: str, kind: str) -> list[float]:
    """The numbers of the chart source's first `bar` or `line` series."""
    found = re.search(rf"^\s*{kind} \[(.*?)\]$", source, re.M)
    assert found, f"no {kind} series in {source}"
    return [float(v) for v in found.group(1).split(",")]


def to_html(markdown: str) -> str:
    body = MarkdownIt("commonmark").enable("table").render(markdown)
    body = _BLOCK.sub(lambda m: f'<pre class="mermaid">{m.group(1)}</pre>', body)
    return ("<!doctype html><html><head><meta charset='utf-8'><style>body{font-family:"
            "sans-serif;max-width:1000px;margin:24px}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 8px}</style></head>"
            f"<body>{body}</body></html>")


def render(markdown: str, screenshot: str) -> list[dict]:
    from playwright import sync_api

    executable = browser_executable()
    if executable is None:
        missing_tool("no Chromium/Chrome binary: apt-get install -y chromium "
                     "(or set CHROMIUM_EXECUTABLE)")
    if not MERMAID_JS.is_file():
        missing_tool("mermaid npm package missing: make test-tools")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.route("**/*", lambda route: route.abort())  # offline: nothing is fetched
            page.set_content(to_html(markdown))
            page.add_script_tag(path=str(MERMAID_JS))
            page.evaluate("() => { mermaid.initialize({startOnLoad: false}); "
                          "return mermaid.run({querySelector: 'pre.mermaid'}); }")
            page.wait_for_function(
                "n => document.querySelectorAll('pre.mermaid svg').length === n",
                arg=len(sources(markdown)), timeout=30_000)
            page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
            charts = page.evaluate(_READ_CHARTS)
            assert errors == [], errors
            return charts
        finally:
            browser.close()


def assert_chart_shows(chart: dict, bars: list[float], line: list[float]) -> None:
    """The browser drew these numbers: one bar and one line point per value, at heights on
    one linear y axis (bar tops and line points within half a pixel of it)."""
    assert len(chart["bars"]) == len(bars) and len(chart["line"]) == len(line), chart
    tops = [b["y"] for b in chart["bars"]]
    low, high = bars.index(min(bars)), bars.index(max(bars))
    assert bars[high] > bars[low] and tops[low] - tops[high] > 50, chart
    scale = (tops[low] - tops[high]) / (bars[high] - bars[low])  # pixels per unit

    def y(value: float) -> float:
        return tops[low] - (value - bars[low]) * scale

    for top, value in zip(tops, bars, strict=True):
        assert abs(top - y(value)) < 0.5, (top, value)
    for point, value in zip(chart["line"], line, strict=True):
        assert abs(point - y(value)) < 0.5, (point, value)
