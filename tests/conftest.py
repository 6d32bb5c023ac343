from __future__ import annotations

import pytest

from intake.bootstrap import build_context
from intake.campaign.register import load_register
from intake.config import load
from tests.manifest import REGISTER_CSV


def context(register=None, reader: str = "fastxml", **env: str):
    """A judging context built as every command builds it: from a configuration."""
    return build_context(load(None, env), register=register, reader=reader)


@pytest.fixture(scope="session")
def register():
    return load_register(REGISTER_CSV)


@pytest.fixture(scope="session")
def ctx():
    return context(REGISTER_CSV)


@pytest.fixture(scope="session")
def bare_ctx():
    return context(None)
