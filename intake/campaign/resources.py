"""Where the shipped data lives: schemas/ and rules/ are installed inside the package."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def schemas_dir() -> Path:
    return Path(str(resources.files("intake.schemas")))


def rules_dir() -> Path:
    return Path(str(resources.files("intake.rulesets")))
