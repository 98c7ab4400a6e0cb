"""`--from-export` with `_AWS_S3_URL_SOURCE` on s3://: a real S3 API (moto's server on loopback)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import orjson
import pytest

import orders
from simulator import World, WorldConfig, export_world
from tests.conftest import query
from tests.load.helpers import raw_versions, rejected_hashes, served_bad_hashes

AS_OF = datetime(2026, 11, 20, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                       "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(key, value)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "moto server did not start"
            time.sleep(0.2)
    yield boto3.client("s3", endpoint_url=endpoint)
    server.terminate()
    server.wait(timeout=10)


def test_export_on_s3_loads_like_the_local_export(pg, pg_env, s3, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    world = World(WorldConfig(orders=800, users=150, seed=9, bad_record_rate=0.02,
                              start=datetime(2026, 10, 1, tzinfo=UTC), end=AS_OF))
    files = export_world(world, AS_OF, tmp_path / "export", part_size=300)
    s3.create_bucket(Bucket="shop-exports")
    for path in files:
        key = f"order-api/{path.relative_to(tmp_path / 'export').as_posix()}"
        s3.upload_file(str(path), "shop-exports", key)
    monkeypatch.setenv("_AWS_S3_URL_SOURCE", "s3://shop-exports/order-api")
    assert orders.main(["--from-export"]) == 0

    for feed in ("orders", "users", "products"):
        bad = {text for _, text in world.latest_bad(feed, AS_OF)}
        expected = {(r["id"], datetime.fromisoformat(r["updated_at"]).astimezone(UTC))
                    for r in world.latest(feed, AS_OF) if orjson.dumps(r).decode() not in bad}
        assert raw_versions(pg, feed) == expected
        assert rejected_hashes(pg, feed) == served_bad_hashes(world.latest_bad(feed, AS_OF), feed)
    assert query(pg, "select count(*) from raw.rejected_records")[0][0] > 0
