"""Throughput of the channels with real servers: mails per second with one and with two
workers on one PostgreSQL ledger, and rejudging a ledger of stored documents.

    python benchmarks/throughput.py                      # 80 mails, 10,000 documents
    python benchmarks/throughput.py --mails 40 --documents 2000 --out /tmp/t.json

mail      a throwaway Dovecot (IMAP, loopback) and aiosmtpd, a throwaway PostgreSQL
          cluster; N provider mails (a model, every other one with a plan) are
          answered and filed by `intake mail --once`: once by one worker, once by two
          workers started together (`[ledger] channel_workers = 2`), each on a fresh
          mailbox and a fresh database. The start-up of a worker (interpreter, imports,
          migrations) is measured on an empty mailbox and reported apart.
rejudge   N generated workbooks (benchmarks/run.py's generator: every fixture, each
          made unique) are taken in through the service into a SQLite ledger and
          archive; then `service.rejudge` judges every stored document again.

Needs the test extra (aiosmtpd, psycopg) and Debian's dovecot-imapd and postgresql.
Writes benchmarks/results/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import generate  # noqa: E402
from tests.integration.servers import PASSWORD, USER, Dovecot, Postgres, SmtpSink  # noqa: E402

SUBMISSIONS = ROOT / "fixtures" / "submissions"
REGISTER = ROOT / "fixtures" / "registers" / "gereserveerde-kwaliteitsmiddelen-2020.csv"
OFFICE = "zorginkoop.wlz@zorgenzekerheid.nl"
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def provider_mail(i: int) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"<j.devries+{i}@zorggroeprijnland.nl>"
    message["To"] = OFFICE
    message["Subject"] = f"Aanvraag {i}"
    message["Message-ID"] = f"<bench{i}@zorggroeprijnland.nl>"
    message.set_content("Zie bijlage.")
    model = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    message.add_attachment(model, maintype=XLSX[0], subtype=XLSX[1], filename="aanvraag.xlsx")
    if i % 2 == 0:
        plan = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
        message.add_attachment(plan, maintype="application", subtype="pdf", filename="plan.pdf")
    return message


def worker_env(data: Path, dovecot: Dovecot, smtp: SmtpSink, url: str, workers: int) -> dict:
    # Bytecode cached as on an installed system: without it every worker compiles every
    # module it imports again.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INTAKE_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    return env | {
        "INTAKE_DATA_DIR": str(data),
        "INTAKE_REGISTER_PATH": str(REGISTER),
        "INTAKE_LEDGER_URL": url,
        "INTAKE_LEDGER_CHANNEL_WORKERS": str(workers),
        "INTAKE_IMAP_HOST": "127.0.0.1",
        "INTAKE_IMAP_PORT": str(dovecot.port),
        "INTAKE_IMAP_USER": USER,
        "INTAKE_IMAP_PASSWORD": PASSWORD,
        "INTAKE_IMAP_SECURITY": "none",
        "INTAKE_SMTP_HOST": "127.0.0.1",
        "INTAKE_SMTP_PORT": str(smtp.port),
        "INTAKE_SMTP_SECURITY": "none",
        "INTAKE_SMTP_FROM": OFFICE,
    }


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_workers(env: dict, count: int) -> float:
    start = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "intake", "mail", "--once"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=3600)
        if worker.returncode != 0:
            raise SystemExit(f"worker failed ({worker.returncode}): {err[-2000:]}")
    return time.perf_counter() - start


def mail_round(postgres: Postgres, mails: int, workers: int, tmp: Path) -> dict:
    dovecot, smtp = Dovecot().start(), SmtpSink().start()
    try:
        url = postgres.new_database()
        env = worker_env(tmp / f"data-{workers}", dovecot, smtp, url, workers)
        startup = run_workers(env, 1)  # empty mailbox: interpreter, imports, migrations
        when = datetime(2019, 11, 20, 10, tzinfo=UTC).timestamp()
        for i in range(mails):
            dovecot.deliver(provider_mail(i), when)
        cpu = children_cpu()
        seconds = run_workers(env, workers)
        cpu = children_cpu() - cpu
        smtp.wait_for(mails, timeout=120)
        assert len(smtp.messages) == mails, "each mail must be answered exactly once"
        assert dovecot.count("Verwerkt") == mails
        return {
            "workers": workers,
            "mails": mails,
            "seconds": round(seconds, 2),
            "startup_seconds": round(startup, 2),
            "mails_per_second": round(mails / seconds, 2),
            "mails_per_second_after_startup": round(mails / max(seconds - startup, 1e-9), 2),
            # CPU the workers themselves used (user + system), and how many cores that
            # kept busy on average: near 1.0 per worker means the machine gave them all
            # they asked for; far below it means they waited (for CPU, servers or locks).
            "worker_cpu_seconds": round(cpu, 2),
            "worker_cpu_ms_per_mail": round(1000 * cpu / mails, 1),
            "cores_busy": round(cpu / seconds, 2),
        }
    finally:
        smtp.stop()
        dovecot.remove()


def rejudge_round(documents: int, tmp: Path) -> dict:
    from intake.bootstrap import build_app
    from intake.config import load
    from intake.domain import Submission
    from intake.service import rejudge, take_in

    env = {"INTAKE_DATA_DIR": str(tmp / "rejudge"), "INTAKE_REGISTER_PATH": str(REGISTER)}
    app = build_app(load(None, env))
    files = generate(documents, Path(tempfile.mkdtemp(dir=tmp)))
    received = datetime(2019, 11, 20, 12, tzinfo=UTC)
    start = time.perf_counter()
    for first in range(0, len(files), 500):
        batch = [
            Submission(p.name, p.read_bytes(), received, "folder")
            for p in files[first : first + 500]
        ]
        take_in(app, batch, channel="folder")
    stored = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    rejudge(app)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "documents": app.ledger.count("documents"),
        "store_seconds": round(stored, 1),
        "rejudge_seconds": round(seconds, 1),
        "rejudge_cpu_seconds": round(cpu, 1),  # one process: what an idle core would need
        "documents_per_second": round(documents / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=80)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/throughput.json")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="intake-throughput-"))
    postgres = Postgres().start()
    try:
        one = mail_round(postgres, args.mails, 1, tmp)
        print(json.dumps(one), flush=True)
        two = mail_round(postgres, args.mails, 2, tmp)
        print(json.dumps(two), flush=True)
    finally:
        postgres.remove()
    again = rejudge_round(args.documents, tmp) if args.documents else None
    print(json.dumps(again), flush=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "mail": [one, two],
        "speed_up_two_workers": round(two["mails_per_second"] / one["mails_per_second"], 2),
        "speed_up_after_startup": round(
            two["mails_per_second_after_startup"] / one["mails_per_second_after_startup"], 2
        ),
        "rejudge": again,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
