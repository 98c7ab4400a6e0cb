"""The stand-ins' tests use the test suite's PostgreSQL fixture."""

from tests.conftest import pg_server  # noqa: F401 - a pytest fixture
