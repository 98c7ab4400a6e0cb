"""The coverage check passes on this project and fails when a stand-in is missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "check_coverage.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=60)


def test_every_name_the_project_uses_has_a_stand_in() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_name_without_a_stand_in_fails_the_check(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "models" / "m.sql").write_text(
        "select {{ dbt_utils.date_spine('day', 'a', 'b') }}\n")
    shutil.copytree(HERE / "dbt_utils", tmp_path / "stand_ins" / "dbt_utils")
    shutil.copytree(HERE / "dbt_expectations", tmp_path / "stand_ins" / "dbt_expectations")
    result = run("--project-dir", str(project), "--stand-ins-dir", str(tmp_path / "stand_ins"))
    assert result.returncode == 1
    assert "dbt_utils.date_spine" in result.stdout + result.stderr
