"""`intake check` and `intake report` on many files: read and judged a batch at a time,
the same verdicts as all at once, progress on stderr only when wanted."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from intake.bootstrap import build_context
from intake.cli.batches import batches, judged
from intake.config import load
from intake.judging.pipeline import judge_many
from tests.manifest import REGISTER_CSV, SUBMISSIONS

MIXED = [
    "geldig-nov2019.xlsx",
    "kwaliteitsplan-2020.pdf",
    "fte-negatief.xlsx",
    "afgekapt.xlsx",
    "kwaliteitsplan-2020-word.docx",
    "geen-zip.xlsx",
    "aandeel-personeel-laag.xlsx",
]


def intake(*args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    return subprocess.run(
        [sys.executable, "-m", "intake", *args],
        env={**clean, "INTAKE_REGISTER_PATH": str(REGISTER_CSV)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copies(tmp_path: Path) -> list[Path]:
    paths = []
    for name in MIXED:
        target = tmp_path / name
        shutil.copyfile(SUBMISSIONS / name, target)
        os.utime(target, (1574251200, 1574251200))  # 20-11-2019
        paths.append(target)
    return paths


def test_batches_are_bounded_by_count_and_by_bytes(tmp_path):
    ctx = build_context(load(None, {}), register=REGISTER_CSV)
    paths = copies(tmp_path)
    assert [len(b) for b in batches(paths, None, ctx.rules, max_files=3)] == [3, 3, 1]
    sizes = [len(b) for b in batches(paths, None, ctx.rules, max_bytes=1)]
    assert sizes == [1] * len(paths)


def test_a_file_is_read_only_when_its_batch_is_judged(tmp_path):
    ctx = build_context(load(None, {}), register=REGISTER_CSV)
    paths = copies(tmp_path)
    stream = judged(paths, None, ctx, max_files=2)
    first, _ = next(stream)
    assert first.filename == MIXED[0]
    # The last file changes after the first verdict: what is judged is the new content.
    shutil.copyfile(SUBMISSIONS / "fte-negatief.xlsx", paths[-1])
    rest = [verdict for _, verdict in stream]
    fresh = (SUBMISSIONS / "fte-negatief.xlsx").read_bytes()
    assert rest[-1].sha256 == hashlib.sha256(fresh).hexdigest()


def test_small_batches_give_the_verdicts_of_one_batch(tmp_path):
    ctx = build_context(load(None, {}), register=REGISTER_CSV)
    paths = copies(tmp_path)
    whole = judge_many(next(iter(batches(paths, None, ctx.rules))), ctx)
    small = [verdict for _, verdict in judged(paths, None, ctx, max_files=2)]
    assert [v.to_json() for v in small] == [v.to_json() for v in whole]


def test_progress_goes_to_stderr_only_when_asked_and_the_json_stays_whole(tmp_path):
    paths = [str(p) for p in copies(tmp_path)]
    quiet = intake("check", "--json", *paths)
    loud = intake("check", "--json", "--progress", *paths)
    assert quiet.returncode == loud.returncode == 1  # fte-negatief is rejected
    assert quiet.stdout == loud.stdout
    assert [v["file"] for v in json.loads(loud.stdout)] == MIXED
    lines = [line for line in loud.stderr.splitlines() if line.startswith("[")]
    assert lines == [f"[{n}/{len(MIXED)}] {name}" for n, name in enumerate(MIXED, start=1)]
    assert not [line for line in quiet.stderr.splitlines() if line.startswith("[")]


def test_a_pool_of_workers_prints_what_one_process_prints_in_the_same_order(tmp_path):
    paths = [str(p) for p in copies(tmp_path)] * 3  # models, plans, Word and broken files
    one = intake("check", "--json", "--workers", "1", *paths)
    two = intake("check", "--json", "--workers", "2", "--progress", *paths)
    assert one.returncode == two.returncode == 1, two.stderr
    assert two.stdout == one.stdout
    lines = [line for line in two.stderr.splitlines() if line.startswith("[")]
    assert lines == [f"[{n}/{len(paths)}] {Path(p).name}" for n, p in enumerate(paths, start=1)]


def test_report_writes_each_file_as_it_goes_with_progress(tmp_path):
    paths = [str(p) for p in copies(tmp_path)[:3]]
    out = tmp_path / "out"
    done = intake("report", "--out", str(out), "--progress", *paths)
    assert done.returncode == 1, done.stderr
    for name in MIXED[:3]:
        assert (out / f"{name}.verdict.json").is_file() and (out / f"{name}.pdf").is_file()
        assert f"{name}: " in done.stdout
    assert f"[3/3] {MIXED[2]}" in done.stderr


def test_shell_completion_works_as_the_readme_says():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
    env = {**clean, "_INTAKE_COMPLETE": "bash_complete", "COMP_CWORD": "2"}
    done = subprocess.run(
        [sys.executable, "-m", "intake"],
        env={**env, "COMP_WORDS": "intake check --pro"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.split() == ["plain,--progress"]
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "_INTAKE_COMPLETE=bash_source intake" in readme
