"""Every command takes its campaign from the configuration; broken rules stop it with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from intake.campaign.resources import rules_dir, schemas_dir
from tests.manifest import FIXTURES, SUBMISSIONS

MODEL_2021 = FIXTURES / "submissions-2021" / "geldig-2021.xlsx"
REGISTER_2021 = FIXTURES / "registers" / "gereserveerde-kwaliteitsmiddelen-2021.csv"


def run(*args: str, config: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    if config is not None:
        env["INTAKE_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "intake", *args], capture_output=True, text=True, env=env
    )


def test_check_and_report_use_the_configured_campaign(tmp_path: Path):
    config = tmp_path / "intake.toml"
    config.write_text('[general]\ncampaign = "kwaliteitsbudget-2021"\n', encoding="utf-8")
    result = run(
        "check", "--json", "--received", "2020-10-20", "--register", str(REGISTER_2021),
        str(MODEL_2021), config=config,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [verdict] = json.loads(result.stdout)
    assert verdict["campaign"] == "kwaliteitsbudget-2021" and verdict["status"] == "accepted"
    assert len(verdict["rules_version"]) == 12
    out = tmp_path / "out"
    result = run(
        "report", "--out", str(out), "--received", "2020-10-20", str(MODEL_2021), config=config
    )
    assert result.returncode == 0, result.stderr
    html = (out / "geldig-2021.xlsx.html").read_text(encoding="utf-8")
    assert "kwaliteitsbudget verpleeghuiszorg 2021" in html
    assert "kwaliteitsbudget 2020" not in html and "verpleeghuiszorg 2020" not in html
    stored = json.loads((out / "geldig-2021.xlsx.verdict.json").read_text(encoding="utf-8"))
    assert stored["campaign"] == "kwaliteitsbudget-2021"
    # Without the configuration the same file is not the default (2020) campaign's model.
    result = run("check", "--json", "--received", "2020-10-20", str(MODEL_2021))
    assert json.loads(result.stdout)[0]["campaign"] == "kwaliteitsbudget-2020"


def test_a_broken_rules_file_is_a_configuration_error_not_a_providers_problem(tmp_path: Path):
    rules = tmp_path / "regels.toml"
    text = (rules_dir() / "kwaliteitsbudget-2020.toml").read_text(encoding="utf-8")
    text = text.replace('severity = "review"', 'severity = "nakijken"', 1)
    text = text.replace("[care_office]", '[care_office]\nfax = "071-0000000"')
    rules.write_text(text, encoding="utf-8")
    config = tmp_path / "intake.toml"
    config.write_text(f'[general]\nrules_file = "{rules}"\n', encoding="utf-8")
    result = run("check", "--json", str(SUBMISSIONS / "geldig-nov2019.xlsx"), config=config)
    assert result.returncode == 2
    assert result.stdout == ""
    assert str(rules) in result.stderr
    assert "[care_office] fax: unknown key" in result.stderr
    assert "'nakijken' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_schema_with_an_unsupported_function_stops_the_command(tmp_path: Path):
    """A ROUND in the cell map once switched checks off silently; now it stops everything."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    text = (schemas_dir() / "kwaliteitsbudget-2021.toml").read_text(encoding="utf-8")
    (schemas / "kwaliteitsbudget-2021.toml").write_text(
        text.replace('formula = "MIN(C7,C9)"', 'formula = "ROUND(MIN(C7,C9),2)"'), "utf-8"
    )
    rules = tmp_path / "regels.toml"
    base = rules_dir() / "kwaliteitsbudget-2021.toml"
    rules.write_text(
        base.read_text(encoding="utf-8").replace(
            'extends = "kwaliteitsbudget-2020"', f'extends = "{rules_dir()}/kwaliteitsbudget-2020"'
        ),
        encoding="utf-8",
    )
    assert rules.read_text(encoding="utf-8") != base.read_text(encoding="utf-8")
    config = tmp_path / "intake.toml"
    config.write_text(
        f'[general]\ncampaign = "kwaliteitsbudget-2021"\nrules_file = "{rules}"\n'
        f'schemas_dir = "{schemas}"\n',
        encoding="utf-8",
    )
    result = run("check", str(MODEL_2021), config=config)
    assert result.returncode == 2, result.stderr
    assert "function ROUND is not supported" in result.stderr
