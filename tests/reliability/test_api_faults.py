"""The Order API misbehaving: a fault mix, slow responses, and an API that is down for good.

Faults (429 with seconds and with an HTTP date, 500, 503, dropped connections, truncated and
garbage bodies) must cost retries only: raw ends up exactly what the simulator served in complete
responses, and every run's summary balances (served = loaded + rejected). An API that stays down
must end the run quickly with one clear line, and the next healthy run must be exact.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import orders
from order_api import settings
from simulator import World, WorldConfig, serve
from simulator.faults import KINDS
from tests.load.helpers import assert_raw_matches
from tests.reliability.helpers import FAST_FAIL, assert_summary_balances, run_loader

TOKEN = "reliability-token"
NIGHT1 = datetime(2026, 11, 20, tzinfo=UTC)
# Retry-After is honoured up to RUNTIME__REQUEST_MAX_RETRY_DELAY (dlt's cap; 300 s by default):
# capped at 0.5 s here to keep the suite fast
PATIENT = {"RUNTIME__REQUEST_MAX_ATTEMPTS": "12", "RUNTIME__REQUEST_BACKOFF_FACTOR": "0.05",
           "RUNTIME__REQUEST_MAX_RETRY_DELAY": "0.5", "RUNTIME__REQUEST_TIMEOUT": "20"}
DOWN_BOUND_S = 30  # a permanently broken API must end the run within this (3 attempts)


def world(seed: int, **overrides: object) -> World:
    config = {"orders": 1500, "users": 300, "seed": seed, "bad_record_rate": 0.004,
              "start": datetime(2026, 9, 1, tzinfo=UTC), "end": datetime(2026, 11, 30, tzinfo=UTC),
              **overrides}
    return World(WorldConfig(**config))


def warm(w: World, as_of: datetime) -> None:
    """Build the served indexes up front so index building never looks like a slow response."""
    for feed in ("orders", "users", "products"):
        w.index(feed, as_of)


def load(summary: Path, *args: str) -> dict:
    assert orders.main([*args, "--summary-json", str(summary)]) == 0
    return json.loads(summary.read_text())


# (fault rate, seed, page size): pages much smaller than production's 1000 make enough
# requests for every fault kind to show up at both rates
@pytest.mark.parametrize(("rate", "seed", "page_size"), [(0.05, 31, 8), (0.20, 32, 25)])
def test_fault_mix_two_nights_exact(pg, pg_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    rate: float, seed: int, page_size: int) -> None:
    monkeypatch.setattr(settings, "PAGE_SIZE", page_size)
    for key, value in PATIENT.items():
        monkeypatch.setenv(key, value)
    w = world(seed)
    with serve(w, as_of=NIGHT1, token=TOKEN, fault_rate=rate, fault_seed=seed) as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", TOKEN)
        retries = 0
        for night in range(2):
            server.as_of = NIGHT1 + timedelta(days=night)
            warm(w, server.as_of)
            summary = load(tmp_path / f"night{night}.json")
            assert_raw_matches(pg, server.served)
            assert_summary_balances(summary)
            retries += sum(f["retries"] for f in summary["feeds"].values())
        faults = server.served.faults
    assert set(KINDS) <= set(faults), f"not every fault kind fired: {dict(faults)}"
    # every fault cost exactly one extra request, and nothing else did
    assert retries == sum(faults.values()), (retries, dict(faults))
    assert sum(len(server.served.bad(f)) for f in ("orders", "users", "products")) > 0


def test_slow_responses_past_the_timeout_are_retried_exactly(pg, pg_env, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.setattr(settings, "PAGE_SIZE", 30)
    for key, value in {**PATIENT, "RUNTIME__REQUEST_TIMEOUT": "1"}.items():
        monkeypatch.setenv(key, value)
    w = world(33)
    warm(w, NIGHT1)
    with serve(w, as_of=NIGHT1, token=TOKEN, fault_rate=0.05, fault_seed=33, slow_rate=0.08,
               slow_seconds=3.0) as server:
        monkeypatch.setenv("ORDER_API_URL", server.url)
        monkeypatch.setenv("ORDER_API_TOKEN", TOKEN)
        summary = load(tmp_path / "s.json")
        assert_raw_matches(pg, server.served)
        faults = server.served.faults
    assert faults["slow"] >= 2, dict(faults)
    assert_summary_balances(summary)
    served = {f: len(server.served.versions(f)) + len(server.served.bad(f))
              for f in ("orders", "users", "products")}
    assert {f: s["records"] for f, s in summary["feeds"].items()} == served
    assert sum(f["retries"] for f in summary["feeds"].values()) >= sum(faults.values())


# --------------------------------------------------------------------------- API down for good

class _Always503(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        body = b'{"error": {"code": "unavailable", "message": "down for maintenance"}}'
        self.send_response(503)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Down:
    """A broken API endpoint of one kind; `url` to point the loader at, `close()` afterwards."""

    def __init__(self, kind: str, w: World) -> None:
        self._close = []
        if kind == "refused":  # a port with nothing listening
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            self.url = f"http://127.0.0.1:{port}"
        elif kind == "black_hole":  # accepts TCP connections, never answers
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            s.listen(64)
            self._close.append(s.close)
            self.url = f"http://127.0.0.1:{s.getsockname()[1]}"
        elif kind == "always_503":
            httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Always503)
            httpd.daemon_threads = True
            threading.Thread(target=httpd.serve_forever, daemon=True).start()
            self._close += [httpd.server_close, httpd.shutdown]
            self.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        else:  # the simulator with every request faulted
            srv = serve(w, as_of=NIGHT1, token=TOKEN, fault_rate=1.0, fault_seed=3)
            self._close.append(srv.stop)
            self.url = srv.url

    def close(self) -> None:
        for close in reversed(self._close):
            close()


DOWN_KINDS = ("refused", "black_hole", "always_503", "all_faults")


def test_api_down_fails_fast_then_next_run_is_exact(pg, pg_env, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each kind of dead API in turn after a healthy night; then a healthy night is exact."""
    w = world(34, orders=500, users=100)
    timings = {}
    with serve(w, as_of=NIGHT1, token=TOKEN) as healthy:
        monkeypatch.setenv("ORDER_API_URL", healthy.url)
        monkeypatch.setenv("ORDER_API_TOKEN", TOKEN)
        load(tmp_path / "night0.json")
        assert_raw_matches(pg, healthy.served)
        healthy.as_of = NIGHT1 + timedelta(days=1)  # there is news the dead API cannot deliver

        for kind in DOWN_KINDS:
            down = _Down(kind, w)
            try:
                env = {**pg_env, **FAST_FAIL, "RUNTIME__REQUEST_TIMEOUT": "1",
                       "ORDER_API_URL": down.url, "ORDER_API_TOKEN": TOKEN}
                run = run_loader(env, timeout=DOWN_BOUND_S * 3)
            finally:
                down.close()
            timings[kind] = round(run.seconds, 1)
            assert run.returncode == 1, (kind, run.stdout[-2000:] + run.stderr[-2000:])
            line = run.error_line()
            assert down.url in line and "re-run" in line, line
            if kind == "always_503":
                assert "HTTP 503" in line and "after 3 attempts" in line, line
            if kind in ("refused", "black_hole"):
                assert "cannot reach the Order API" in line, line
            assert run.seconds < DOWN_BOUND_S, f"{kind}: gave up only after {run.seconds:.1f} s"
            assert TOKEN not in run.stdout + run.stderr
            assert_raw_matches(pg, healthy.served)  # the failed run wrote nothing

        summary = load(tmp_path / "night1.json")
        assert_raw_matches(pg, healthy.served)
        assert_summary_balances(summary)
        assert summary["feeds"]["orders"]["new_versions"] > 0
    print(f"seconds until a dead API ended the run (3 attempts, 1 s timeout): {timings}")
