"""Two `intake mail --once` workers against one, measured as operations run them.

    python benchmarks/mail_workers.py                  # 80 mails, 3 rounds of each
    python benchmarks/mail_workers.py --mails 120 --rounds 2 --out /tmp/w.json

Real servers on loopback: a throwaway PostgreSQL cluster, Dovecot and an SMTP sink.
Mails come from 40 providers, each a registered contact of its own register entry
with its own model (every other mail also carries the plan), as a timer meets them.
For each round and each worker count: a fresh database and mailbox, `mail --once` on
the still empty mailbox twice (the first creates the ledger and warms the disk cache,
the second is the start-up, measured apart), then the mails, then the workers started
together. Rounds of
one and two workers alternate, so a change in the machine's load touches both.
Reported: wall time and mails per second (median of the rounds), the speed-up, the
workers' CPU per mail (user + system from wait4) and, from one profiled run, where a
worker's wall time goes per mail (judging, HTML, PDF, MIME, ledger, SMTP; cProfile's
clock, so waits for the servers count too).
Writes benchmarks/results/mail_workers.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.throughput import OFFICE, XLSX, worker_env  # noqa: E402
from fixtures import hostile  # noqa: E402
from tests.integration.servers import Dovecot, Postgres, SmtpSink  # noqa: E402

PROVIDERS = 40
SUBMISSIONS = ROOT / "fixtures" / "submissions"
GENERAL = "1. Algemene gegevens"
# Where a worker's time goes: cumulative time of these functions in a profiled run.
PARTS = {
    "judging": ("intake/judging/pipeline.py", "judge_many"),
    "html": ("intake/report/html.py", "render_html"),
    "pdf": ("intake/report/pdf.py", "render_pdf"),
    "mime": ("intake/channels/attachments.py", "read"),
    "ledger": ("sqlalchemy/engine/base.py", "execute"),
    "smtp": ("intake/adapters/smtp.py", "send"),
}


def provider(i: int) -> dict[str, str]:
    return {
        "agb": f"7373{i:04d}",
        "naam": f"Zorggroep Proef {i}",
        "mail": f"kwaliteit@proef{i}.nl",
    }


def register(path: Path) -> Path:
    lines = ["agb_code,naam,regio,gereserveerd_2020,compensatie_2020,contact"]
    for i in range(PROVIDERS):
        p = provider(i)
        lines.append(f"{p['agb']},{p['naam']},Zuid-Holland Noord,1250000.00,150000.00,{p['mail']}")
    path.write_text("\n".join(lines) + "\n")
    return path


def model_of(i: int) -> bytes:
    """The valid model with this provider's name (C4) and AGB code (C5)."""
    content = hostile.valid()
    part = hostile.sheet_part(content, GENERAL)
    p = provider(i)
    cells = {"C4": p["naam"], "C5": p["agb"]}

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        for ref, text in cells.items():
            cell = f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
            data = hostile._cell_pattern(ref).sub(cell, data)
        return data

    return hostile.rewrite(content, change)


def mail(i: int, models: list[bytes], plan: bytes) -> EmailMessage:
    p = provider(i % PROVIDERS)
    message = EmailMessage()
    message["From"] = p["mail"]
    message["To"] = OFFICE
    message["Subject"] = f"Aanvraag kwaliteitsbudget {p['naam']}"
    message["Message-ID"] = f"<proef{i}@proef{i % PROVIDERS}.nl>"
    message.set_content("Bijgaand onze aanvraag.")
    model = models[i % PROVIDERS]
    message.add_attachment(model, maintype=XLSX[0], subtype=XLSX[1], filename="aanvraag.xlsx")
    if i % 2 == 0:
        message.add_attachment(plan, maintype="application", subtype="pdf", filename="plan.pdf")
    return message


