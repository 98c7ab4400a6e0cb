"""Deterministic randomness: seeded generators and a vectorised integer hash."""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def generator(seed: int, tag: int) -> np.random.Generator:
    """A generator for one component (tag) of a world built from `seed`."""
    return np.random.default_rng([seed, tag])


def mix64(values: np.ndarray, salt: int) -> np.ndarray:
    """splitmix64 finaliser of `values + salt`, element-wise, as uint64."""
    with np.errstate(over="ignore"):
        z = values.astype(np.uint64) + np.uint64(salt) * _GOLDEN
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        return z ^ (z >> np.uint64(31))


def unit(values: np.ndarray, salt: int) -> np.ndarray:
    """Uniform floats in [0, 1) derived from `mix64`."""
    return (mix64(values, salt) >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def unit_one(value: int, salt: int) -> float:
    """`unit` for a single integer."""
    return float(unit(np.array([value], dtype=np.uint64), salt)[0])
