"""`intake herschikking` as staff run it: JSON, workbook, letters, refusal and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.manifest import FIXTURES, REGISTER_CSV

DECLARATIONS = FIXTURES / "herschikking" / "declaraties-2020.csv"
KEYS = {
    "agb",
    "naam",
    "declared",
    "extrapolated",
    "discount_rate",
    "discount",
    "lost_revenue",
    "custom",
    "total",
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "intake", "herschikking", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_region_with_a_shortfall_is_computed_flagged_and_written(tmp_path: Path):
    out = tmp_path / "uit"
    result = run(
        str(DECLARATIONS),
        "--out",
        str(out),
        "--register",
        str(REGISTER_CSV),
        "--regional-budget",
        "40.000.000,00",
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = json.loads((out / "herschikking-2020.json").read_text(encoding="utf-8"))
    assert len(rows) == 5 and all(set(row) >= KEYS for row in rows)
    first = rows[0]
    assert first["agb"] == "73730123"
    assert first["extrapolated"] == 9677574.26  # 4.812.345,67 / 182 x 366, half-up
    assert first["discount_rate"] == 0.0055616187
    assert first["discount"] == 53822.98
    assert first["total"] == 9748751.28
    assert abs(sum(r["total"] for r in rows) - 40_000_000) <= 0.005 * len(rows)
    # the provider that is not in the register: computed, and flagged in JSON and output
    newcomer = next(r for r in rows if r["agb"] == "74740001")
    assert newcomer["registered"] is False and newcomer["total"] > 0
    assert [r["agb"] for r in rows if r["registered"] is False] == ["74740001"]
    assert "74740001 Zorghuis Nieuwkomer staat niet in het register" in result.stderr
    assert (out / "herschikking-2020.xlsx").is_file()
    letters = sorted(p.name for p in (out / "brieven").iterdir())
    assert len(letters) == 10 and "herschikking-73730123.pdf" in letters


def test_the_letter_names_figures_formula_and_calendar(tmp_path: Path):
    out = tmp_path / "uit"
    result = run(str(DECLARATIONS), "--out", str(out), "--regional-budget", "40000000")
    assert result.returncode == 0, result.stderr
    (row,) = [
        r
        for r in json.loads((out / "herschikking-2020.json").read_text(encoding="utf-8"))
        if r["agb"] == "73730123"
    ]
    pdf = (out / "brieven" / "herschikking-73730123.pdf").read_bytes()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    html = (out / "brieven" / "herschikking-73730123.html").read_text(encoding="utf-8")
    for letter in (text, html):
        assert row["kenmerk"] in letter
        assert "€ 9.677.574,26" in letter and "€ 9.748.751,28" in letter  # figures
        assert "- € 53.822,98" in letter
        assert "0,55616187%" in letter  # the rate, with every decimal used
        assert "gedeeld door 182 dagen en vermenigvuldigd met 366 dagen" in letter  # formula
        for day in ("17-09-2020", "25-09-2020", "13-10-2020", "31-10-2020", "30-10-2020"):
            assert day in letter
    assert "<De Kreek>" not in (out / "brieven" / "herschikking-73731001.html").read_text(
        encoding="utf-8"
    )  # names are escaped in the HTML letter


def test_bad_rows_are_refused_with_their_lines_and_nothing_is_written(tmp_path: Path):
    bad = tmp_path / "declaraties.csv"
    bad.write_text(
        "agb_code,naam,goedgekeurd_jan_jun,omzetderving,maatwerk\n"
        "73730123,A,1000.00,0,0\n"
        "73730456,B,duizend,0,0\n"
        "73730789,C,1000.00,0,-1\n"
        "73730123,D,1000.00,0,0\n",
        encoding="utf-8",
    )
    out = tmp_path / "uit"
    result = run(str(bad), "--out", str(out))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for line in ("regel 3, kolom goedgekeurd_jan_jun", "regel 4, kolom maatwerk", "regel 5"):
        assert line in result.stderr
    assert not out.exists()


def test_a_missing_column_and_a_budget_below_the_fixed_amounts_are_exit_2(tmp_path: Path):
    short = tmp_path / "kort.csv"
    short.write_text("agb_code,naam,goedgekeurd_jan_jun\n73730123,A,1000\n", encoding="utf-8")
    result = run(str(short), "--out", str(tmp_path / "a"))
    assert result.returncode == 2 and "kolommen ontbreken: omzetderving, maatwerk" in result.stderr
    result = run(str(DECLARATIONS), "--out", str(tmp_path / "b"), "--regional-budget", "1000")
    assert result.returncode == 2
    assert "dekt de omzetderving en het maatwerk samen (€ 426.334,58) niet" in result.stderr
    assert not (tmp_path / "b").exists()
    result = run(str(DECLARATIONS), "--out", str(tmp_path / "c"), "--regional-budget", "veel")
    assert result.returncode == 2 and "'veel' is geen geldig regiobudget" in result.stderr
