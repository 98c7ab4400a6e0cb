"""The users feed: each user changes email, address, tier and opt-in a few times."""

from __future__ import annotations

import unicodedata

import numpy as np

from . import defects, jsontext, timefmt
from .arrays import forward_fill, grouped_cumsum
from .config import WorldConfig
from .places import address_texts, addresses
from .rng import generator, unit
from .versions import VersionTable, finalize
from .vocab import EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES

TAG = 2
TIERS = ("none", "silver", "gold", "platinum")
EMAIL, ADDRESS, TIER, OPT_IN = range(4)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())


_FIRST_SLUGS = np.array([f"{_slug(name)}." for name in FIRST_NAMES], dtype=object)
_LAST_SLUGS = np.array([f"{_slug(name)}." for name in LAST_NAMES], dtype=object)
_AT_DOMAINS = np.array([f"@{domain}" for domain in EMAIL_DOMAINS], dtype=object)


class Users:
    name = "users"

    def __init__(self, config: WorldConfig) -> None:
        rng = generator(config.seed, TAG)
        n = config.users
        start, end = timefmt.to_ms(config.start), timefmt.to_ms(config.end)
        span = end - start
        self.n_records = n
        self.width = max(7, len(str(n)))
        created = np.sort(rng.integers(start - span // 4, end, n))
        created[0] = start - span // 4
        self.first = rng.integers(0, len(FIRST_NAMES), n).astype(np.int16)
        self.last = rng.integers(0, len(LAST_NAMES), n).astype(np.int16)
        self.has_phone = rng.random(n) < 0.7
        self.no_first_address = rng.random(n) < 0.3
        self.ids = [f"usr_{i + 1:0{self.width}d}" for i in range(n)]

        changes = rng.poisson(2.0, n)
        deleted = rng.random(n) < 0.01
        counts = 1 + changes + deleted
        first_pos = np.concatenate(([0], np.cumsum(counts)[:-1]))
        rec = np.repeat(np.arange(n), counts)
        starts_of = np.repeat(first_pos, counts)
        pos = np.arange(rec.size) - starts_of
        is_first = pos == 0
        is_delete = deleted[rec] & (pos == counts[rec] - 1)
        gaps = np.where(is_first, 0, rng.exponential(span / 6, rec.size).astype(np.int64) + 1000)
        upd = created[rec] + grouped_cumsum(starts_of, gaps)
        kind = np.where(is_first | is_delete, -1, rng.integers(0, 4, rec.size))
        email_v = grouped_cumsum(starts_of, (kind == EMAIL).astype(np.int64))
        address_v = grouped_cumsum(starts_of, (kind == ADDRESS).astype(np.int64))
        tier_draw = rng.choice(4, size=rec.size, p=[0.6, 0.2, 0.15, 0.05])
        tier = tier_draw[forward_fill(is_first | (kind == TIER))]
        flips = grouped_cumsum(starts_of, (kind == OPT_IN).astype(np.int64)) % 2 == 1
        opt_in = flips ^ (rng.random(n) < 0.4)[rec]
        frac = rng.random(rec.size) >= 0.25
        code = timefmt.pick_offsets(rng, rec.size)
        self.table: VersionTable = finalize(
            rng, rec, upd, frac, code, n, config.bad_record_rate, defects.weights(self.name)
        )
        self.table.cols.update(
            email=email_v.astype(np.int16), address=address_v.astype(np.int16),
            tier=tier.astype(np.int8), opt_in=opt_in, deleted=is_delete,
        )

    @property
    def created_ms(self) -> np.ndarray:
        return self.table.upd[self.table.starts]

    def _emails(self, rec: np.ndarray, variant: np.ndarray, vidx: np.ndarray) -> list[str]:
        """Name slugs, user number, `+variant` if changed, domain; some sloppily spelled."""
        tags = [f"+{v}" if v else "" for v in variant.tolist()]
        domain = _AT_DOMAINS[(rec + variant) % len(EMAIL_DOMAINS)]
        emails = list(map("".join, zip(
            _FIRST_SLUGS[self.first[rec]].tolist(), _LAST_SLUGS[self.last[rec]].tolist(),
            map(str, (rec + 1).tolist()), tags, domain.tolist(), strict=True,
        )))
        style = unit(vidx, 11)
        for i in np.flatnonzero(style < 0.15).tolist():
            emails[i] = emails[i].title() if style[i] < 0.1 else f"  {emails[i]} "
        return emails

    def render(self, vidx: np.ndarray) -> list[dict]:
        t = self.table
        rec = t.rec[vidx]
        updated = timefmt.render(t.upd[vidx], t.code[vidx], t.frac[vidx])
        first = t.starts[rec]
        created = timefmt.render(t.upd[first], t.code[first], t.frac[first])
        address_v = t.cols["address"][vidx]
        addr = addresses(rec.astype(np.int64) * 4096 + address_v, 21)
        no_addr = (self.no_first_address[rec] & (address_v == 0)).tolist()
        emails = self._emails(rec, t.cols["email"][vidx], vidx)
        tier = t.cols["tier"][vidx].tolist()
        opt_in = t.cols["opt_in"][vidx].tolist()
        deleted = t.cols["deleted"][vidx].tolist()
        out = []
        for i, r in enumerate(rec.tolist()):
            out.append({
                "id": self.ids[r],
                "email": emails[i],
                "first_name": FIRST_NAMES[self.first[r]],
                "last_name": LAST_NAMES[self.last[r]],
                "phone": f"+49 151 {(r * 7919) % 10_000_000:07d}" if self.has_phone[r] else None,
                "created_at": created[i],
                "updated_at": updated[i],
                "deleted_at": updated[i] if deleted[i] else None,
                "marketing_opt_in": opt_in[i],
                "loyalty_tier": TIERS[tier[i]],
                "address": None if no_addr[i] else addr[i],
            })
        return out

    def json_parts(self, vidx: np.ndarray) -> jsontext.Part:
        """`render` as JSON text parts."""
        t = self.table
        rec = t.rec[vidx]
        first = t.starts[rec]
        updated = timefmt.json_texts(t.upd[vidx], t.code[vidx], t.frac[vidx])
        address_v = t.cols["address"][vidx]
        addr = address_texts(rec.astype(np.int64) * 4096 + address_v, 21)
        has_addr = ~(self.no_first_address[rec] & (address_v == 0))
        phone = [b'"+49 151 ', jsontext.digits(rec.astype(np.int64) * 7919 % 10_000_000, 7), b'"']
        return jsontext.objects([
            ("id", [b'"usr_', jsontext.digits(rec + 1, self.width), b'"']),
            ("email", jsontext.strings(self._emails(rec, t.cols["email"][vidx], vidx))),
            ("first_name", _FIRST_NAME[self.first[rec]]),
            ("last_name", _LAST_NAME[self.last[rec]]),
            ("phone", jsontext.nullable(self.has_phone[rec], phone)),
            ("created_at", timefmt.json_texts(t.upd[first], t.code[first], t.frac[first])),
            ("updated_at", updated),
            ("deleted_at", jsontext.nullable(t.cols["deleted"][vidx], updated)),
            ("marketing_opt_in", jsontext.booleans(t.cols["opt_in"][vidx])),
            ("loyalty_tier", _TIER[t.cols["tier"][vidx]]),
            ("address", jsontext.nullable(has_addr, addr)),
        ])


_FIRST_NAME = jsontext.table(FIRST_NAMES)
_LAST_NAME = jsontext.table(LAST_NAMES)
_TIER = jsontext.table(TIERS)
