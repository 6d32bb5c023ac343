"""Where people wait: each measure against its reference, in the same run, rounds alternated.

    python benchmarks/speed.py                 # every part; writes benchmarks/results/speed.json
    python benchmarks/speed.py one-file pdf    # only some parts
    python benchmarks/speed.py --rounds 5 --models 300 --documents 2000
    python benchmarks/speed.py --baseline /tmp/main   # also time another checkout's code

With --baseline DIR (a copy of another revision, e.g. `git archive main | tar -x -C DIR`)
the command-line measures also run that code (PYTHONPATH=DIR) in the same rounds, as a
before-and-after on the same machine at the same moment.

Parts (each prints one line per measure and its reference):
  batch-cli  `intake check --json` of N models in one call, interpreter start included,
             against a fresh interpreter that opens the same files with openpyxl
             (read-only, every row of every sheet); also held to one process
             (`--workers 1`), as on a one-core machine
  one-file   `intake check --json` of one model (and of one plan) against a fresh
             interpreter that opens the model with openpyxl
  pdf        text of the two crafted PDFs (fixtures/hostile_pdf.py) and judging a 40-page
             written plan, against pypdf reading the same files in the same run
  start-up   `intake mail --once` on an empty mailbox (Dovecot, PostgreSQL, SMTP sink on
             loopback), against `intake --help` and a bare interpreter
  rejudge    `service.rejudge` of N stored documents in one process and over a process
             pool on every core, same ledger, same verdicts

Wall times are medians over the rounds; each round runs the measure and its reference
back to back, so a busy machine slows both. The load average is recorded with the
figures: on a shared machine read the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import generate  # noqa: E402

SUBMISSIONS = ROOT / "fixtures" / "submissions"
REGISTER = ROOT / "fixtures" / "registers" / "gereserveerde-kwaliteitsmiddelen-2020.csv"
RECEIVED = datetime(2019, 11, 20, 12, tzinfo=UTC)
INTAKE = [sys.executable, "-m", "intake"]
CHECK = [*INTAKE, "check", "--json", "--received", "2019-11-20"]
# The reference for a workbook: open it as a careful script would, every row of every sheet.
# Broken files (the generator mixes them in, as a campaign does) count as opened and failed.
OPENPYXL = """
import sys, openpyxl
opened = failed = 0
for path in sys.argv[1:]:
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                pass
        book.close()
        opened += 1
    except Exception:
        failed += 1
print(opened, failed)
"""


BASELINE: Path | None = None  # --baseline: another checkout's code, timed beside this one


def _env(code: Path = ROOT, **extra: str) -> dict[str, str]:
    """The environment of a measured command. Bytecode is cached as on an installed
    system (`pip install` compiles it; PYTHONDONTWRITEBYTECODE would compile every module
    of every run again, about 0.2 s of a start-up)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INTAKE_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return {**clean, "PYTHONPATH": str(code), **extra}


def _with_baseline(
    measures: dict[str, Callable[[], Timing]], intake: dict[str, Callable[[Path], Timing]]
) -> dict[str, Callable[[], Timing]]:
    """`measures`, plus each of `intake` run on this code and, with --baseline, on that."""
    for name, measure in intake.items():
        measures[name] = lambda m=measure: m(ROOT)  # type: ignore[misc]
        if BASELINE is not None:
            measures[f"baseline_{name}"] = lambda m=measure: m(BASELINE)  # type: ignore[misc]
    return measures


Timing = tuple[float, float]  # wall seconds, CPU seconds (user + system, children included)


