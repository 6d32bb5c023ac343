"""The shipped systemd units: they run real commands, as the service user, hardened."""

from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest

from intake.cli import cli

UNITS = Path(__file__).parents[2] / "deploy" / "systemd"
SERVICES = {"watch": "intake-watch", "mail": "intake-mail", "sweep": "intake-sweep"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read(UNITS / name)
    return parser


@pytest.mark.parametrize("command", [*SERVICES, "serve"])
def test_each_service_runs_intake_as_its_own_user_with_hardening(command):
    service = unit(f"intake-{command}.service")["Service"]
    assert service["ExecStart"].split()[-1] == command
    assert service["User"] == "intake" and service["UMask"] == "0027"
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert "/var/lib/intake" in service["ReadWritePaths"]
    assert service["Environment"].startswith("INTAKE_")


def test_the_commands_the_units_start_exist():
    assert {*SERVICES, "serve"} <= set(cli.commands)


def test_the_sweep_runs_nightly_from_a_timer():
    timer = unit("intake-sweep.timer")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00"
    assert timer["Timer"]["Persistent"] in {"yes", "true"}
    assert unit("intake-sweep.service")["Service"]["Type"] == "oneshot"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    for path in UNITS.iterdir():
        text = path.read_text().replace("/opt/intake/.venv/bin/intake", "/bin/true")
        (tmp_path / path.name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *sorted(str(p) for p in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "intake" not in done.stderr, done.stderr
