"""`pre-commit run --all-files` passes: what an SQL contributor runs before committing."""

from __future__ import annotations

import os
import shutil
import subprocess

from tests.conftest import missing_tool
from warehouse import REPO_ROOT


def test_pre_commit_passes_on_the_whole_tree() -> None:
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        missing_tool("pre-commit is not installed (make setup)")
    result = subprocess.run([pre_commit, "run", "--all-files", "--show-diff-on-failure",
                             "--color", "never"], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "SKIP": ""})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
