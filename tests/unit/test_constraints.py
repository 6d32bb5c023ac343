"""constraints.txt pins what the tests run on; CI and the README install with it."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).parents[2]
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins() -> dict[str, str]:
    found = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, sep, version = line.partition("==")
            assert sep, f"not pinned exactly: {line}"
            found[_normal(name)] = version.strip()
    return found


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    return {_normal(_NAME.match(spec).group()) for spec in wanted}


def test_every_declared_dependency_is_pinned():
    assert declared() - set(pins()) == set()


def test_ci_runs_the_readme_test_command_with_the_constraints():
    readme = (ROOT / "README.md").read_text()
    command = next(
        line
        for line in readme.splitlines()
        if line.startswith("python3 -m venv .venv") and "pytest" in line
    )
    assert "-c constraints.txt" in command
    assert command in (ROOT / ".ci" / "run").read_text().splitlines()


def test_the_installed_versions_are_the_pinned_ones():
    installed = {_normal(dist.metadata["Name"]): dist.version for dist in metadata.distributions()}
    differ = {
        name: (version, installed[name])
        for name, version in pins().items()
        if name in installed and installed[name] != version
    }
    assert differ == {}, "reinstall with: pip install -c constraints.txt -e '.[test]'"
