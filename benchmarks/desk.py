"""Page times of the staff desk on a campaign-sized ledger (not a test; figures for the README).

    python benchmarks/desk.py                    # 2,000 providers, 10,000 documents, SQLite
    python benchmarks/desk.py --ledger postgres  # the same on a throwaway PostgreSQL cluster
    python benchmarks/desk.py --screenshot docs/desk-case.png

Builds a register of P providers and a ledger (SQLite, or PostgreSQL with Debian's server
binaries and the test extra's psycopg) with D documents spread over them
(models, newer models, plans; real verdicts of the fixtures, with their findings and
figures), starts the real server (`intake serve`, uvicorn) on a free loopback port, logs
in and requests each page R times over HTTP. Reports p50/p95/max per page in ms and
writes benchmarks/results/desk-<ledger>.json. With --screenshot, headless Chromium saves a PNG
of one case page.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBMISSIONS = ROOT / "fixtures" / "submissions"
SECRET = "benchmark-secret-key-" + "0" * 32
PASSWORD = "benchmark-wachtwoord"
SOURCES = (
    "geldig-nov2019.xlsx",
    "aandeel-personeel-laag-toegelicht.xlsx",
    "kwaliteitsplan-2020.pdf",
    "gereserveerd-wijkt-af.xlsx",
    "te-laat.xlsx",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_register(path: Path, providers: int) -> list[str]:
    agbs = [f"7373{i:04d}" for i in range(providers)]
    lines = ["agb_code,naam,regio,gereserveerd_2020,compensatie_2020,contact"]
    lines += [
        f"{agb},Zorgaanbieder {i},Zuid-Holland Noord,1250000.00,150000.00,info@aanbieder{i}.nl"
        for i, agb in enumerate(agbs)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return agbs


def templates(app) -> list:  # type: ignore[no-untyped-def]
    from intake.domain import Submission
    from intake.judging.pipeline import judge_many

    received = datetime(2019, 11, 20, 12, tzinfo=UTC)
    subs = [Submission(n, (SUBMISSIONS / n).read_bytes(), received, "folder") for n in SOURCES]
    return judge_many(subs, app.ctx)


def _pick(verdicts: list, i: int, j: int, per: int):  # type: ignore[no-untyped-def]
    """Document j of provider i: a model first, then more, and for three in four a plan last."""
    if j == per - 1 and i % 4:
        return verdicts[2]
    return verdicts[(i + j) % len(verdicts)]


def fill_ledger(app, agbs: list[str], documents: int) -> None:  # type: ignore[no-untyped-def]
    """D documents over the providers, stored as the channels store them."""
    from intake.domain import DocumentKind, Provider

    verdicts = templates(app)
    per = max(1, documents // len(agbs))
    with app.ledger.transaction() as conn:
        for i, agb in enumerate(agbs):
            for j in range(per):
                base = _pick(verdicts, i, j, per)
                v = replace(base, findings=list(base.findings), figures=dict(base.figures))
                v.sha256 = hashlib.sha256(f"{i}:{j}".encode()).hexdigest()
                v.provider = Provider(agb, f"Zorgaanbieder {i}")
                v.received = v.received + timedelta(minutes=i)
                sender = f"info@aanbieder{i}.nl"
                doc_id = app.ledger.store_document(conn, v, channel="mail", sender=sender)
                if v.document in (DocumentKind.AANVRAAG, DocumentKind.KWALITEITSPLAN):
                    app.ledger.record_provider_document(
                        conn, agb, v.provider.naam, v.document, doc_id, sender
                    )


def start_desk(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "intake", "serve"],
        env={**os.environ, **env, "INTAKE_DESK_LISTEN": f"127.0.0.1:{port}"},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    import httpx

    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"desk did not start: {log.read_text()}")


def login(url: str):  # type: ignore[no-untyped-def]
    import httpx

    client = httpx.Client(base_url=url, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post(
        "/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
    return client


def timed(client, paths: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    times = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
        "bytes": len(response.content),
    }


def api_pages(client, args: argparse.Namespace) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page of /api/cases, round after round, as a client walking `next` asks them."""
    pages = client.get("/api/cases").json()["pages"]
    return [f"/api/cases?page={1 + i % pages}" for i in range(args.requests)]


def anonymous(url: str):  # type: ignore[no-untyped-def]
    import httpx

    return httpx.Client(base_url=url, timeout=30)


def after_each_change(app, client, agbs: list[str], n: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """/cases right after the ledger changed: the case list is computed afresh."""

    from intake.storage.tables import providers

    times = []
    for i in range(n):
        with app.ledger.transaction() as conn:
            conn.execute(
                providers.update()
                .where(providers.c.agb == agbs[i])
                .values(updated_at=datetime.now(UTC))
            )
        start = time.perf_counter()
        assert client.get("/cases").status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {
        "requests": n,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(n * 0.95) - 1], 1),
        "max_ms": round(times[-1], 1),
    }


def screenshot(url: str, agb: str, target: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,1500",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        browser.implicitly_wait(10)
        browser.get(f"{url}/login")
        browser.find_element(By.ID, "username").send_keys("bench")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        time.sleep(1)
        browser.get(f"{url}/cases/{agb}")
        browser.find_element(By.ID, "case-status")
        target.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(target))
    finally:
        browser.quit()


