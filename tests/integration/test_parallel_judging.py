"""Judging over a process pool (rejudging a ledger) gives exactly the verdicts of one
process."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.bootstrap import build_app
from intake.config import load
from intake.domain import Submission
from intake.judging import parallel
from intake.judging.pipeline import judge_many
from intake.service import rejudge, take_in
from tests.manifest import REGISTER_CSV, SUBMISSIONS

RECEIVED = datetime(2019, 11, 20, 12, tzinfo=UTC)
# Models, plans (PDF and Word: text extraction runs in a child of a pool worker), a
# scan, an encrypted file and a broken one: every path of the pipeline.
FILES = sorted(
    p
    for p in SUBMISSIONS.iterdir()
    if p.suffix in (".xlsx", ".pdf", ".docx") and p.stat().st_size < 200_000
)[:24]


def _app(data: Path, register: Path):
    return build_app(
        load(None, {"INTAKE_DATA_DIR": str(data), "INTAKE_REGISTER_PATH": str(register)})
    )


@pytest.fixture(scope="module")
def changed_app(tmp_path_factory):
    """A ledger of stored documents, opened again with a register that changes verdicts."""
    root = tmp_path_factory.mktemp("pool")
    app = _app(root / "data", REGISTER_CSV)
    subs = [Submission(p.name, p.read_bytes(), RECEIVED, "folder") for p in FILES]
    take_in(app, subs, channel="folder")
    register = root / "register.csv"
    text = REGISTER_CSV.read_text().replace("1250000.00", "1300000.00")
    register.write_text(text.replace("Zorggroep Rijnland", "Zorggroep Rijnland-Duin"))
    return _app(root / "data", register)


def _outcome(changes) -> list[tuple[int, dict, dict]]:
    return [(c.document_id, c.before.to_json(), c.after.to_json()) for c in changes]


def _within(seconds: float, work):
    """`work()`'s result, or a failure (not a hung suite) when it takes longer."""
    result: list = []
    runner = threading.Thread(target=lambda: result.append(work()), daemon=True)
    runner.start()
    runner.join(seconds)
    assert not runner.is_alive(), f"no result within {seconds} s: a worker hangs"
    return result[0]


def test_a_pool_of_two_judges_as_one_process(changed_app):
    # This process judges first, so polars has run here: a forked worker would hang.
    one = rejudge(changed_app, dry_run=True, chunk=5, workers=1)
    assert len(one) >= 2  # the register change is seen
    two = _within(300, lambda: rejudge(changed_app, dry_run=True, chunk=5, workers=2))
    assert _outcome(two) == _outcome(one)


def test_a_pool_started_where_threads_run_judges_as_one_process(changed_app):
    one = rejudge(changed_app, dry_run=True, chunk=8, workers=1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as in the desk's web server
    other.start()
    try:
        two = _within(300, lambda: rejudge(changed_app, dry_run=True, chunk=8, workers=2))
    finally:
        stop.set()
        other.join()
    assert _outcome(two) == _outcome(one)


def test_a_caller_that_allows_a_fork_after_judging_still_gets_fresh_workers(ctx, monkeypatch):
    subs = [Submission(p.name, p.read_bytes(), RECEIVED) for p in FILES[:4]]
    here = [v.to_json() for v in judge_many(subs, ctx)]  # polars has now run here
    assert "polars" in sys.modules
    with monkeypatch.context() as one_thread:  # other tests may leave threads behind
        one_thread.setattr(threading, "active_count", lambda: 1)
        assert parallel._context(True).get_start_method() == "spawn"

    def pooled() -> list:
        with parallel.Judges(ctx, workers=2, may_fork=True) as judges:
            return [v.to_json() for b in judges.judge_batches([subs[:2], subs[2:]]) for v in b]

    assert _within(300, pooled) == here


def test_a_fresh_command_forks_its_workers_only_when_allowed():
    probe = (
        "from intake.judging import parallel as p; "
        "print(p._context(True).get_start_method(), p._context(False).get_start_method())"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["fork", "spawn"]


def test_batches_come_back_in_their_order(ctx):
    subs = [Submission(p.name, p.read_bytes(), RECEIVED) for p in FILES[:6]]
    batches = [subs[i : i + 1] for i in range(len(subs))]
    with parallel.Judges(ctx, workers=2) as judges:
        judged = list(judges.judge_batches(batches))
    assert [v.file for batch in judged for v in batch] == [s.filename for s in subs]