def _run(args: list[str], env: dict[str, str] | None = None, code: Path = ROOT) -> Timing:
    """A command in a child, run from `code` (the checkout whose `intake` it imports):
    its wall time and the CPU it and its own children used."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=err, cwd=code, env=env or _env(code)
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: a file was rejected: fine
            err.seek(0)
            raise SystemExit(f"{args[:4]} failed: {err.read()[-1500:]!r}")
    return seconds, usage.ru_utime + usage.ru_stime


def _cpu_here() -> float:
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(function: Callable[[], object]) -> Timing:
    """Wall and CPU time of a call in this process (and of the children it waited for)."""
    start, cpu = time.perf_counter(), _cpu_here()
    function()
    return time.perf_counter() - start, _cpu_here() - cpu


def _alternate(rounds: int, measures: dict[str, Callable[[], Timing]]) -> dict[str, float]:
    """Median wall (`name_s`) and CPU (`name_cpu_s`) seconds of each measure; every round
    runs all of them back to back. CPU time is the steadier figure on a busy machine."""
    walls: dict[str, list[float]] = {name: [] for name in measures}
    cpus: dict[str, list[float]] = {name: [] for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            wall, cpu = measure()
            walls[name].append(wall)
            cpus[name].append(cpu)
    figures = {}
    for name in measures:
        figures[name] = round(statistics.median(walls[name]), 3)
        figures[name.removesuffix("_s") + "_cpu_s"] = round(statistics.median(cpus[name]), 3)
    return figures


def _report(part: str, figures: dict) -> dict:
    print(f"{part}: {json.dumps(figures)}", flush=True)
    return figures


# --- parts ---------------------------------------------------------------------------


def batch_cli(rounds: int, models: int, tmp: Path) -> dict:
    folder = tmp / "models"
    folder.mkdir()
    files = [str(p) for p in generate(models, folder)]
    figures = _alternate(
        rounds,
        _with_baseline(
            {
                "openpyxl_s": lambda: _run([sys.executable, "-c", OPENPYXL, *files]),
                # The same command held to one process: what a one-core machine would see.
                "intake_check_one_process_s": lambda: _run([*CHECK, "--workers", "1", *files]),
            },
            {"intake_check_s": lambda code: _run([*CHECK, *files], _env(code), code)},
        ),
    )
    for name in [k for k in figures if k.endswith(("intake_check_s", "one_process_s"))]:
        figures[name.replace("_s", "_ratio")] = round(figures[name] / figures["openpyxl_s"], 2)
    return _report("batch-cli", {"models": models, **figures, "goal": "<= 0.35"})


def one_file(rounds: int) -> dict:
    model = str(SUBMISSIONS / "geldig-nov2019.xlsx")
    plan = str(SUBMISSIONS / "kwaliteitsplan-2020.pdf")
    figures = _alternate(
        rounds,
        _with_baseline(
            {
                "openpyxl_s": lambda: _run([sys.executable, "-c", OPENPYXL, model]),
                "python_bare_s": lambda: _run([sys.executable, "-c", "pass"]),
            },
            {
                "intake_check_model_s": lambda code: _run([*CHECK, model], _env(code), code),
                "intake_check_plan_s": lambda code: _run([*CHECK, plan], _env(code), code),
            },
        ),
    )
    for name in [k for k in figures if k.endswith("intake_check_model_s")]:
        figures[name.replace("_s", "_ratio")] = round(figures[name] / figures["openpyxl_s"], 2)
    return _report("one-file", {**figures, "goal": "<= 1.5"})


def _pypdf_text(content: bytes) -> int:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(content))
    return sum(len(page.extract_text() or "") for page in reader.pages)


def _intake_text(content: bytes) -> int:
    from intake.extract.plan import load_pdf_engine, pdf_text
    from intake.extract.worker import run_limited

    load_pdf_engine()  # as the pipeline does: once, before the first worker is forked
    extracted = run_limited(pdf_text, (content, 500), seconds=30, memory=1 << 30)
    return len(extracted.plan.text)


def pdf(rounds: int) -> dict:
    from fixtures import hostile_pdf
    from intake.bootstrap import build_context
    from intake.config import load
    from intake.domain import Submission
    from intake.judging.pipeline import judge
    from tests.plan_docs import pdf_bytes, plan_pages
    from tests.plan_texts import RIJNLAND

    result: dict[str, object] = {}
    for name in ("many_text_runs", "pages_sharing_one_stream"):
        content = getattr(hostile_pdf, name)()
        written = sum(len("".join(t.split())) for t in hostile_pdf.expected_text(name))
        intake_s, intake_cpu = _timed(lambda c=content: _intake_text(c))  # type: ignore[misc]
        pypdf_s, pypdf_cpu = _timed(lambda c=content: _pypdf_text(c))  # type: ignore[misc]
        result[name] = {
            "bytes": len(content),
            "characters_written": written,
            "intake_s": round(intake_s, 2),
            "intake_cpu_s": round(intake_cpu, 2),
            "pypdf_s": round(pypdf_s, 2),
            "pypdf_cpu_s": round(pypdf_cpu, 2),
            "goal": "< 5 s, full text",
        }
    ctx = build_context(load(None, {}), register=REGISTER)
    plan = pdf_bytes((plan_pages(RIJNLAND) * 10)[:40])
    submission = Submission("plan-40.pdf", plan, RECEIVED)
    judge(submission, ctx)  # first call loads the rules' patterns
    figures = _alternate(
        max(rounds, 5),
        {
            "judge_40_page_plan_s": lambda: _timed(lambda: judge(submission, ctx)),
            "text_only_intake_s": lambda: _timed(lambda: _intake_text(plan)),
            "text_only_pypdf_s": lambda: _timed(lambda: _pypdf_text(plan)),
        },
    )
    result["plan_40_pages"] = {
        "characters": _intake_text(plan),
        **{k.removesuffix("_s") + "_ms": round(v * 1000, 1) for k, v in figures.items()},
        "goal": "<= 100 ms",
    }
    return _report("pdf", result)


def start_up(rounds: int, tmp: Path) -> dict:
    from benchmarks.throughput import worker_env
    from tests.integration.servers import Dovecot, Postgres, SmtpSink

    postgres, dovecot, smtp = Postgres().start(), Dovecot().start(), SmtpSink().start()
    try:
        # Each revision its own ledger (and data folder): one may know migrations the
        # other does not.
        envs = {
            code: {
                **_env(code),
                **worker_env(tmp / f"data-{n}", dovecot, smtp, postgres.new_database(), 1),
                "PYTHONPATH": str(code),
            }
            for n, code in enumerate([ROOT, BASELINE] if BASELINE else [ROOT])
        }

        def mail_once(code: Path) -> Timing:
            return _run([*INTAKE, "mail", "--once"], envs[code], code)

        for code in envs:
            mail_once(code)  # creates that ledger: migrations, once
        figures = _alternate(
            rounds,
            _with_baseline(
                {"python_bare_s": lambda: _run([sys.executable, "-c", "pass"])},
                {
                    "mail_once_empty_s": mail_once,
                    "intake_help_s": lambda code: _run([*INTAKE, "--help"], _env(code), code),
                },
            ),
        )
    finally:
        smtp.stop()
        dovecot.remove()
        postgres.remove()
    return _report("start-up", {**figures, "goal": "<= 0.5 s"})


def rejudge(rounds: int, documents: int, tmp: Path) -> dict:
    from intake.bootstrap import build_app
    from intake.config import load
    from intake.domain import Submission
    from intake.judging.parallel import available_cores
    from intake.service import rejudge as run_rejudge
    from intake.service import take_in

    env = {"INTAKE_DATA_DIR": str(tmp / "rejudge"), "INTAKE_REGISTER_PATH": str(REGISTER)}
    app = build_app(load(None, env))
    files = generate(documents, Path(tempfile.mkdtemp(dir=tmp)))
    for first in range(0, len(files), 500):
        batch = [
            Submission(p.name, p.read_bytes(), RECEIVED, "folder") for p in files[first:][:500]
        ]
        take_in(app, batch, channel="folder")
    cores = available_cores()
    outcomes: dict[int, list] = {}

    def once(workers: int) -> Timing:
        def run() -> None:
            changed = run_rejudge(app, dry_run=True, workers=workers)
            outcomes[workers] = [(c.document_id, c.after.to_json()) for c in changed]

        return _timed(run)

    figures = _alternate(
        rounds, {"one_process_s": lambda: once(1), f"pool_of_{cores}_s": lambda: once(cores)}
    )
    figures["speed_up"] = round(figures["one_process_s"] / figures[f"pool_of_{cores}_s"], 2)
    return _report(
        "rejudge",
        {
            "documents": app.ledger.count("documents"),
            "cores": cores,
            **figures,
            "same_verdicts": outcomes[1] == outcomes[cores],
            "goal": "10,000 documents < 25 s wall",
        },
    )


def main() -> None:
    parts = ["batch-cli", "one-file", "pdf", "start-up", "rejudge"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parts", nargs="*", default=parts, help=" ".join(parts))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/speed.json")
    parser.add_argument("--baseline", type=Path, help="another checkout's code to time beside")
    parser.add_argument("--baseline-label", default="", help="what --baseline is, for the record")
    args = parser.parse_args()
    global BASELINE
    BASELINE = args.baseline
    if unknown := set(args.parts) - set(parts):
        parser.error(f"unknown parts: {' '.join(sorted(unknown))}")
    tmp = Path(tempfile.mkdtemp(prefix="intake-speed-"))
    for code in [ROOT, BASELINE] if BASELINE else [ROOT]:
        compileall.compile_dir(code / "intake", quiet=1)  # as `pip install` leaves it
    result: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "baseline": f"{args.baseline_label or args.baseline}" if args.baseline else None,
    }
    for part in args.parts:
        if part == "batch-cli":
            result[part] = batch_cli(args.rounds, args.models, tmp)
        elif part == "one-file":
            result[part] = one_file(args.rounds)
        elif part == "pdf":
            result[part] = pdf(args.rounds)
        elif part == "start-up":
            result[part] = start_up(args.rounds, tmp)
        elif part == "rejudge":
            result[part] = rejudge(args.rounds, args.documents, tmp)
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.write_text(json.dumps({**previous, **result}, indent=2) + "\n")


if __name__ == "__main__":
    main()
