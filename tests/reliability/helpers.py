"""Shared pieces of the reliability suite: the loader as a subprocess, expectations from the world.

Everything here drives real parts (the loader's command line, the simulator, PostgreSQL, dbt);
the comparisons of raw with what was served reuse `tests/load/helpers.py`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from simulator import World
from tests.conftest import query
from tests.load.helpers import raw_versions
from warehouse import REPO_ROOT

FEEDS = ("orders", "users", "products")
LOADER = REPO_ROOT / "load" / "orders.py"
# Small attempts/backoff so a permanently broken peer fails fast (the loader reads dlt's
# runtime settings); tests that want more patience override them.
FAST_FAIL = {"RUNTIME__REQUEST_MAX_ATTEMPTS": "3", "RUNTIME__REQUEST_BACKOFF_FACTOR": "0.1",
             "RUNTIME__REQUEST_MAX_RETRY_DELAY": "1", "RUNTIME__REQUEST_TIMEOUT": "5"}


def env_int(name: str, default: int) -> int:
    """An integer knob from the environment (the soak target raises them)."""
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def error_line(self) -> str:
        """The single `error: ...` line a failed run must print (and no traceback)."""
        lines = [line for line in self.stderr.splitlines() if line.startswith("error: ")]
        assert len(lines) == 1, self.stderr[-4000:]
        assert "Traceback" not in self.stderr + self.stdout, self.stderr[-4000:]
        return lines[0]


def run_loader(env: dict[str, str], *args: str, timeout: float = 180) -> Run:
    """`python load/orders.py ARGS` as a subprocess; everything it prints is captured."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-u", str(LOADER), *args], env=env,
                          capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def start_loader(env: dict[str, str], *args: str) -> subprocess.Popen:
    """The loader as a subprocess in its own process group, stdout+stderr merged, line-buffered."""
    return subprocess.Popen([sys.executable, "-u", str(LOADER), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            bufsize=1, start_new_session=True)


def kill9(proc: subprocess.Popen) -> bool:
    """SIGKILL the process group; True if the process was still running."""
    if proc.poll() is not None:
        return False
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    proc.wait(timeout=30)
    return True


def served_version(record: dict) -> tuple[str, datetime]:
    return record["id"], datetime.fromisoformat(record["updated_at"]).astimezone(UTC)


def bad_hash(feed: str, record_text: str) -> str:
    """`raw.rejected_records.payload_hash` of a record (as JSON text or a non-JSON line)."""
    return hashlib.sha256(f"{feed}\n{record_text}".encode()).hexdigest()


@dataclass
class Expected:
    """What raw must hold after completed runs at a series of `as_of` moments."""

    versions: dict[str, dict[tuple[str, datetime], dict]]
    bad: dict[str, set[str]]

    @classmethod
    def from_world(cls, world: World, moments: Iterable[datetime]) -> Expected:
        """Union over the moments of the latest served version of every record.

        An incremental run reads from its cursor minus the contract's 10-minute lag, so after a
        completed run at each moment raw holds every version that was the latest at one of them.
        """
        versions: dict[str, dict[tuple[str, datetime], dict]] = {f: {} for f in FEEDS}
        bad: dict[str, set[str]] = {f: set() for f in FEEDS}
        for as_of in moments:
            for feed in FEEDS:
                for page in world.chunks(feed, as_of):
                    for record, reason in zip(page.records, page.reasons, strict=True):
                        if reason is None:
                            versions[feed][served_version(record)] = record
                        else:
                            bad[feed].add(bad_hash(feed, orjson.dumps(record).decode()))
        return cls(versions, bad)

    def assert_raw(self, pg) -> None:  # noqa: ANN001
        for feed in FEEDS:
            assert raw_versions(pg, feed) == set(self.versions[feed]), f"raw.{feed} differs"
            got = {h for (h,) in query(pg, "select payload_hash from raw.rejected_records "
                                           "where feed = %s", feed)}
            assert got == self.bad[feed], f"raw.rejected_records of {feed} differs"
        items = sum(len(o["items"]) for o in self.versions["orders"].values())
        assert query(pg, "select count(*) from raw.order_items")[0][0] == items
        assert query(pg, "select count(*) from (select 1 from raw.order_items group by "
                         "order_id, order_updated_at, id having count(*) > 1) d")[0][0] == 0


def read_summary(path: Path) -> dict:
    return json.loads(path.read_text())


def assert_summary_balances(summary: dict) -> None:
    """served = loaded + rejected, feed by feed."""
    for feed, figures in summary["feeds"].items():
        assert figures["records"] == figures["loaded"] + figures["rejected"], (feed, figures)


# ---------------------------------------------------------------------------------------- dbt

def dbt_command(args: list[str], workdir: Path) -> list[str]:
    """`dbt ARGS` with a private profiles dir (from profiles.yml.example), target and logs."""
    profiles = workdir / "profiles"
    if not (profiles / "profiles.yml").exists():
        profiles.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / "profiles.yml.example", profiles / "profiles.yml")
    dbt = shutil.which("dbt") or str(Path(sys.executable).with_name("dbt"))
    return [dbt, *args, "--profiles-dir", str(profiles), "--target-path",
            str(workdir / "target"), "--log-path", str(workdir / "logs")]


def run_dbt(args: list[str], env: dict[str, str], workdir: Path,
            timeout: float = 400) -> subprocess.CompletedProcess:
    return subprocess.run(dbt_command(args, workdir), cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def find_secrets(secrets: dict[str, str], texts: dict[str, str] | None = None,
                 trees: Iterable[Path] = ()) -> list[str]:
    """Where any secret occurs: in the given texts, or (as bytes) in any file under `trees`."""
    hits = []
    for where, text in (texts or {}).items():
        hits += [f"{name} in {where}" for name, s in secrets.items() if s in text]
    needles = {name: s.encode() for name, s in secrets.items()}
    for tree in trees:
        files = [tree] if tree.is_file() else [p for p in tree.rglob("*") if p.is_file()]
        for path in files:
            data = path.read_bytes()
            hits += [f"{name} in {path}" for name, s in needles.items() if s in data]
    return hits
