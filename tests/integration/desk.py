"""A seeded ledger and archive for the desk tests: real judging of fixture files."""

from __future__ import annotations

import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from intake.bootstrap import build_app
from intake.casework.accounts import add_user
from intake.channels import folder
from intake.config import load
from intake.service import settle_pairs
from intake.service.app import App
from intake.storage.casebook import Casebook
from tests.manifest import REGISTER_CSV, SUBMISSIONS

SECRET = "desk-test-secret-" + "x" * 32
PASSWORD = "correct-horse-battery"
PROVIDER = "73730123"
NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC).timestamp()


def desk_env(root: Path, ledger_url: str | None = None, smtp_port: int | None = None) -> dict:
    register = root / "register.csv"
    if not register.exists():
        shutil.copyfile(REGISTER_CSV, register)
    env = {
        "INTAKE_DATA_DIR": str(root / "data"),
        "INTAKE_REGISTER_PATH": str(register),
        "INTAKE_DESK_SECRET_KEY": SECRET,
        "INTAKE_DESK_BASE_URL": "http://127.0.0.1",
    }
    if ledger_url:
        env["INTAKE_LEDGER_URL"] = ledger_url
    if smtp_port:
        env.update(
            {
                "INTAKE_SMTP_HOST": "127.0.0.1",
                "INTAKE_SMTP_PORT": str(smtp_port),
                "INTAKE_SMTP_SECURITY": "none",
            }
        )
    return env


def drop(app: App, *names: str, when: float = NOV_20) -> None:
    for name in names:
        target = app.folder("inbox") / name
        target.write_bytes((SUBMISSIONS / name).read_bytes())
        os.utime(target, (when, when))
    folder.run_once(app)
    settle_pairs(app)


def seeded_app(root: Path, **kwargs) -> App:
    """Provider 73730123: an accepted pair, then a newer model that needs review;
    one unreadable file in quarantine; a staff and an admin account."""
    app = build_app(load(None, desk_env(root, **kwargs)))
    drop(app, "geldig-nov2019.xlsx", "kwaliteitsplan-2020.pdf")
    time.sleep(0.01)
    drop(app, "aandeel-personeel-laag-toegelicht.xlsx", "afgekapt.xlsx")
    book = Casebook(app.ledger.engine)
    add_user(book, "medewerker", "staff", PASSWORD)
    add_user(book, "beheerder", "admin", PASSWORD)
    return app


def csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def field_of(html: str, name: str) -> str:
    import re

    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def client_for(app: App, user: str | None = "medewerker", address: str = "testclient"):
    """A TestClient on the desk, logged in as `user` (None: anonymous), from `address`."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from intake.web.app import create_app

    client = TestClient(create_app(app), follow_redirects=False, client=(address, 50000))
    if user:
        response = log_in(client, user, PASSWORD)
        assert response.status_code == 303, response.text
    return client


def log_in(client, user: str, password: str):  # type: ignore[no-untyped-def]
    """POST /login with a fresh form: the response (303 in, 401 wrong, 429 wait)."""
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": user, "password": password, "csrf_token": token})
