"""A copy of the dbt project in a temporary directory, for tests that add or break models."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from warehouse import REPO_ROOT

# what dbt, sqlfluff and dbt-score read; dbt_packages is linked, not copied
PROJECT_FILES = ["dbt_project.yml", "packages.yml", "pyproject.toml", ".sqlfluff",
                 ".sqlfluffignore", "models", "macros", "seeds", "snapshots", "analyses",
                 "tests/dbt", "dbt_score_rules", ".github/scripts/sqlfluff_libs"]
BIN = Path(sys.executable).parent


def copy_project(tmp: Path) -> Path:
    project = tmp / "project"
    for name in PROJECT_FILES:
        source, target = REPO_ROOT / name, project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    (project / "dbt_packages").symlink_to(REPO_ROOT / "dbt_packages")
    (project / "profiles").mkdir()
    shutil.copy(REPO_ROOT / "profiles.yml.example", project / "profiles" / "profiles.yml")
    return project


def run(project: Path, *args: str, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess:
    """A tool of the venv in the copied project (dbt gets the copy's profile and target)."""
    cmd = [*args]
    if args[0] == "dbt":
        cmd = [str(BIN / "dbt"), *args[1:], "--profiles-dir", str(project / "profiles")]
    elif args[0] == "dbt-score":
        cmd = [sys.executable, "-m", "dbt_score", *args[1:]]
    elif args[0] == "sqlfluff":
        cmd = [str(BIN / "sqlfluff"), *args[1:]]
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)
