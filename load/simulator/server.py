"""HTTP server implementing the Order API contract over a World."""

from __future__ import annotations

import email.utils
import math
import socket
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import orjson

from . import cursor as cursors
from .faults import SLOW, FaultPlan
from .params import ParamError, parse_query
from .served import ServedLog
from .world import World

ROUTES = {"/v1/orders": "orders", "/v1/users": "users", "/v1/products": "products"}


def error_body(code: str, message: str) -> bytes:
    return orjson.dumps({"error": {"code": code, "message": message}})


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    app: SimulatorServer

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-request (a killed loader) is not worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer
    timeout = 60

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: tests and the CLI read results, not access logs."""

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _hang_up(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib hook name
        app = self.server.app
        url = urlsplit(self.path)
        if self.headers.get("Authorization", "") != f"Bearer {app.token}":
            app.served.count("unauthorized")
            self._send(401, error_body("unauthorized", "missing or wrong bearer token"),
                       {"WWW-Authenticate": "Bearer"})
            return
        feed = ROUTES.get(url.path)
        if feed is None:
            app.served.count("not_found")
            self._send(404, error_body("not_found", f"no such resource: {url.path}"))
            return
        fault = app.faults.next()
        if fault is not None and self._early_fault(fault):
            app.served.fault(fault)
            return
        try:
            query = parse_query(url.query)
            after = None if query.cursor is None else cursors.decode(
                query.cursor, feed, query.since_ms, query.before_ms
            )
        except (ParamError, cursors.CursorError) as exc:
            app.served.count("bad_request")
            self._send(400, error_body("bad_request", str(exc)))
            return
        page = app.world.page_text(
            feed, app.as_of, since_ms=query.since_ms, before_ms=query.before_ms,
            after=after, limit=query.limit,
        )
        next_cursor = (
            cursors.encode(feed, query.since_ms, query.before_ms, page.last_key)
            if page.has_more and page.last_key is not None else None
        )
        body = b'{"data":' + page.data + b',"next_cursor":' + orjson.dumps(next_cursor) + b"}"
        if fault is None:
            app.served.page(feed, body, page.upd_ms, page.reasons)
            try:
                self._send(200, body)
            except OSError:
                app.served.retract(feed, body)
                self.close_connection = True
            return
        app.served.fault(fault)
        self._late_fault(fault, body)

    def _early_fault(self, fault: str) -> bool:
        """Answer a fault that needs no page; False if the fault concerns the body."""
        if fault == "429_seconds":
            self._send(429, error_body("rate_limited", "slow down"), {"Retry-After": "1"})
        elif fault == "429_date":
            when = email.utils.formatdate(math.ceil(time.time()) + 1, usegmt=True)
            self._send(429, error_body("rate_limited", "slow down"), {"Retry-After": when})
        elif fault in ("500", "503"):
            self._send(int(fault), error_body("server_error", "transient failure, retry"))
        elif fault == "drop":
            self._hang_up()
        else:
            return False
        return True

    def _late_fault(self, fault: str, body: bytes) -> None:
        if fault == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self._hang_up()
        elif fault == "garbage":
            self._send(200, body[: max(1, len(body) // 3)])
            self.close_connection = True
        elif fault == SLOW:
            time.sleep(self.server.app.faults.slow_seconds)
            try:
                self._send(200, body)
            except OSError:
                self.close_connection = True


class SimulatorServer:
    """A running simulator: `url`, settable `as_of`, the `served` log, and `stop()`."""

    def __init__(
        self, world: World, as_of: datetime, token: str, host: str, port: int,
        faults: FaultPlan, keep_pages: bool,
    ) -> None:
        if as_of.tzinfo is None:
            raise ValueError("as_of must be timezone-aware")
        self.world = world
        self.as_of = as_of
        self.token = token
        self.faults = faults
        self.served = ServedLog(keep_pages)
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.app = self
        bound_host, bound_port = self._httpd.server_address[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="order-api-simulator", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    world: World,
    as_of: datetime,
    token: str = "demo-token",
    host: str = "127.0.0.1",
    port: int = 0,
    fault_rate: float = 0.0,
    fault_seed: int = 1,
    slow_rate: float = 0.0,
    slow_seconds: float = 0.0,
    keep_pages: bool = True,
) -> SimulatorServer:
    """Start serving `world` at `as_of` in a daemon thread; port 0 picks a free port."""
    plan = FaultPlan(fault_rate, fault_seed, slow_rate, slow_seconds)
    return SimulatorServer(world, as_of, token, host, port, plan, keep_pages)
