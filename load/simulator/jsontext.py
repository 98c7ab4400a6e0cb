"""JSON text of many records at once, byte-identical to `orjson.dumps` of their dicts.

Records are written as the rows of a byte matrix. Every field is a block: a uint8 matrix with
one row per record that holds the record's text left-aligned and padded with NUL bytes (which
JSON text never contains raw). A field is thus filled with a few numpy operations instead of
Python operations per record, and the padding is squeezed out once per page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import orjson

Block: TypeAlias = np.ndarray  # uint8, shape (rows, width)
Fields: TypeAlias = Sequence[tuple[str | None, "Part"]]


@dataclass(frozen=True)
class Masked:
    """`part` in the rows where `present`, `fill` in the others."""

    present: np.ndarray
    part: Part
    fill: bytes


Part: TypeAlias = bytes | Block | Masked | list["Part"]  # bytes are the same in every row
_Step: TypeAlias = tuple[int, int, bytes | Block | Masked]  # columns [start, stop) get this


def text(value: object) -> bytes:
    """The JSON text of one value, exactly as orjson writes it."""
    return orjson.dumps(value)


def table(values: Iterable[object]) -> Block:
    """The JSON texts of `values`, one row each: pick rows with integer codes."""
    return raw_table([text(value) for value in values])


def raw_table(texts: Sequence[bytes]) -> Block:
    """The given texts, one row each."""
    padded = np.array(texts, dtype="S")
    return padded.view(np.uint8).reshape(len(texts), padded.itemsize)


def strings(values: Sequence[str]) -> Block:
    """JSON strings of `values`, one row each; plain ASCII ones skip the JSON encoder."""
    try:
        raw = np.array(values, dtype="S")
    except UnicodeEncodeError:
        return table(values)
    block = raw.view(np.uint8).reshape(len(values), raw.itemsize)
    if _ESCAPED[block].any() or "\x00" in "".join(values):
        return table(values)
    return rows(len(values), [b'"', block, b'"'])


def digits(values: np.ndarray, width: int) -> Block:
    """Non-negative integers below 10**width, zero-padded to `width` digits."""
    out = np.empty((values.size, width), dtype=np.uint8)
    rest = values.astype(np.int64)
    for column in range(width - 1, -1, -1):
        rest, out[:, column] = np.divmod(rest, 10)
    return out + ord("0")


def integers(values: np.ndarray) -> Part:
    """Integers in decimal, as JSON writes them."""
    magnitude = np.abs(values.astype(np.int64))
    powers = 10 ** np.arange(len(str(magnitude.max(initial=0))) - 1, -1, -1, dtype=np.int64)
    block = digits(magnitude, powers.size)
    block[(magnitude[:, None] < powers) & (powers > 1)] = 0
    return [optional(values < 0, b"-"), block] if (values < 0).any() else block


def booleans(values: np.ndarray) -> Block:
    """JSON booleans."""
    return _BOOLEANS[values.astype(np.int8)]


def nullable(present: np.ndarray, part: Part) -> Masked:
    """`part` where `present`, else null."""
    return Masked(present, part, b"null")


def optional(present: np.ndarray, part: Part) -> Masked:
    """`part` where `present`, else nothing."""
    return Masked(present, part, b"")


def objects(fields: Fields, extra: Part = b"") -> list[Part]:
    """JSON objects of `fields` in order: (key, value), or (None, members made by `members`);
    `extra` is put before the closing brace (a further `,"key":value`, or nothing)."""
    return [b"{", *members(fields), extra, b"}"]


def members(fields: Fields) -> list[Part]:
    """The members of `objects` without the braces."""
    parts: list[Part] = []
    for i, (key, value) in enumerate(fields):
        parts.append((b"," if i else b"") + (b"" if key is None else text(key) + b":"))
        parts.append(value)
    return parts


def rows(n: int, part: Part) -> Block:
    """The text of `part` in each of `n` rows."""
    steps: list[_Step] = []
    out = np.zeros((n, _plan(part, 0, steps)), dtype=np.uint8)
    for start, stop, step in steps:
        if isinstance(step, Masked):
            fill = np.zeros(stop - start, dtype=np.uint8)
            fill[:len(step.fill)] = np.frombuffer(step.fill, dtype=np.uint8)
            out[~step.present, start:stop] = fill
        elif isinstance(step, bytes):
            out[:, start:stop] = np.frombuffer(step, dtype=np.uint8)
        else:
            out[:, start:stop] = step
    return out


def _plan(part: Part, at: int, steps: list[_Step]) -> int:
    """Append the writes that put `part` at column `at` (a mask after what it covers, and
    adjacent constants as one); return the column after it."""
    if isinstance(part, bytes):
        if steps and isinstance(steps[-1][2], bytes) and steps[-1][1] == at:
            start, _, before = steps.pop()
            steps.append((start, at + len(part), before + part))
        elif part:
            steps.append((at, at + len(part), part))
        return at + len(part)
    if isinstance(part, np.ndarray):
        steps.append((at, at + part.shape[1], part))
        return at + part.shape[1]
    if isinstance(part, Masked):
        stop = max(_plan(part.part, at, steps), at + len(part.fill))
        steps.append((at, stop, part))
        return stop
    for p in part:
        at = _plan(p, at, steps)
    return at


def grouped(block: Block, group: np.ndarray, slot: np.ndarray, groups: int, slots: int) -> Block:
    """Rows of `block` side by side per group: row i goes to `group[i]` at position `slot[i]`."""
    out = np.zeros((groups, slots, block.shape[1]), dtype=np.uint8)
    out[group, slot] = block
    return out.reshape(groups, slots * block.shape[1])


def squeeze(block: Block) -> bytes:
    """The rows of `block` one after another, without their padding."""
    return block[block != 0].tobytes()


_BOOLEANS = table([False, True])
_ESCAPED = np.zeros(256, dtype=bool)  # bytes a JSON string escapes (NUL, the padding, aside)
_ESCAPED[1:0x20] = _ESCAPED[ord('"')] = _ESCAPED[ord("\\")] = True
