"""Records as JSON text assembled column by column, byte-identical to `orjson.dumps` of dicts.

A column holds one JSON value text (bytes) per row; objects are joined from columns without
building a dict per row, which is what makes pages cheap to serve. Small vocabularies become
tables of texts to pick from with integer codes; numbers become rows of ASCII digits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import repeat

import numpy as np
import orjson

Column = np.ndarray | list[bytes]
NULL = b"null"
_TRUE_FALSE = np.array([b"false", b"true"], dtype=object)


def text(value: object) -> bytes:
    """The JSON text of one value, exactly as orjson writes it."""
    return orjson.dumps(value)


def table(values: Iterable[object]) -> np.ndarray:
    """JSON texts of `values` as an object array, to pick from with integer codes."""
    return texts([text(v) for v in values])


def texts(values: Sequence[bytes]) -> np.ndarray:
    """A 1-d object array of the given texts."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def numbers(values: np.ndarray) -> np.ndarray:
    """JSON texts of integers."""
    return texts([b"%d" % v for v in values.tolist()])


def booleans(values: np.ndarray) -> np.ndarray:
    """JSON texts of booleans."""
    return _TRUE_FALSE[values.astype(np.int8)]


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII codes of non-negative integers below 10**width, zero-padded: one row per value."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers % 10 + ord("0")).astype(np.uint8)


def ascii_rows(*parts: bytes | np.ndarray) -> np.ndarray:
    """Per row, the concatenation of constant `bytes` parts and rows of ASCII code arrays."""
    n = next(len(part) for part in parts if isinstance(part, np.ndarray))
    blocks = [
        np.broadcast_to(np.frombuffer(part, np.uint8), (n, len(part)))
        if isinstance(part, bytes) else part
        for part in parts
    ]
    matrix = np.ascontiguousarray(np.concatenate(blocks, axis=1))
    return texts(matrix.view(f"S{matrix.shape[1]}").ravel().tolist())


def nullable(present: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`values` (an object array) where `present`, else null."""
    return np.where(present, values, NULL)


def objects(
    fields: Sequence[tuple[str | None, Column]], extra: Column | None = None
) -> np.ndarray:
    """Per row, the JSON object of `fields` in order: (key, value texts), or (None, texts of
    members `"k":v,...` made by `members`); `extra` is raw text put before the closing brace
    (a further `,"key":value`, or empty)."""
    return concat([b"{", *_member_pieces(fields), *([] if extra is None else [extra]), b"}"])


def members(fields: Sequence[tuple[str | None, Column]]) -> np.ndarray:
    """Per row, the members of `objects` without the braces, to nest in other `objects`."""
    return concat(_member_pieces(fields))


def _member_pieces(fields: Sequence[tuple[str | None, Column]]) -> list[bytes | Column]:
    pieces: list[bytes | Column] = []
    for i, (key, values) in enumerate(fields):
        if key is not None or i:
            pieces.append((b"," if i else b"") + (b"" if key is None else text(key) + b":"))
        pieces.append(values)
    return pieces


def concat(pieces: Sequence[bytes | Column]) -> np.ndarray:
    """Per row, the concatenation of `pieces`: constant bytes or columns of equal length."""
    merged: list[bytes | list[bytes]] = []
    for piece in pieces:
        if isinstance(piece, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] += piece
        else:
            merged.append(piece if isinstance(piece, bytes) else _as_list(piece))
    if len({len(piece) for piece in merged if not isinstance(piece, bytes)}) != 1:
        raise ValueError("columns differ in length")
    rows = zip(  # the repeats are endless; the columns have the same length
        *(repeat(piece) if isinstance(piece, bytes) else piece for piece in merged), strict=False
    )
    return texts(list(map(b"".join, rows)))


def arrays(items: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """JSON arrays of consecutive runs of `items` beginning at `starts` (each run non-empty)."""
    sep = np.full(len(items), b",", dtype=object)
    sep[starts] = b"["
    return np.add.reduceat(sep + items, starts) + b"]"


def _as_list(values: Column) -> list[bytes]:
    return values.tolist() if isinstance(values, np.ndarray) else values
