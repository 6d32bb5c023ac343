"""Uitstel: granted at the desk (over HTTP) or on the command line, it changes verdicts.

A document received on or before the provider's extension date is not late; one
received after it still is; rejudging keeps to it; revoking it makes the late
documents late again. A campaign-wide shift of the deadline is a rules change.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.bootstrap import build_app
from intake.config import load
from intake.domain import Submission
from intake.judging.pipeline import judge
from intake.service import rejudge
from intake.storage import extensions as store
from tests.conftest import context
from tests.integration.desk import PROVIDER, client_for, csrf_of, desk_env, drop, seeded_app
from tests.manifest import REGISTER_CSV, SUBMISSIONS

JAN_15 = datetime(2020, 1, 15, 12, tzinfo=UTC).timestamp()
FEB_10 = datetime(2020, 2, 10, 12, tzinfo=UTC).timestamp()


def _codes(app, name: str) -> tuple[str, list[str]]:
    """The stored verdict of the newest document called `name`: status and codes."""
    stored = [d for d in app.ledger.all_documents() if d.verdict.file == name][-1]
    return stored.verdict.status.value, stored.verdict.codes


def _grant(client, until: str, reason: str = "ziekte controller, afgesproken per telefoon"):
    page = client.get(f"/cases/{PROVIDER}")
    return client.post(
        f"/cases/{PROVIDER}/extensions",
        data={"until": until, "reason": reason, "csrf_token": csrf_of(page.text)},
    )


@pytest.fixture
def desk(tmp_path):
    return seeded_app(tmp_path)


def test_an_extension_granted_at_the_desk_makes_a_document_within_it_on_time(desk, tmp_path):
    client = client_for(desk)
    # Late without uitstel: the pipeline's SUBMISSION_LATE.
    drop(desk, "geldig-nov2019.xlsx", "kwaliteitsplan-2020.pdf", when=JAN_15)
    late_codes = _codes(desk, "kwaliteitsplan-2020.pdf")[1]
    assert "SUBMISSION_LATE" in late_codes

    response = _grant(client, "2020-01-31")
    assert response.status_code == 303, response.text
    (extension,) = store.of_case(desk.ledger, "kwaliteitsbudget-2020", PROVIDER)
    assert (extension.until.isoformat(), extension.actor) == ("2020-01-31", "medewerker")
    # The stored documents of the case are judged again at once.
    codes = _codes(desk, "kwaliteitsplan-2020.pdf")[1]
    assert set(codes) == set(late_codes) - {"SUBMISSION_LATE"} | {"EXTENSION_APPLIED"}

    # A document that arrives within the uitstel is not late; one after it is.
    drop(desk, "aandeel-personeel-laag-toegelicht.xlsx", when=JAN_15)
    codes = _codes(desk, "aandeel-personeel-laag-toegelicht.xlsx")[1]
    assert "SUBMISSION_LATE" not in codes and "EXTENSION_APPLIED" in codes
    target = desk.folder("inbox") / "na-uitstel.xlsx"
    target.write_bytes((SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes())
    os.utime(target, (FEB_10, FEB_10))
    drop_only(desk)
    assert "SUBMISSION_LATE" in _codes(desk, "na-uitstel.xlsx")[1]

    # Shown on the case, in the timeline and in the provider's letter.
    page = client.get(f"/cases/{PROVIDER}").text
    assert "Uitstel tot en met <strong>31-01-2020</strong>" in page
    assert "ziekte controller" in page and "event-extension" in page
    api = client.get(f"/api/cases/{PROVIDER}").json()
    assert api["extensions"][0]["until"] == "2020-01-31"
    letters = list(desk.folder("outbox").rglob("kwaliteitsplan-2020.pdf.html"))
    assert letters
    letter = letters[0].read_text(encoding="utf-8")
    assert "uitstel dat u heeft gekregen tot en met 31-01-2020" in letter

    # Rejudging keeps to it; revoking it makes the late documents late again.
    rejudge(desk)
    assert "EXTENSION_APPLIED" in _codes(desk, "kwaliteitsplan-2020.pdf")[1]
    page = client.get(f"/cases/{PROVIDER}")
    response = client.post(
        f"/cases/{PROVIDER}/extensions/{extension.id}/revoke",
        data={"csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text
    assert "SUBMISSION_LATE" in _codes(desk, "kwaliteitsplan-2020.pdf")[1]
    assert not store.of_case(desk.ledger, "kwaliteitsbudget-2020", PROVIDER)[0].active


def drop_only(app) -> None:
    from intake.channels import folder

    folder.run_once(app)


def test_the_letter_gives_the_provider_its_own_deadline(tmp_path):
    from intake.casework.extensions import grant
    from intake.service import letters

    app = build_app(load(None, desk_env(tmp_path)))
    drop(app, "geldig-nov2019.xlsx", when=JAN_15)  # the plan is missing, and it is late
    (stored,) = app.ledger.documents_of_provider(PROVIDER)
    jan_20 = datetime(2020, 1, 20, 12, tzinfo=UTC)
    before = letters.letter(app, [stored.verdict], now=jan_20).next_step
    assert "De uiterste indieningsdatum van 31-12-2019 is verstreken" in before
    grant(app, PROVIDER, {"until": "2020-01-31", "reason": "overleg"}, "medewerker", None)
    (stored,) = app.ledger.documents_of_provider(PROVIDER)
    after = letters.letter(app, [stored.verdict], now=jan_20).next_step
    assert "uiterlijk 31-01-2020" in after and "verstreken" not in after
    feb_10 = datetime(2020, 2, 10, 12, tzinfo=UTC)
    assert "31-01-2020 is verstreken" in letters.letter(app, [stored.verdict], now=feb_10).next_step
    # A model that arrives within the uitstel: the missing plan is asked for by its date.
    drop(app, "aandeel-personeel-laag-toegelicht.xlsx", when=JAN_15)
    newest = app.ledger.documents_of_provider(PROVIDER)[-1].verdict
    (missing,) = [f for f in newest.findings if f.code == "PLAN_MISSING"]
    assert "31-01-2020" in missing.message and "31-12-2019" not in missing.message


def test_a_bad_extension_form_changes_nothing(desk):
    client = client_for(desk)
    for until, reason, message in (
        ("31-01-2020", "reden", "JJJJ-MM-DD"),
        ("2019-12-01", "reden", "na de uiterste indieningsdatum (31-12-2019)"),
        ("2020-01-31", "  ", "Een reden is verplicht"),
    ):
        response = _grant(client, until, reason)
        assert response.status_code == 400 and message in response.text
    assert store.of_case(desk.ledger, "kwaliteitsbudget-2020", PROVIDER) == []
    page = client.get(f"/cases/{PROVIDER}")
    refused = client.post(
        f"/cases/{PROVIDER}/extensions", data={"until": "2020-01-31", "reason": "x"}
    )
    assert refused.status_code == 403  # no CSRF token
    anonymous = client_for(desk, user=None).post(
        f"/cases/{PROVIDER}/extensions",
        data={"until": "2020-01-31", "reason": "x", "csrf_token": csrf_of(page.text)},
    )
    assert anonymous.status_code in (303, 401, 403)
    assert store.of_case(desk.ledger, "kwaliteitsbudget-2020", PROVIDER) == []


def test_the_command_line_grants_lists_and_revokes(tmp_path):
    env = {**os.environ, **desk_env(tmp_path)}
    app = build_app(load(None, desk_env(tmp_path)))
    drop(app, "geldig-nov2019.xlsx", when=JAN_15)
    assert "SUBMISSION_LATE" in _codes(app, "geldig-nov2019.xlsx")[1]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "intake", "extension", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    granted = run("grant", PROVIDER, "--until", "2020-01-20", "--reason", "overleg inkoper")
    assert granted.returncode == 0, granted.stderr
    assert "tot en met 20-01-2020; 1 document(en) opnieuw beoordeeld" in granted.stdout
    assert "EXTENSION_APPLIED" in _codes(app, "geldig-nov2019.xlsx")[1]
    listed = run("list")
    assert PROVIDER in listed.stdout and "overleg inkoper" in listed.stdout
    assert listed.stdout.split("\t")[4].startswith("cli")  # the actor is recorded
    bad = run("grant", PROVIDER, "--until", "morgen", "--reason", "x")
    assert bad.returncode == 2 and "JJJJ-MM-DD" in bad.stderr
    nobody = run("grant", "99999999", "--until", "2020-01-20", "--reason", "x")
    assert nobody.returncode == 2 and "niet in het register" in nobody.stderr
    extension_id = listed.stdout.split("\t")[0]
    revoked = run("revoke", extension_id)
    assert revoked.returncode == 0, revoked.stderr
    assert "SUBMISSION_LATE" in _codes(app, "geldig-nov2019.xlsx")[1]
    assert run("list").stdout == "" and "ingetrokken" in run("list", "--all").stdout


def test_a_campaign_wide_shift_is_a_rules_change_not_an_extension(tmp_path: Path):
    """The NZa moved a submission date for everyone: the campaign's rules file changes."""
    rules = (Path(__file__).parents[2] / "rules" / "kwaliteitsbudget-2020.toml").read_text(
        encoding="utf-8"
    )
    moved = rules.replace("deadline = 2019-12-31", "deadline = 2020-01-31", 1)
    assert moved != rules
    (tmp_path / "kwaliteitsbudget-2020.toml").write_text(moved, encoding="utf-8")
    late = Submission(
        "model.xlsx",
        (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes(),
        datetime(2020, 1, 15, 12, tzinfo=UTC),
        "cli",
    )
    before = judge(late, context(REGISTER_CSV))
    after = judge(late, context(REGISTER_CSV, INTAKE_GENERAL_RULES_DIR=str(tmp_path)))
    assert before.codes == ["SUBMISSION_LATE"]
    assert after.codes == ["ADVANCE_LATER"]  # on time for everyone; an info finding only
    assert after.status.value == "accepted"
