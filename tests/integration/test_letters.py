"""The letter a provider gets, read as the provider reads it: the PDF as text
(pdftotext) and the mail as it leaves (text and HTML parts)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from fixtures.samples import BASE_VALUES, fill_template
from intake.channels.replies import feedback
from intake.domain import Decision, Status, Submission, kenmerk, kenmerk_hash_prefix
from intake.judging.pipeline import judge
from intake.report.html import render_html, render_text
from intake.report.model import build
from intake.report.pdf import render_pdf
from intake.service.letters import corrected_models
from tests.integration.servers import require
from tests.manifest import FIXTURES, SUBMISSIONS

CONTACT = "j.devries@zorggroeprijnland.nl"
BEFORE_DEADLINE = datetime(2019, 11, 20, 12, tzinfo=UTC)
AFTER_DEADLINE = datetime(2020, 1, 10, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _pdftotext():
    require("pdftotext")


def _judge(ctx, name, when=BEFORE_DEADLINE, content=None):
    data = content if content is not None else (SUBMISSIONS / name).read_bytes()
    return judge(Submission(name, data, when, "mail", CONTACT), ctx), data


def _pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def _mail(ctx, verdicts, sender=CONTACT, **kw) -> EmailMessage:
    original = EmailMessage()
    original["From"] = sender
    original["Subject"] = "Aanvraag"
    original["Message-ID"] = "<a@b>"
    return feedback(
        original,
        verdicts,
        ctx,
        ctx.register,
        own_address="zorginkoop.wlz@zorgenzekerheid.nl",
        message_id="<r@zorgenzekerheid.nl>",
        **kw,
    )


def _texts(model, tmp_path) -> list[str]:
    """The same letter as PDF text, mail text and mail HTML."""
    return [
        _pdftotext(render_pdf(model), tmp_path),
        " ".join(render_text(model).split()),
        " ".join(render_html(model).split()),
    ]


def test_every_letter_carries_kenmerk_date_office_document_and_receipt(ctx, tmp_path):
    verdict, _ = _judge(ctx, "geldig-nov2019.xlsx")
    model = build([verdict], ctx.rules, ctx.family, now=BEFORE_DEADLINE)
    for text in _texts(model, tmp_path):
        assert model.kenmerk in text and model.kenmerk.startswith("KB-")
        assert "20-11-2019" in text  # date of the letter and of receipt
        assert "Zorg en Zekerheid" in text and "071 - 582 58 58" in text
        assert "zorginkoop.wlz@zorgenzekerheid.nl" in text
        assert "geldig-nov2019.xlsx" in text
    assert verdict.sha256.startswith(kenmerk_hash_prefix(model.kenmerk))


def test_plan_letter_never_says_accepted_while_the_model_must_be_fixed(ctx, tmp_path):
    model_verdict, _ = _judge(ctx, "formule-overschreven.xlsx")
    plan, _ = _judge(ctx, "kwaliteitsplan-2020.pdf")
    assert plan.status is Status.ACCEPTED and model_verdict.status is Status.REJECTED
    letter = build([plan], ctx.rules, ctx.family, others=[model_verdict], now=BEFORE_DEADLINE)
    mail = _mail(ctx, [plan], others=[model_verdict])
    for text in [*_texts(letter, tmp_path), mail.get_body(("plain",)).get_content()]:
        assert "geaccepteerd" not in text.lower()
        assert "het aanvraagmodel moet worden hersteld" in text
        assert f"beoordeling met kenmerk {kenmerk('KB', model_verdict.sha256)}" in " ".join(
            text.split()
        )
    alone = build([plan], ctx.rules, ctx.family, others=[], now=BEFORE_DEADLINE)
    assert "nog niet compleet" in alone.outcome and "het aanvraagmodel" in alone.outcome


def test_findings_in_words_and_dutch_formula_notation(ctx, tmp_path):
    verdict, _ = _judge(ctx, "formule-overschreven.xlsx")
    model = build([verdict], ctx.rules, ctx.family, now=BEFORE_DEADLINE)
    for text in _texts(model, tmp_path):
        assert "=SOM(F7:F14)" in text and "SUM(" not in text
        assert "cel F15 op tabblad '2. Personeel'" in text.replace("&#39;", "'")
        assert "1.000.000" in text  # Dutch amounts


def test_next_step_has_the_deadline_and_after_it_says_what_happens(ctx, tmp_path):
    verdict, _ = _judge(ctx, "fte-negatief.xlsx")
    before = build([verdict], ctx.rules, ctx.family, now=BEFORE_DEADLINE)
    after = build([verdict], ctx.rules, ctx.family, now=AFTER_DEADLINE)
    for text in _texts(before, tmp_path):
        assert "uiterlijk 31-12-2019" in text and "Versie 1.1 - november 2019" in text
    for text in _texts(after, tmp_path):
        assert "uiterlijk" not in text
        assert "31-12-2019 is verstreken" in text and "zo snel mogelijk" in text


def test_receipt_for_an_unknown_sender_reveals_nothing(ctx, tmp_path):
    unknown = (SUBMISSIONS / "onbekende-aanbieder.xlsx").read_bytes()
    verdict, _ = _judge(ctx, "aanvraag.xlsx", content=unknown)
    assert "PROVIDER_UNKNOWN" in verdict.codes
    mail = _mail(ctx, [verdict], sender="iemand@gmail.com")
    parts = [mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()]
    pdf = next(p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf")
    parts.append(_pdftotext(pdf.get_content(), tmp_path))
    for text in parts:
        lowered = text.lower()
        for word in ("geaccepteerd", "hersteld", "niet in orde", "onbekend", "afgewezen"):
            assert word not in lowered
        assert "€" not in text and "73730" not in text and verdict.provider.naam not in text
        assert "071 - 582 58 58" in text and "zorginkoop.wlz@zorgenzekerheid.nl" in text
        assert "behandelt uw bericht" in text


def test_old_model_letter_sends_back_the_corrected_workbook(ctx, tmp_path):
    early, data = _judge(ctx, "sept2019-voor-8-november.xlsx", datetime(2019, 11, 1, tzinfo=UTC))
    corrected = corrected_models(ctx, [early], {early.sha256: data})
    mail = _mail(ctx, [early], corrected=corrected)
    names = [p.get_filename() for p in mail.iter_attachments()]
    assert "sept2019-voor-8-november-nov2019.xlsx" in names
    text = " ".join(mail.get_body(("plain",)).get_content().split())
    assert "U hoeft niets te doen" in text and "sept2019-voor-8-november-nov2019.xlsx" in text
    late, data = _judge(ctx, "sept2019-na-8-november.xlsx")
    model = build(
        [late],
        ctx.rules,
        ctx.family,
        now=BEFORE_DEADLINE,
        attached={late.sha256: "sept2019-na-8-november-nov2019.xlsx"},
    )
    for text in _texts(model, tmp_path):
        assert "Controleer dit bestand" in text and "uiterlijk 31-12-2019" in text


def test_a_workbook_that_cannot_be_carried_over_is_told_why(ctx, tmp_path):
    blank = FIXTURES / "templates" / "kwaliteitsbudget-2020-sept2019.xlsx"
    content = fill_template(blank, {**BASE_VALUES, "'2. Personeel'!F15": 1000000})
    verdict, data = _judge(ctx, "overschreven-sept.xlsx", content=content)
    assert verdict.template_version == "sept2019" and "FORMULA_OVERWRITTEN" in verdict.codes
    assert corrected_models(ctx, [verdict], {verdict.sha256: data}) == {}
    model = build([verdict], ctx.rules, ctx.family, now=BEFORE_DEADLINE)
    for text in _texts(model, tmp_path):
        assert "niet in het gecorrigeerde model" in text and "formules overschreven" in text


def test_a_decision_and_its_reason_are_in_the_letter(ctx, tmp_path):
    verdict, _ = _judge(ctx, "aandeel-personeel-laag-toegelicht.xlsx")
    decision = Decision(
        Status.ACCEPTED,
        "Toelichting op het aandeel personeel is voldoende.",
        "medewerker",
        BEFORE_DEADLINE,
    )
    model = build([verdict], ctx.rules, ctx.family, decision=decision, now=BEFORE_DEADLINE)
    for text in _texts(model, tmp_path):
        assert "besloten: uw aanvraag kwaliteitsbudget 2020 is geaccepteerd" in text
        assert "Toelichting op het aandeel personeel is voldoende." in text
