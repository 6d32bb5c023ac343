"""What a hostile or unlucky client cannot do to the desk: send an endless body, stall
the pages with logins, or break a header or a log line with a file name.

In-process (TestClient) and through `intake serve` in a subprocess, where the body
really arrives in chunks and the event loop is uvicorn's.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import time
import urllib.request
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from intake.channels import folder
from intake.cli.common import OneLineFormatter
from intake.cli.logformat import TEXT_FORMAT
from intake.storage.casebook import Casebook
from intake.web.body_limit import ANONYMOUS_BYTES, FORM_BYTES
from intake.web.views.downloads import disposition
from tests.integration.browser import Desk
from tests.integration.desk import (
    NOV_20,
    PASSWORD,
    PROVIDER,
    client_for,
    csrf_of,
    desk_env,
    seeded_app,
)
from tests.manifest import SUBMISSIONS

NEWLINE_NAME = "plan\r\nX-Injected: ja\nERROR vervalst.pdf"
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("limits")
    app = seeded_app(root)
    target = app.folder("inbox") / NEWLINE_NAME
    target.write_bytes((SUBMISSIONS / "kwaliteitsplan-2019.pdf").read_bytes())
    os.utime(target, (NOV_20, NOV_20))  # settled: the folder takes it at once
    folder.run_once(app)
    return root, app


@pytest.fixture(scope="module")
def desk(seeded, tmp_path_factory):
    root, _ = seeded
    server = Desk(desk_env(root), tmp_path_factory.mktemp("log") / "desk.log").start()
    yield server
    server.stop()


def chunks(total: int, size: int = 64 * 1024):
    for _ in range(total // size):
        yield b"a" * size


def test_a_body_past_the_limit_is_413_with_or_without_content_length(seeded):
    _, app = seeded
    anonymous = client_for(app, None)
    token = csrf_of(anonymous.get("/login").text)
    huge = {"username": "medewerker", "password": "x" * ANONYMOUS_BYTES, "csrf_token": token}
    assert anonymous.post("/login", data=huge).status_code == 413
    chunked = anonymous.post(
        "/login",
        content=chunks(4 * ANONYMOUS_BYTES, size=ANONYMOUS_BYTES),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413 and "te groot" in chunked.text
    staff = client_for(app)
    token = csrf_of(staff.get("/").text)
    note = {"csrf_token": token, "text": "x" * FORM_BYTES}
    assert staff.post(f"/cases/{PROVIDER}/notes", data=note).status_code == 413
    fits = {"csrf_token": token, "text": "past wel"}
    assert staff.post(f"/cases/{PROVIDER}/notes", data=fits).status_code == 303


def test_a_chunked_anonymous_login_is_cut_off_long_before_30_mib(desk):
    """A raw socket: the server must answer 413 while the body is still being sent."""
    sent = 0
    with socket.create_connection(("127.0.0.1", desk.port), timeout=30) as s:
        s.sendall(
            b"POST /login HTTP/1.1\r\nHost: desk\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        )
        chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
        while sent < 30 * MiB:
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                break
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 0x10000
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                part = s.recv(4096)
                if not part:
                    break
                answer += part
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 30 * MiB


def test_a_login_does_not_stall_the_pages(seeded, desk):
    """A login whose argon2 check takes seconds (a costly hash, set here); a page
    asked for meanwhile comes back while that login is still being checked."""
    _, app = seeded
    slow_hash = PasswordHasher(time_cost=40).hash(PASSWORD)
    Casebook(app.ledger.engine).accounts.update("beheerder", password_hash=slow_hash)
    outcome: list[int] = []

    def login() -> None:
        outcome.append(client_login(client_for_server(desk), desk, "beheerder"))

    checking = threading.Thread(target=login)
    checking.start()
    time.sleep(0.5)  # the login form is fetched and posted; the check has begun
    with urllib.request.urlopen(f"{desk.url}/healthz", timeout=60) as response:
        assert response.status == 200
    assert checking.is_alive()  # the page did not wait for the password check
    checking.join(timeout=120)
    assert outcome == [303]


def client_for_server(desk):
    import httpx

    return httpx.Client(base_url=desk.url, follow_redirects=False, timeout=60)


def client_login(client, desk, user: str = "medewerker") -> int:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": user, "password": PASSWORD, "csrf_token": token}
    )
    return response.status_code


def test_a_newline_in_a_file_name_breaks_no_header(seeded, desk):
    _, app = seeded
    with app.ledger.engine.connect() as c:
        sha256 = c.execute(
            sa.text("SELECT sha256 FROM documents WHERE filename = :f"), {"f": NEWLINE_NAME}
        ).scalar_one()
    client = client_for_server(desk)
    assert client_login(client, desk) == 303
    for kind in ("original", "report.html", "report.pdf"):
        response = client.get(f"/documents/{sha256}/{kind}")
        assert response.status_code == 200, kind
        header = response.headers["content-disposition"]
        assert "\n" not in header and "\r" not in header and "x-injected" not in response.headers
        saved = unquote(header.split("filename*=UTF-8''")[1])
        assert "vervalst" in saved and not any(ch in saved for ch in "\r\n/\\"), saved
    assert disposition('a"b;c%d.pdf', False) == (
        "attachment; filename=\"a_b_c_d.pdf\"; filename*=UTF-8''a%22b%3Bc%25d.pdf"
    )
    assert disposition("../../etc/passwd", True).startswith('inline; filename="_.._etc_passwd"')
    assert "filename*=UTF-8''%C3%A9%C3%A9n.pdf" in disposition("één.pdf", False)


def test_a_newline_in_a_logged_name_stays_on_one_line():
    formatter = OneLineFormatter(TEXT_FORMAT, detail=False)
    record = logging.LogRecord(
        "intake.channels.folder",
        logging.WARNING,
        __file__,
        1,
        "%s: unreadable",
        (NEWLINE_NAME,),
        None,
    )
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line and "\\r\\nX-Injected: ja\\nERROR" in line
    try:
        raise ValueError("regel een\nregel twee")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    assert "\n" not in formatter.format(record)


def test_the_log_of_a_real_run_has_one_line_per_record(seeded, tmp_path):
    """`intake watch --once` on a file whose name holds a newline: no forged line."""
    import subprocess
    import sys

    env = {**os.environ, **desk_env(tmp_path)}
    inbox = tmp_path / "data" / "inbox"
    inbox.mkdir(parents=True)
    target = inbox / "afgekapt\nERROR vervalst.xlsx"
    target.write_bytes((SUBMISSIONS / "afgekapt.xlsx").read_bytes())
    os.utime(target, (NOV_20, NOV_20))
    run = subprocess.run(
        [sys.executable, "-m", "intake", "watch", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = run.stderr.splitlines()
    assert any("afgekapt\\nERROR vervalst.xlsx" in line for line in lines), run.stderr
    assert not any(line.startswith("ERROR") for line in lines)


def test_intake_serve_believes_forwarded_for_from_its_trusted_proxy_only(seeded, desk):
    """Loopback is the default trusted proxy: its X-Forwarded-For names the client."""
    _, app = seeded
    client = client_for_server(desk)
    token = csrf_of(client.get("/login").text)
    form = {"username": "niemand", "password": "fout-fout-fout", "csrf_token": token}
    forwarded = {"X-Forwarded-For": "203.0.113.50"}
    assert client.post("/login", data=form, headers=forwarded).status_code == 401
    with app.ledger.engine.connect() as c:
        addresses = c.execute(
            sa.text("SELECT address FROM audit WHERE action = 'login_failed' AND actor = 'niemand'")
        ).scalars()
        assert list(addresses) == ["203.0.113.50"]
