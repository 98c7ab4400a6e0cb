"""Opaque page cursors bound to the feed and filters of the first request."""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct

_FORMAT = ">BqI8s"
_VERSION = 1


class CursorError(ValueError):
    """The cursor is malformed or was issued for other filters."""


def _filters_digest(feed: str, since_ms: int | None, before_ms: int | None) -> bytes:
    return hashlib.blake2b(f"{feed}|{since_ms}|{before_ms}".encode(), digest_size=8).digest()


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=4, person=b"order-api").digest()


def encode(feed: str, since_ms: int | None, before_ms: int | None, key: tuple[int, int]) -> str:
    """Cursor resuming after the record with (updated_at ms, record number) `key`."""
    digest = _filters_digest(feed, since_ms, before_ms)
    payload = struct.pack(_FORMAT, _VERSION, key[0], key[1], digest)
    return base64.urlsafe_b64encode(payload + _checksum(payload)).decode().rstrip("=")


def decode(text: str, feed: str, since_ms: int | None, before_ms: int | None) -> tuple[int, int]:
    """The key stored in `text`; raises CursorError if garbage or the filters differ."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise CursorError("cursor is not valid") from exc
    size = struct.calcsize(_FORMAT)
    if len(raw) != size + 4 or _checksum(raw[:size]) != raw[size:]:
        raise CursorError("cursor is not valid")
    version, upd_ms, rec, digest = struct.unpack(_FORMAT, raw[:size])
    if version != _VERSION:
        raise CursorError("cursor is not valid")
    if digest != _filters_digest(feed, since_ms, before_ms):
        raise CursorError("cursor was issued for different filters; repeat them unchanged")
    return upd_ms, rec
