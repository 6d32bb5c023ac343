"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from tests.integration.servers import Postgres


@pytest.fixture(scope="module")
def postgres():
    """A throwaway PostgreSQL cluster per test module; each test takes a database of its own."""
    server = Postgres().start()
    yield server
    server.remove()
