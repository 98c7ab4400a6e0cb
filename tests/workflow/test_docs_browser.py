"""dbt docs as an analyst sees them: the order_summary page and its lineage graph in Chromium.

Loads the small simulated world, runs `dbt build` and `dbt docs generate` into a temporary
target directory, serves it on loopback and opens it in headless Chromium (Playwright, with
the system browser: no browser download). Screenshots go to .local/screenshots/.

Needs the `playwright` Python package and a Chromium/Chrome binary: $CHROMIUM_EXECUTABLE,
else chromium (Debian: `apt-get install -y chromium`) or google-chrome (GitHub's runners).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import orders
from tests.conftest import missing_tool
from warehouse import REPO_ROOT

MODEL_ID = "model.order_analytics.order_summary"
SCREENSHOTS = REPO_ROOT / ".local" / "screenshots"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage"]
BROWSER_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Columns whose descriptions must be visible on the model page (what an analyst looks up).
COLUMNS = ("order_id", "order_total", "revenue_amount", "status_label")
# The semantic layer's metrics and the exposures (models/marts/semantic/) the site must list.
METRICS = ("orders", "revenue", "average_order_value", "items_sold", "customers",
           "cancellation_rate", "repeat_customer_rate")
EXPOSURES = ("analyst_docs_site", "analyst_sql_on_order_summary", "semantic_layer_metrics",
             "nightly_job_summary")


def browser_executable() -> str | None:
    configured = os.environ.get("CHROMIUM_EXECUTABLE")
    if configured:
        return configured
    for name in BROWSER_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def dbt(args: list[str], env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    profiles = tmp / "profiles"
    if not profiles.exists():
        profiles.mkdir()
        shutil.copy(REPO_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    cmd = [shutil.which("dbt") or "dbt", *args, "--profiles-dir", str(profiles),
           "--target-path", str(tmp / "target"), "--log-path", str(tmp / "logs")]
    return subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture
def docs_site(pg_env: dict[str, str], tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Path:
    """target/ of `dbt docs generate` over a built project on the simulated world."""
    for name in ("ORDER_API_URL", "ORDER_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
        pg_env.pop(name, None)
    assert orders.main(["--demo"]) == 0
    build = dbt(["build"], pg_env, tmp_path)
    assert build.returncode == 0, build.stdout[-4000:]
    docs = dbt(["docs", "generate"], pg_env, tmp_path)
    assert docs.returncode == 0, docs.stdout[-4000:]
    target = tmp_path / "target"
    for name in ("index.html", "manifest.json", "catalog.json"):
        assert (target / name).is_file(), f"dbt docs generate wrote no {name}"
    return target


@pytest.fixture
def served(docs_site: Path) -> Iterator[str]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    handler = functools.partial(Quiet, directory=str(docs_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def snippet(text: str, words: int = 8) -> str:
    """The first few words of a description, as rendered (markdown markup dropped)."""
    return " ".join(text.replace("`", "").split()[:words])


def undocumented(docs_site: Path) -> list[str]:
    """Models, seeds, snapshots and sources, or any of their actual columns, with no description."""
    manifest = json.loads((docs_site / "manifest.json").read_text())
    catalog = json.loads((docs_site / "catalog.json").read_text())
    missing = []
    for kind in ("nodes", "sources"):
        for uid, entry in catalog[kind].items():
            if uid.startswith("test."):  # a test's stored failures (store_failures)
                continue
            node = manifest[kind][uid]
            if not node.get("description", "").strip():
                missing.append(uid)
            described = {c for c, col in node.get("columns", {}).items()
                         if col.get("description", "").strip()}
            missing += [f"{uid}.{c}" for c in entry["columns"] if c.lower() not in described]
    return missing


def check_metrics_and_exposures(page, served: str, docs_site: Path) -> None:  # noqa: ANN001
    """The site lists the semantic layer's metrics and the exposures, each with its page."""
    from playwright.sync_api import expect

    manifest = json.loads((docs_site / "manifest.json").read_text())
    metrics = {m["name"]: m for m in manifest["metrics"].values()}
    exposures = {e["name"]: e for e in manifest["exposures"].values()}
    assert set(METRICS) <= set(metrics)
    assert set(EXPOSURES) <= set(exposures)
    # the sidebar's project tree has a Metrics and an Exposures section
    page.goto(f"{served}/#!/overview", wait_until="load")
    for section in ("Exposures", "Metrics", "Semantic Models"):
        expect(page.get_by_text(section, exact=True).filter(visible=True).first) \
            .to_be_visible(timeout=30_000)
    for name in METRICS:
        page.goto(f"{served}/#!/metric/{metrics[name]['unique_id']}", wait_until="load")
        expect(page.get_by_text(snippet(metrics[name]["description"], 5)).first) \
            .to_be_visible(timeout=30_000)
        expect(page.get_by_text(metrics[name]["label"], exact=True).first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "dbt-docs-metric.png"))
    for name in EXPOSURES:
        page.goto(f"{served}/#!/exposure/{exposures[name]['unique_id']}", wait_until="load")
        expect(page.get_by_text(snippet(exposures[name]["description"], 5)).first) \
            .to_be_visible(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "dbt-docs-exposure.png"))


