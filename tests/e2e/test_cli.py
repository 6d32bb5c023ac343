"""The command line as a user runs it: JSON contract, exit codes, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.manifest import FIXTURES, REGISTER_CSV, SUBMISSIONS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "intake", *args], capture_output=True, text=True, check=False
    )


def test_check_json_contract():
    result = run(
        "check",
        "--json",
        "--register",
        str(REGISTER_CSV),
        "--received",
        "2019-11-20",
        str(SUBMISSIONS / "geldig-nov2019.xlsx"),
        str(SUBMISSIONS / "kwaliteitsplan-2020.pdf"),
    )
    assert result.returncode == 0, result.stderr
    model, plan = json.loads(result.stdout)
    for item in (model, plan):
        assert {
            "file",
            "sha256",
            "document",
            "template_version",
            "provider",
            "status",
            "findings",
            "figures",
        } <= set(item)
    assert model["document"] == "aanvraag" and model["template_version"] == "nov2019"
    assert model["provider"] == {"agb": "73730123", "naam": "Zorggroep Rijnland"}
    assert model["figures"]["corrected"]["requested"] == 1138000.0
    assert plan["document"] == "kwaliteitsplan" and plan["template_version"] is None
    assert plan["provider"]["agb"] == "73730123"


def test_rejected_file_exits_1_and_every_hostile_file_gets_a_verdict():
    hostile = [
        "afgekapt.xlsx",
        "geen-zip.xlsx",
        "leeg-bestand.xlsx",
        "entiteiten-bom.xlsx",
        "zip-bom.xlsx",
        "reuzenblad.xlsx",
        "versleuteld.xlsx",
        "xls-in-xlsx-jas.xlsx",
        "kwaliteitsplan-versleuteld.pdf",
    ]
    result = run(
        "check", "--json", "--received", "2019-11-20", *(str(SUBMISSIONS / h) for h in hostile)
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    verdicts = json.loads(result.stdout)
    assert [v["status"] for v in verdicts] == ["rejected"] * len(hostile)


def test_human_table_is_the_default():
    result = run("check", "--received", "2019-11-20", str(SUBMISSIONS / "fte-negatief.xlsx"))
    assert result.returncode == 1
    assert "AFGEWEZEN" in result.stdout and "FTE_NEGATIVE '2. Personeel'!B8" in result.stdout


def test_usage_errors_exit_2():
    assert run("check").returncode == 2
    assert run("check", "does-not-exist.xlsx").returncode == 2
    assert (
        run("check", "--received", "gisteren", str(SUBMISSIONS / "geldig-nov2019.xlsx")).returncode
        == 2
    )


def test_broken_register_is_refused_with_exit_2():
    result = run(
        "check",
        "--register",
        str(FIXTURES / "registers" / "register-kapot.csv"),
        str(SUBMISSIONS / "geldig-nov2019.xlsx"),
    )
    assert result.returncode == 2
    assert "is niet geladen" in result.stderr and "regel 6" in result.stderr
    assert "Traceback" not in result.stderr


def test_received_defaults_to_file_mtime(tmp_path: Path):
    import os

    target = tmp_path / "model.xlsx"
    target.write_bytes((SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes())
    stamp = 1577836800 + 3600 * 12  # 1 January 2020, midday UTC
    os.utime(target, (stamp, stamp))
    verdict = json.loads(run("check", "--json", str(target)).stdout)[0]
    assert verdict["received"].startswith("2020-01-01")
    assert [f["code"] for f in verdict["findings"]] == ["SUBMISSION_LATE"]


def test_help_lists_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("check", "report"):
        assert command in result.stdout


def test_config_show_masks_secrets(tmp_path: Path):
    import os

    env = {**os.environ, "INTAKE_IMAP_PASSWORD": "heel-geheim", "INTAKE_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "intake", "config", "show"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "heel-geheim" not in result.stdout and 'password = "********"' in result.stdout


def test_bad_config_exits_2(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[imap]\nport = 'x'\n")
    result = run("--config", str(bad), "sweep")
    assert result.returncode == 2 and "Configuratiefout" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_runs_the_sweep_on_the_bundled_data(tmp_path: Path):
    result = run("demo", str(FIXTURES), "--dir", str(tmp_path / "demo"))
    assert result.returncode == 0, result.stderr
    assert "bestanden beoordeeld" in result.stdout
    assert "24 geaccepteerd, 11 te beoordelen, 3 afgewezen" in result.stdout
    outbox = tmp_path / "demo" / "outbox"
    rejected = "aanvraagmodel-kwaliteitsbudget-2020-zorggroepalphen.xlsx"
    assert (outbox / f"{rejected}.pdf").exists()
    # Judged on the evening of 10-12-2019: the letter is dated then, the deadline is ahead.
    letter = (outbox / f"{rejected}.html").read_text()
    assert "10-12-2019" in letter and "uiterlijk 31-12-2019" in letter
    assert (outbox / "digest-2019-12-10.pdf").exists()
    quarantined = "aanvraagmodel-kwaliteitsbudget-2020-debolder.xlsx"
    assert (tmp_path / "demo" / "quarantine" / quarantined).exists()


def test_rejudge_command_after_the_demo(tmp_path: Path):
    import os

    demo = tmp_path / "demo"
    assert run("demo", str(FIXTURES), "--dir", str(demo)).returncode == 0
    register = FIXTURES / "demo" / "register.csv"
    env = {**os.environ, "INTAKE_DATA_DIR": str(demo), "INTAKE_REGISTER_PATH": str(register)}
    result = subprocess.run(
        [sys.executable, "-m", "intake", "rejudge"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "0 beoordeling(en) gewijzigd" in result.stdout  # same rules, same register
