#!/usr/bin/env python3
"""Check that the offline stand-ins define every dbt_utils / dbt_expectations name we use.

Scans models/, snapshots/, tests/, macros/ (and seeds/ YAML) of the dbt project for
`dbt_utils.<name>` and `dbt_expectations.<name>` -- macro calls in SQL/Jinja as well as generic
tests in YAML (`- dbt_utils.<name>:`) -- and compares them with the macros and tests defined
in packages_offline/<package>/macros/. A generic test `<name>` is provided by `{% test <name>(`
(or by a macro `test_<name>`); a macro call `<package>.<name>(` by `{% macro <name>(`.

Exits 1 and lists every missing name, else prints what is covered and exits 0.

    python packages_offline/check_coverage.py [--project-dir DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

PACKAGES = ("dbt_utils", "dbt_expectations")
SCAN_DIRS = ("models", "snapshots", "tests", "macros", "seeds")
SCAN_SUFFIXES = {".sql", ".yml", ".yaml", ".jinja", ".md"}
USE_RE = re.compile(r"\b(" + "|".join(PACKAGES) + r")\.([A-Za-z_][A-Za-z0-9_]*)")
DEF_RE = re.compile(r"{%-?\s*(macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def defined_names(package_dir: Path) -> set[str]:
    names: set[str] = set()
    for path in package_dir.rglob("*.sql"):
        for kind, name in DEF_RE.findall(path.read_text(encoding="utf-8")):
            names.add(name)
            if kind == "macro" and name.startswith("test_"):
                names.add(name[len("test_") :])
    return names


def used_names(project_dir: Path) -> dict[tuple[str, str], set[str]]:
    uses: dict[tuple[str, str], set[str]] = defaultdict(set)
    for directory in SCAN_DIRS:
        root = project_dir / directory
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.suffix not in SCAN_SUFFIXES:
                continue
            if any(part in {"dbt_packages", "target", "__pycache__"} for part in path.parts):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for package, name in USE_RE.findall(text):
                uses[(package, name)].add(str(path.relative_to(project_dir)))
    return uses


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project-dir", type=Path, default=here.parent)
    parser.add_argument("--stand-ins-dir", type=Path, default=here)
    args = parser.parse_args(argv)

    available = {pkg: defined_names(args.stand_ins_dir / pkg) for pkg in PACKAGES}
    uses = used_names(args.project_dir)
    missing = {key: files for key, files in uses.items() if key[1] not in available[key[0]]}

    if missing:
        print("Offline stand-ins lack these names used by the project:", file=sys.stderr)
        for (package, name), files in sorted(missing.items()):
            print(f"  {package}.{name}  (used in {', '.join(sorted(files))})", file=sys.stderr)
        return 1
    covered = ", ".join(f"{pkg}.{name}" for pkg, name in sorted(uses))
    print(f"Offline stand-ins cover all {len(uses)} names used: {covered or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
