"""Command line: serve a simulated Order API, or write a bulk export."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from . import timefmt
from .config import WorldConfig
from .export import export_world
from .server import serve
from .world import World


def _timestamp(text: str) -> datetime:
    try:
        return timefmt.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an RFC 3339 timestamp: {text!r}") from exc


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be within [0, 1]: {text!r}")
    return value


def _int_between(low: int, high: int | None, what: str) -> Callable[[str], int]:
    """An argparse type: an integer in [low, high] (no upper bound when high is None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from exc
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"{what}: {text!r}")
        return value

    return parse


def _outage(text: str) -> tuple[date, float]:
    """`DAY[:FRACTION]`: a UTC day (YYYY-MM-DD) and the share of its orders kept (default 0)."""
    day_text, _, fraction_text = text.partition(":")
    try:
        day = date.fromisoformat(day_text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a day (YYYY-MM-DD): {day_text!r}") from exc
    return day, _rate(fraction_text) if fraction_text else 0.0


_positive = _int_between(1, None, "must be at least 1")
_port = _int_between(0, 65535, "not a port")


def _world_options(parser: argparse.ArgumentParser) -> None:
    defaults = WorldConfig()
    parser.add_argument("--orders", type=_positive, default=100_000)
    parser.add_argument("--users", type=_positive, default=20_000)
    parser.add_argument("--products", type=_positive, default=None,
                        help="default: max(50, orders // 200)")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--start", type=_timestamp, default=defaults.start)
    parser.add_argument("--end", type=_timestamp, default=defaults.end)
    parser.add_argument("--bad-record-rate", type=_rate, default=0.0)
    parser.add_argument("--new-field-from", type=_timestamp, default=None,
                        help="orders updated from then on carry an extra gift_message field")
    parser.add_argument("--outage", type=_outage, default=None, metavar="DAY[:FRACTION]",
                        help="orders placed on that UTC day fall to FRACTION of normal "
                             "(default 0: none)")
    parser.add_argument("--as-of", type=_timestamp, default=None,
                        help="moment the world is served at (default: now, frozen at start-up)")


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="demo_api.py",
        description="Serve a simulated Order API (use `demo_api.py export ...` for a bulk export).",
    )
    _world_options(parser)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_port, default=8000)
    parser.add_argument("--token", default=None,
                        help="bearer token (default: $ORDER_API_TOKEN, else demo-token)")
    parser.add_argument("--fault-rate", type=_rate, default=0.0)
    parser.add_argument("--fault-seed", type=int, default=1)
    return parser


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="demo_api.py export", description="Write the bulk export of a simulated world."
    )
    _world_options(parser)
    parser.add_argument("--out", required=True, help="output directory")
    parser.add_argument("--part-size", type=_positive, default=10_000)
    return parser


def _world(args: argparse.Namespace, parser: argparse.ArgumentParser) -> World:
    try:
        config = WorldConfig(
            orders=args.orders, users=args.users, products=args.products, seed=args.seed,
            start=args.start, end=args.end, bad_record_rate=args.bad_record_rate,
            new_field_from=args.new_field_from,
            outage_day=args.outage[0] if args.outage else None,
            outage_fraction=args.outage[1] if args.outage else 0.0,
        )
    except ValueError as exc:
        parser.error(str(exc))
    return World(config)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["export"]:
        parser = _export_parser()
        args = parser.parse_args(argv[1:])
        as_of = args.as_of or datetime.now(UTC)
        paths = export_world(_world(args, parser), as_of, args.out, args.part_size)
        print(f"wrote {len(paths)} files under {args.out} (as of {as_of.isoformat()})")
        return 0
    parser = _serve_parser()
    args = parser.parse_args(argv)
    as_of = args.as_of or datetime.now(UTC)
    token = args.token or os.environ.get("ORDER_API_TOKEN") or "demo-token"
    world = _world(args, parser)
    try:
        server = serve(world, as_of, token=token, host=args.host, port=args.port,
                       fault_rate=args.fault_rate, fault_seed=args.fault_seed, keep_pages=False)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Order API simulator at {server.url} (as of {as_of.isoformat()})", flush=True)
    # Ctrl-C and SIGTERM stop it, even when started in the background (where a shell leaves
    # SIGINT ignored, and Python would then never raise KeyboardInterrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