def example_desk(root: Path) -> dict[str, str]:
    """A small real ledger for the screenshot: fixtures judged by the folder channel."""
    from intake.bootstrap import build_app
    from intake.casework.accounts import add_user
    from intake.casework.decide import add_note
    from intake.channels import folder
    from intake.config import load
    from intake.service import settle_pairs
    from intake.storage.casebook import Casebook

    env = {
        "INTAKE_DATA_DIR": str(root / "data"),
        "INTAKE_REGISTER_PATH": str(
            ROOT / "fixtures/registers/gereserveerde-kwaliteitsmiddelen-2020.csv"
        ),
        "INTAKE_DESK_SECRET_KEY": SECRET,
    }
    app = build_app(load(None, env))
    stamp = datetime(2019, 11, 20, 12, tzinfo=UTC).timestamp()
    for names in (
        ("geldig-nov2019.xlsx", "kwaliteitsplan-2020.pdf"),
        ("aandeel-personeel-laag-toegelicht.xlsx",),
    ):
        for name in names:
            target = app.folder("inbox") / name
            target.write_bytes((SUBMISSIONS / name).read_bytes())
            os.utime(target, (stamp, stamp))
        folder.run_once(app)
        settle_pairs(app)
        stamp += 86400
    add_user(Casebook(app.ledger.engine), "bench", "staff", PASSWORD)
    add_note(
        app,
        "73730123",
        "Controller gebeld: toelichting op het aandeel personeel volgt niet apart, staat in C13.",
        "bench",
        "127.0.0.1",
    )
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--documents", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--ledger", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    args.out = args.out or ROOT / f"benchmarks/results/desk-{args.ledger}.json"
    postgres = None
    if args.ledger == "postgres":
        from tests.integration.servers import Postgres

        postgres = Postgres().start()
    try:
        run(args, postgres.url if postgres else None)
    finally:
        if postgres is not None:
            postgres.remove()


def run(args: argparse.Namespace, ledger_url: str | None) -> None:

    from intake.bootstrap import build_app
    from intake.casework.accounts import add_user
    from intake.config import load
    from intake.storage.casebook import Casebook

    load_start = os.getloadavg()[0]
    root = Path(tempfile.mkdtemp(prefix="intake-desk-bench-"))
    agbs = write_register(root / "register.csv", args.providers)
    env = {
        "INTAKE_DATA_DIR": str(root / "data"),
        "INTAKE_REGISTER_PATH": str(root / "register.csv"),
        "INTAKE_DESK_SECRET_KEY": SECRET,
    }
    if ledger_url:
        env["INTAKE_LEDGER_URL"] = ledger_url
    app = build_app(load(None, env))
    started = time.perf_counter()
    fill_ledger(app, agbs, args.documents)
    fill_seconds = time.perf_counter() - started
    add_user(Casebook(app.ledger.engine), "bench", "admin", PASSWORD)
    process, url = start_desk(env, root / "desk.log")
    try:
        client = login(url)
        rng = random.Random(2020)
        sample = [f"/cases/{rng.choice(agbs)}" for _ in range(args.requests)]
        for path in ("/cases", sample[0], "/"):  # warm up: templates compiled, caches filled
            client.get(path)
        results = {
            "/cases": timed(client, ["/cases"] * args.requests),
            "/cases?q=Zorgaanbieder 1999": timed(
                client, ["/cases?q=Zorgaanbieder%201999"] * args.requests
            ),
            "/cases/{agb}": timed(client, sample),
            "/api/cases (page 1)": timed(client, ["/api/cases"] * args.requests),
            "/api/cases?page=… (every page in turn)": timed(client, api_pages(client, args)),
            "/api/cases/{agb}": timed(client, [p.replace("/cases", "/api/cases") for p in sample]),
            "/": timed(client, ["/"] * (args.requests // 4)),
            "/metrics": timed(client, ["/metrics"] * (args.requests // 4)),
            "/api/todo": timed(client, ["/api/todo"] * (args.requests // 4)),
            "/register": timed(client, ["/register"] * (args.requests // 4)),
            "/healthz": timed(client, ["/healthz"] * args.requests),
            "/login (form, no session)": timed(anonymous(url), ["/login"] * args.requests),
            "/cases after a ledger change": after_each_change(
                app, client, agbs, args.requests // 4
            ),
        }
    finally:
        process.terminate()
        process.wait(timeout=15)
    if args.screenshot:
        example = example_desk(root / "example")
        process, url = start_desk(example, root / "example.log")
        try:
            screenshot(url, "73730123", args.screenshot)
        finally:
            process.terminate()
            process.wait(timeout=15)
    report = {
        "providers": args.providers,
        "documents": app.ledger.count("documents"),
        "ledger": app.ledger.engine.dialect.name,
        "fill_seconds": round(fill_seconds, 1),
        "pages": results,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        # The machine may be shared: the figures mean little without its load.
        "load_average_1m_start_end": [round(load_start, 1), round(os.getloadavg()[0], 1)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
