"""Small command-line parts: global options anywhere, file modes, register amounts."""

from __future__ import annotations

import os
import stat

import pytest

from intake.campaign.register import parse_amount
from intake.cli.argv import hoist_global_options
from intake.storage.filemodes import PRIVATE_DIR, SHARED_DIR, make_dirs


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "-v", "a.xlsx"], ["-v", "check", "a.xlsx"]),
        (["check", "a.xlsx", "-vv"], ["-vv", "check", "a.xlsx"]),
        (["sweep", "--config", "x.toml"], ["--config", "x.toml", "sweep"]),
        (["sweep", "--config=x.toml", "-v"], ["--config=x.toml", "-v", "sweep"]),
        (["-v", "check", "--json", "a"], ["-v", "check", "--json", "a"]),
        (["--config", "x.toml", "check", "a"], ["--config", "x.toml", "check", "a"]),
        (["config", "show", "--verbose"], ["--verbose", "config", "show"]),
        (["sweep", "--log-format", "json"], ["--log-format", "json", "sweep"]),
        (["mail", "--once", "--log-format=json"], ["--log-format=json", "mail", "--once"]),
        (["check", "--", "-v"], ["check", "--", "-v"]),
        (["--help"], ["--help"]),
    ],
)
def test_global_options_move_before_the_subcommand(argv, expected):
    assert hoist_global_options(argv) == expected


def test_folders_get_their_mode_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        private = make_dirs(tmp_path / "a" / "b", PRIVATE_DIR)
        shared = make_dirs(tmp_path / "c", SHARED_DIR)
    finally:
        os.umask(old)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_IMODE(private.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o750


def test_archive_ledger_and_reports_are_private(tmp_path):
    from intake.storage.archive import Archive
    from intake.storage.files import atomic_write
    from intake.storage.ledger import Ledger

    original = Archive(tmp_path / "archive").put("ab" * 32, "model.xlsx", b"x")
    assert stat.S_IMODE(original.stat().st_mode) == 0o600
    assert stat.S_IMODE(original.parent.stat().st_mode) == 0o700
    Ledger.open(f"sqlite:///{tmp_path / 'db' / 'ledger.sqlite'}")
    assert stat.S_IMODE((tmp_path / "db" / "ledger.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "db").stat().st_mode) == 0o700
    report = tmp_path / "outbox" / "model.xlsx.html"
    atomic_write(report, "<p>")
    assert stat.S_IMODE(report.stat().st_mode) == 0o640
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o750


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("€ 450.000", 450_000.0),
        ("450.000", 450_000.0),
        ("€ 1.250.000", 1_250_000.0),
        ("1.250.000,00", 1_250_000.0),
        ("€ 450.000,50", 450_000.5),
        ("1250000.00", 1_250_000.0),
        ("12.5", 12.5),
    ],
)
def test_register_amounts_in_dutch_notation(text, amount):
    assert parse_amount(text) == amount


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "1e999"])
def test_register_amounts_must_be_finite(text):
    with pytest.raises(ValueError):
        parse_amount(text)
