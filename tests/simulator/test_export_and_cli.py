"""Bulk export layout/content and the demo_api.py command line."""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import orjson
import requests
from conftest import AS_OF
from simulator_client import TOKEN, instant

from simulator import export_world, read_export

LAYOUT = r"(orders|users|products)/dt=\d{4}-\d{2}-\d{2}/part-\d{4}\.jsonl\.gz"
REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, str(REPO / "load" / "demo_api.py")]
SMALL = ["--orders", "300", "--users", "60", "--start", "2026-01-01T00:00:00Z",
         "--end", "2026-02-01T00:00:00Z"]


def test_export_layout_and_content_equal_latest(bad_world, tmp_path) -> None:
    paths = export_world(bad_world, AS_OF, tmp_path, part_size=20)
    assert paths
    for path in paths:
        rel = path.relative_to(tmp_path).as_posix()
        assert re.fullmatch(LAYOUT, rel)
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            lines = fh.read().splitlines()
        assert 1 <= len(lines) <= 20
    assert any(p.name == "part-0001.jsonl.gz" for p in paths)
    for feed in ("orders", "users", "products"):
        records = read_export(tmp_path, feed)
        assert records == bad_world.latest(feed, AS_OF)
    for path in (tmp_path / "orders").glob("dt=*/*.gz"):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                updated = orjson.loads(line).get("updated_at", "")
                if re.match(r"^\d{4}-(0\d|1[0-2])-", updated):
                    day = instant(updated).astimezone(AS_OF.tzinfo).date().isoformat()
                    assert path.parent.name == f"dt={day}"


def test_cli_rejects_bad_flags_without_traceback() -> None:
    for args in (["--orders", "zero"], ["--as-of", "yesterday"], ["--fault-rate", "2"],
                 ["export"], ["--nope"], ["--outage", "tuesday"],
                 ["--outage", "2026-01-05:1.5"]):
        result = subprocess.run(CLI + args, capture_output=True, text=True, timeout=30)
        assert result.returncode == 2, args
        assert "Traceback" not in result.stderr and "usage:" in result.stderr


def test_cli_export_writes_files(tmp_path) -> None:
    result = subprocess.run(
        CLI + ["export", "--out", str(tmp_path), *SMALL, "--as-of", "2026-01-20T00:00:00Z"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert read_export(tmp_path, "orders") and read_export(tmp_path, "users")


def test_cli_outage_empties_that_day(tmp_path) -> None:
    def days(out, *extra: str) -> set[str]:
        result = subprocess.run(
            CLI + ["export", "--out", str(out), *SMALL, "--as-of", "2026-01-20T00:00:00Z",
                   *extra], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return {instant(o["created_at"]).astimezone(AS_OF.tzinfo).date().isoformat()
                for o in read_export(out, "orders")}

    assert "2026-01-10" in days(tmp_path / "normal")
    assert "2026-01-10" not in days(tmp_path / "outage", "--outage", "2026-01-10")


def test_cli_serves_until_interrupted() -> None:
    env = os.environ | {"ORDER_API_TOKEN": TOKEN}
    proc = subprocess.Popen(
        CLI + [*SMALL, "--port", "0", "--as-of", "2026-01-20T00:00:00+01:00"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://\S+", line).group()
        response = requests.get(f"{url}/v1/orders", headers={"Authorization": f"Bearer {TOKEN}"},
                                params={"limit": 3}, timeout=10)
        assert response.status_code == 200 and len(response.json()["data"]) == 3
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    assert "Traceback" not in proc.stderr.read()
