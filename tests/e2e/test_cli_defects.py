"""Small command-line defects that a user runs into: each fixed, each kept fixed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from fixtures import hostile
from tests.manifest import FIXTURES, SUBMISSIONS

VALID = SUBMISSIONS / "geldig-nov2019.xlsx"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "intake", *args], capture_output=True, text=True, check=False
    )


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"bare {constant} in JSON")

    return json.loads(text, parse_constant=refuse)


def test_ctrl_c_is_dutch_and_exits_130():
    process = subprocess.Popen(
        [sys.executable, "-m", "intake", "check", "/dev/stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)  # let it start and block reading its input
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Afgebroken" in err
    assert "Aborted" not in err and "Traceback" not in err


def test_options_after_the_subcommand(tmp_path):
    result = run("check", str(VALID), "--json", "-v", "--received", "2019-11-20")
    assert result.returncode == 0, result.stderr
    assert _strict_json(result.stdout)[0]["status"] == "accepted"
    config = tmp_path / "intake.toml"
    config.write_text('[general]\ncampaign = "kwaliteitsbudget-2020"\n')
    shown = run("config", "show", "--config", str(config))
    assert shown.returncode == 0, shown.stderr


def test_demo_never_deletes_a_folder_it_did_not_make(tmp_path):
    target = tmp_path / "mijn-map"
    target.mkdir()
    (target / "belangrijk.txt").write_text("niet weggooien")
    result = run("demo", str(FIXTURES), "--dir", str(target))
    assert result.returncode == 2
    assert (target / "belangrijk.txt").read_text() == "niet weggooien"
    assert "bestaat al" in result.stderr and "Traceback" not in result.stderr


def test_json_output_stays_json_with_huge_and_infinite_numbers(tmp_path):
    huge = tmp_path / "huge.xlsx"
    huge.write_bytes(hostile.with_cell_value("2. Personeel", "E9", "1e308"))
    infinite = tmp_path / "infinite.xlsx"
    infinite.write_bytes(hostile.with_cell_value("2. Personeel", "E9", "1e999"))
    result = run("check", "--json", "--received", "2019-11-20", str(huge), str(infinite))
    assert "Traceback" not in result.stderr
    first, second = _strict_json(result.stdout)
    assert first["status"] != "accepted"  # the cached totals are stale too: rejected
    implausible = [f for f in first["findings"] if f["code"] == "AMOUNT_IMPLAUSIBLE"]
    assert "'2. Personeel'!E9" in [f["location"] for f in implausible]
    assert "VALUE_NOT_NUMERIC" in [f["code"] for f in second["findings"]]
    assert "AMOUNT_NEGATIVE" not in [f["code"] for f in second["findings"]]


def test_hostile_files_give_one_line_not_a_traceback(tmp_path):
    files = []
    for name, data in [
        ("strings.xlsx", hostile.unclosed_shared_strings()),
        ("plan.docx", hostile.docx_unclosed_text()),
        ("strict.xlsx", hostile.strict()),
    ]:
        path = Path(tmp_path / name)
        path.write_bytes(data)
        files.append(str(path))
    result = run("check", "--json", *files)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    verdicts = _strict_json(result.stdout)
    codes = [v["findings"][0]["code"] for v in verdicts[:2]]
    assert codes == ["FILE_UNREADABLE", "FILE_UNREADABLE"]
    assert verdicts[2]["document"] == "aanvraag"  # Strict Open XML is read as a workbook
