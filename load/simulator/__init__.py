"""Order API simulator: a deterministic shop world served over HTTP per the contract."""

from .config import WorldConfig
from .export import export_world, read_export
from .server import SimulatorServer, serve
from .world import FEEDS, World

__all__ = [
    "FEEDS", "SimulatorServer", "World", "WorldConfig", "export_world", "read_export", "serve",
]