def _start(env: dict, profile: Path | None = None) -> subprocess.Popen:
    prefix = ["-m", "cProfile", "-o", str(profile)] if profile else []
    return subprocess.Popen(
        [sys.executable, *prefix, "-m", "intake", "mail", "--once"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(workers: list[subprocess.Popen]) -> float:
    """Wait for every worker; the CPU (user + system) they and their children used."""
    cpu = 0.0
    for worker in workers:
        _, status, usage = os.wait4(worker.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"worker failed: {worker.stderr.read()[-2000:]!r}")  # type: ignore[union-attr]
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def one_round(
    postgres: Postgres, workers: int, mails: int, messages: list[bytes], tmp: Path, reg: Path
) -> dict:
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    try:
        env = worker_env(tmp / f"data-{time.monotonic_ns()}", dovecot, smtp, "", workers)
        env |= {
            "INTAKE_LEDGER_URL": postgres.new_database(),
            "INTAKE_REGISTER_PATH": str(reg),
            "PYTHONPATH": str(ROOT),
        }
        _wait([_start(env)])  # empty mailbox: creates the ledger, warms the disk cache
        start = time.perf_counter()
        startup_cpu = _wait([_start(env)])  # empty mailbox again: the start-up alone
        startup = time.perf_counter() - start
        when = datetime(2019, 11, 20, 10, tzinfo=UTC).timestamp()
        for raw in messages[:mails]:
            dovecot.deliver(raw, when)
        start = time.perf_counter()
        cpu = _wait([_start(env) for _ in range(workers)])
        seconds = time.perf_counter() - start
        smtp.wait_for(mails, timeout=120)
        assert len(smtp.messages) == mails, "each mail must be answered exactly once"
        assert dovecot.count("Verwerkt") == mails
        return {
            "seconds": seconds,
            "cpu": cpu,
            "startup_seconds": startup,
            "startup_cpu": startup_cpu,
        }
    finally:
        smtp.stop()
        dovecot.remove()


def profiled(postgres: Postgres, mails: int, messages: list[bytes], tmp: Path, reg: Path) -> dict:
    """One worker under cProfile: wall ms per mail in each part (profiler overhead and
    waits for the servers included)."""
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    try:
        env = worker_env(tmp / "data-profiled", dovecot, smtp, "", 1)
        env |= {
            "INTAKE_LEDGER_URL": postgres.new_database(),
            "INTAKE_REGISTER_PATH": str(reg),
            "PYTHONPATH": str(ROOT),
        }
        _wait([_start(env)])
        when = datetime(2019, 11, 20, 10, tzinfo=UTC).timestamp()
        for raw in messages[:mails]:
            dovecot.deliver(raw, when)
        profile = tmp / "worker.prof"
        _wait([_start(env, profile)])
    finally:
        smtp.stop()
        dovecot.remove()
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    result = {}
    for part, (path, name) in PARTS.items():
        total = sum(
            cumulative
            for (file, _line, function), (_cc, _nc, _tt, cumulative, callers) in stats.items()
            if file.endswith(path)
            and function == name
            and not any(c[0].endswith(path) and c[2] == name for c in callers)
        )
        result[f"{part}_ms_per_mail"] = round(1000 * total / mails, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=80)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/mail_workers.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="intake-workers-"))
    reg = register(tmp / "register.csv")
    models = [model_of(i) for i in range(PROVIDERS)]
    plan = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
    messages = [mail(i, models, plan).as_bytes() for i in range(args.mails)]
    load_start = os.getloadavg()
    postgres = Postgres().start()
    runs: dict[int, list[dict]] = {1: [], 2: []}
    try:
        for number in range(args.rounds):
            order = (1, 2) if number % 2 == 0 else (2, 1)
            for workers in order:
                run = one_round(postgres, workers, args.mails, messages, tmp, reg)
                runs[workers].append(run)
                print(json.dumps({"workers": workers, **run}), flush=True)
        parts = profiled(postgres, args.mails, messages, tmp, reg)
    finally:
        postgres.remove()

    def median(workers: int, key: str) -> float:
        return statistics.median(r[key] for r in runs[workers])

    summary = {}
    for workers in (1, 2):
        seconds = median(workers, "seconds")
        summary[f"{workers}_worker{'s' if workers > 1 else ''}"] = {
            "seconds": round(seconds, 2),
            "mails_per_second": round(args.mails / seconds, 2),
            "cpu_ms_per_mail": round(1000 * median(workers, "cpu") / args.mails, 1),
            "cpu_ms_per_mail_after_startup": round(
                1000
                * statistics.median(r["cpu"] - workers * r["startup_cpu"] for r in runs[workers])
                / args.mails,
                1,
            ),
            "cores_busy": round(median(workers, "cpu") / seconds, 2),
        }
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average_at_start": [round(x, 2) for x in load_start],
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "mails": args.mails,
        "providers": PROVIDERS,
        "rounds": args.rounds,
        "startup_seconds": round(statistics.median(r["startup_seconds"] for r in runs[1]), 2),
        "startup_cpu_seconds": round(statistics.median(r["startup_cpu"] for r in runs[1]), 2),
        **summary,
        "speed_up_two_workers": round(median(1, "seconds") / median(2, "seconds"), 2),
        "profiled_one_worker": parts,
        "runs": {str(k): v for k, v in runs.items()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
