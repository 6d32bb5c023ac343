"""Every file of the external corpus through `intake check --json`, as an operator runs it.

600 spreadsheets, documents and PDFs from other libraries' test suites (none written
here, none a kwaliteitsbudget document). Each must get a verdict with the code that
names what it is (tests/corpus_expectations.py, written by hand), none accepted, the
output valid JSON and nothing else, no traceback. The files run in chunks in child
processes with a 1 GiB address-space limit, so a memory blow-up fails the test instead
of the machine; time per file is measured by benchmarks/corpus.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.corpus_expectations import expected

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "corpora" / "external"
CHUNK = 25
MEMORY = 1 << 30
HANG_GUARD = 900  # seconds for one chunk: only a hang gets near it

pytestmark = pytest.mark.slow


def _files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.name != "SOURCES.tsv")


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _run(chunk: list[Path]) -> tuple[list[Path], subprocess.CompletedProcess[bytes]]:
    command = [sys.executable, "-m", "intake", "check", "--json", "--received", "2019-11-20"]
    done = subprocess.run(
        [*command, *map(str, chunk)],
        capture_output=True,
        preexec_fn=_limit,
        timeout=HANG_GUARD,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    return chunk, done


@pytest.fixture(scope="module")
def verdicts() -> dict[str, dict]:
    files = _files()
    chunks = [files[i : i + CHUNK] for i in range(0, len(files), CHUNK)]
    found: dict[str, dict] = {}
    with ThreadPoolExecutor(2) as pool:
        for chunk, done in pool.map(_run, chunks):
            names = ", ".join(p.name for p in chunk[:3])
            assert done.returncode in (0, 1), f"exit {done.returncode} for {names}…"
            assert b"Traceback" not in done.stderr, done.stderr.decode()[-2000:]
            parsed = json.loads(done.stdout)  # only JSON on stdout, and valid JSON
            assert [v["file"] for v in parsed] == [p.name for p in chunk]
            found.update({v["file"]: v for v in parsed})
    return found


def test_the_corpus_is_all_there() -> None:
    sources = (CORPUS / "SOURCES.tsv").read_text().splitlines()[1:]
    assert {line.split("\t")[0] for line in sources} == {p.name for p in _files()}
    assert len(_files()) == 600


def test_every_file_gets_the_code_that_names_it(verdicts: dict[str, dict]) -> None:
    wrong = []
    for name, verdict in sorted(verdicts.items()):
        codes = [f["code"] for f in verdict["findings"]]
        if verdict["status"] == "accepted" or not codes or codes[0] not in expected(name):
            wrong.append(f"{name}: {verdict['status']} {codes} (expected {sorted(expected(name))})")
    assert not wrong, "\n".join(wrong)


def test_verdicts_are_complete(verdicts: dict[str, dict]) -> None:
    keys = {"file", "sha256", "document", "template_version", "provider", "status", "findings"}
    for verdict in verdicts.values():
        assert keys <= verdict.keys()
        assert verdict["status"] in ("rejected", "review")
        assert all(f["message"] and f["severity"] for f in verdict["findings"])


def test_no_workbook_is_called_a_zip_file(verdicts: dict[str, dict]) -> None:
    workbooks = [n for n in verdicts if n.lower().endswith((".xlsx", ".xlsm", ".xltx"))]
    assert len(workbooks) > 150
    for name in workbooks:
        for finding in verdicts[name]["findings"]:
            assert "een zip-bestand" not in finding["message"], name
