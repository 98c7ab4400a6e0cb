"""Timestamps: epoch milliseconds <-> RFC 3339 text with varied UTC offsets."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np

from . import jsontext

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

SUFFIXES = ("Z", "+00:00", "+01:00", "+02:00", "-05:00", "+05:30", "-08:00", "+09:00", "-03:30")
OFFSET_MINUTES = np.array([0, 0, 60, 120, -300, 330, -480, 540, -210], dtype=np.int64)
OFFSET_WEIGHTS = np.array([0.35, 0.05, 0.15, 0.1, 0.12, 0.08, 0.07, 0.05, 0.03])
WHOLE_HOUR_CODES = np.array([0, 1, 2, 3, 4, 6, 7], dtype=np.int8)

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$"
)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime, rounded down."""
    if moment.tzinfo is None:
        raise ValueError("datetime must be timezone-aware")
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def ceil_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime, rounded up."""
    return to_ms(moment) + (1 if moment.microsecond % 1000 else 0)


def from_ms(ms: int) -> datetime:
    """Aware UTC datetime of epoch milliseconds."""
    return EPOCH + timedelta(milliseconds=int(ms))


def parse(text: str) -> datetime:
    """Parse strict RFC 3339 (any offset, up to nanoseconds) into an aware UTC datetime."""
    if not _RFC3339.match(text):
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    head, _, rest = text.partition(".")
    if rest:
        digits = re.match(r"\d+", rest).group()  # type: ignore[union-attr]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits):]}"
    return datetime.fromisoformat(text.replace("z", "Z")).astimezone(UTC)


def render(ms: np.ndarray, codes: np.ndarray, frac: np.ndarray) -> list[str]:
    """RFC 3339 text of each instant in the offset `codes`, with milliseconds where `frac`."""
    local = (ms + OFFSET_MINUTES[codes] * 60_000).astype("datetime64[ms]")
    text = np.datetime_as_string(local, unit="ms").tolist()
    return [
        (t if f else t[:19]) + SUFFIXES[c]
        for t, f, c in zip(text, frac.tolist(), codes.tolist(), strict=True)
    ]


_MINUTE_SECONDS = jsontext.raw_table([b"%02d:%02d" % divmod(s, 60) for s in range(3600)])
_ENDINGS = jsontext.raw_table([  # by (0 if whole seconds else 1 + ms) * len(SUFFIXES) + code
    (b"" if m < 0 else b".%03d" % m) + f'{suffix}"'.encode()
    for m in range(-1, 1000) for suffix in SUFFIXES
])


def json_texts(ms: np.ndarray, codes: np.ndarray, frac: np.ndarray) -> jsontext.Part:
    """`render` of each instant as a JSON string."""
    local = ms + OFFSET_MINUTES[codes] * 60_000
    year, month, day = _civil(local // DAY_MS)
    if ms.size and not 0 <= year.min() <= year.max() <= 9999:
        return jsontext.table(render(ms, codes, frac))
    ending = np.where(frac, local % 1000 + 1, 0) * len(SUFFIXES) + codes
    return [
        b'"', jsontext.digits(year, 4), b"-", jsontext.digits(month, 2), b"-",
        jsontext.digits(day, 2), b"T", jsontext.digits(local // HOUR_MS % 24, 2), b":",
        _MINUTE_SECONDS[local // 1000 % 3600], _ENDINGS[ending],
    ]


def _civil(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Proleptic Gregorian (year, month, day) of days since 1970-01-01 (H. Hinnant's method)."""
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1


def pick_offsets(rng: np.random.Generator, n: int) -> np.ndarray:
    """Offset codes drawn with realistic weights."""
    return rng.choice(len(SUFFIXES), size=n, p=OFFSET_WEIGHTS).astype(np.int8)