def test_order_summary_docs_page_and_lineage(served: str, docs_site: Path) -> None:
    """As an analyst sees it, and every model, source and column has a description."""
    from playwright import sync_api

    assert undocumented(docs_site) == []

    executable = browser_executable()
    if executable is None:
        missing_tool("no Chromium/Chrome binary: apt-get install -y chromium "
                     "(or set CHROMIUM_EXECUTABLE)")
    node = json.loads((docs_site / "manifest.json").read_text())["nodes"][MODEL_ID]
    assert node["description"].strip(), "order_summary has no description"
    column_texts = {c: snippet(node["columns"][c]["description"], 5) for c in COLUMNS
                    if node["columns"].get(c, {}).get("description")}
    assert len(column_texts) == len(COLUMNS), f"columns without a description: {COLUMNS}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=BROWSER_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            # Offline: only the local docs server is reachable.
            page.route("**/*", lambda route: route.continue_()
                       if route.request.url.startswith(served) else route.abort())
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            page.goto(f"{served}/#!/model/{MODEL_ID}", wait_until="load")
            expect = sync_api.expect
            expect(page.get_by_text(snippet(node["description"])).first).to_be_visible(
                timeout=30_000)
            expect(page.locator(".app-body h1, .app-body .app-title").first).to_contain_text(
                "order_summary")
            for text in column_texts.values():
                expect(page.get_by_text(text).first).to_be_visible()
            page.screenshot(path=str(SCREENSHOTS / "dbt-docs-order-summary.png"), full_page=False)

            # The lineage graph: the launcher button in the bottom right corner.
            page.locator(".launcher-btn a").first.click()
            graph = page.locator("#cy canvas, .launcher-content canvas")
            expect(graph.first).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1_500)  # cytoscape's layout animation
            nodes = page.evaluate("""() => {
                const el = document.querySelector('#cy');
                const cy = el && (el._cyreg && el._cyreg.cy);
                return cy ? cy.nodes(':visible').map(n => n.id()) : null;
            }""")
            box = graph.first.bounding_box()
            assert box and box["width"] > 200 and box["height"] > 200, box
            page.screenshot(path=str(SCREENSHOTS / "dbt-docs-order-summary-lineage.png"))
            check_metrics_and_exposures(page, served, docs_site)
            assert errors == [], errors
        finally:
            browser.close()
    if nodes is not None:  # cytoscape's instance is reachable: the graph shows the lineage
        expected = {MODEL_ID, *node["depends_on"]["nodes"]}
        assert expected <= set(nodes), f"lineage graph shows {nodes}, expected {expected}"
