from __future__ import annotations

import pytest

from intake.pipeline import Context
from intake.register import load_register
from tests.manifest import REGISTER_CSV


@pytest.fixture(scope="session")
def register():
    return load_register(REGISTER_CSV)


@pytest.fixture(scope="session")
def ctx(register):
    return Context.default(register)


@pytest.fixture(scope="session")
def bare_ctx():
    return Context.default(None)
