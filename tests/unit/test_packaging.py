"""A plain `pip install .` ships every package of the code, not only what a checkout has."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_under_intake_is_installed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "intake").rglob("__init__.py")
        if "migrations" not in init.parts
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
