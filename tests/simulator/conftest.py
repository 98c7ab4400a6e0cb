"""Shared fixtures: a small world on a short timeline (so hourly batches collide) and a server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "load"))

from simulator_client import TOKEN  # noqa: E402

from simulator import SimulatorServer, World, WorldConfig, serve  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2026, 2, 1, tzinfo=UTC)
AS_OF = datetime(2026, 1, 20, 12, tzinfo=UTC)


def small_config(**overrides: object) -> WorldConfig:
    values: dict = {"orders": 2000, "users": 400, "seed": 7, "start": START, "end": END}
    values.update(overrides)
    return WorldConfig(**values)


@pytest.fixture(scope="session")
def world() -> World:
    return World(small_config())


@pytest.fixture(scope="session")
def bad_world() -> World:
    return World(small_config(bad_record_rate=0.05))


@pytest.fixture
def server(world: World) -> Iterator[SimulatorServer]:
    srv = serve(world, AS_OF, token=TOKEN)
    yield srv
    srv.stop()
