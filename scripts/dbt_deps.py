"""`make setup`'s dbt packages: `dbt deps` from the dbt hub, else the offline stand-ins.

Plain Python instead of `timeout 60 dbt deps >/dev/null 2>&1`: `timeout` is GNU coreutils (a Mac
has none by default, so the fallback was taken even online), and the redirect hid why `dbt deps`
failed. Here the reason is printed in one line when the stand-ins (packages_offline/) are used.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TIMEOUT_S = 60
STAND_INS = ("dbt_utils", "dbt_expectations")
_ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*Error): (.+)$")


def reason(output: str) -> str:
    """The line that says why `dbt deps` failed: its last `SomeError: why`, else its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [f"{m.group(1)}: {m.group(2)}" for line in lines if (m := _ERROR_LINE.match(line))]
    found = (errors or lines or ["no output"])[-1]
    return found if len(found) <= 300 else found[:297] + "..."


def main() -> int:
    dbt = shutil.which("dbt", path=str(Path(sys.executable).parent)) or shutil.which("dbt")
    if dbt is None:
        print("error: dbt not found: run `make setup` (it installs dbt into .venv)",
              file=sys.stderr)
        return 1
    try:
        result = subprocess.run([dbt, "deps"], cwd=REPO, capture_output=True, text=True,
                                timeout=TIMEOUT_S)
        why = "" if result.returncode == 0 else reason(result.stdout + "\n" + result.stderr)
    except subprocess.TimeoutExpired:
        why = f"no answer from the dbt hub within {TIMEOUT_S} s"
    if not why:
        print("dbt packages: installed from the dbt hub (packages.yml)")
        return 0
    target = REPO / "dbt_packages"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for name in STAND_INS:
        shutil.copytree(REPO / "packages_offline" / name, target / name)
    print(f"dbt packages: `dbt deps` failed ({why}); installed the offline stand-ins "
          "(packages_offline/README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
