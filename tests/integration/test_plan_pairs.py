"""The plan against the model of the same provider, through the service layer and a
real SQLite ledger: together, plan first and model later, contradictions, share."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.bootstrap import build_app
from intake.config import load
from intake.domain import Submission
from intake.service import settle_pairs, take_in
from tests.manifest import REGISTER_CSV, SUBMISSIONS
from tests.plan_docs import plan_docx, plan_pdf
from tests.plan_texts import RIJNLAND

NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC)
CONTRADICTING = {"22,5 fte": "250 fte", "€ 1.138.000": "EUR 99.000.000"}


@pytest.fixture
def app(tmp_path: Path):
    env = {"INTAKE_DATA_DIR": str(tmp_path / "data"), "INTAKE_REGISTER_PATH": str(REGISTER_CSV)}
    return build_app(load(None, env))


def model(name: str = "geldig-nov2019.xlsx") -> Submission:
    return Submission(name, (SUBMISSIONS / name).read_bytes(), NOV_20, "folder")


def plan(content: bytes, name: str = "plan.pdf") -> Submission:
    return Submission(name, content, NOV_20, "folder")


def plan_of(taken):
    return next(t.verdict for t in taken if t.verdict.document.value == "kwaliteitsplan")


def test_matching_figures_in_one_submission(app):
    verdict = plan_of(take_in(app, [model(), plan(plan_pdf(RIJNLAND))], channel="folder"))
    assert verdict.status.value == "accepted", verdict.findings
    compared = verdict.signals["plan_vs_model"]
    assert compared["fte"]["state"] == "match" and compared["fte"]["plan"]["written"] == "22,5 fte"
    assert compared["euro"]["state"] == "match"
    assert compared["fte"]["plan"]["page"] == 2  # page 1 is the title page


def test_contradicting_figures_go_to_review_with_both_numbers_and_the_sentence(app):
    content = plan_docx(RIJNLAND, CONTRADICTING)
    verdict = plan_of(take_in(app, [model(), plan(content, "plan.docx")], channel="folder"))
    assert verdict.status.value == "review"
    fte = next(f for f in verdict.findings if f.code == "PLAN_FTE_MISMATCH")
    assert (
        "250 fte" in fte.message and "22,5" in fte.message and "'2. Personeel'!D15" in fte.message
    )
    assert "In 2020 investeren wij het kwaliteitsbudget in 250 fte extra" in fte.message
    assert fte.location == "pagina 2"
    money = next(f for f in verdict.findings if f.code == "PLAN_BUDGET_MISMATCH")
    assert "EUR 99.000.000" in money.message and "€ 1.138.000,00" in money.message


def test_rounded_amounts_within_their_precision_match(app):
    content = plan_pdf(RIJNLAND, {"€ 1.138.000, waarvan": "ruim 1,1 miljoen, waarvan"})
    content = content  # 1,1 miljoen means 1.050.000-1.150.000: € 1.138.000 is in it
    verdict = plan_of(take_in(app, [model(), plan(content)], channel="folder"))
    assert "PLAN_BUDGET_MISMATCH" not in verdict.codes


def test_a_plan_without_any_figures_goes_to_review(app):
    swap = {"22,5 fte": "extra zorgmedewerkers", "€ 1.138.000": "het budget"}
    swap |= {"8 fte": "een deel", "5 fte": "enkele", "3 fte": "enkele", "2 fte": "enkele"}
    swap |= {"€ 1.033.000": "het grootste deel", "€ 105.000": "de rest"}
    verdict = plan_of(take_in(app, [model(), plan(plan_pdf(RIJNLAND, swap))], channel="folder"))
    missing = next(f for f in verdict.findings if f.code == "PLAN_FIGURES_MISSING")
    assert "22,5" in missing.message and "€ 1.138.000,00" in missing.message
    assert verdict.status.value == "review"


def test_plan_first_then_model_the_comparison_runs_when_the_pair_completes(app):
    content = plan_pdf(RIJNLAND, CONTRADICTING)
    first = plan_of(take_in(app, [plan(content)], channel="folder"))
    assert "MODEL_MISSING" in first.codes and "PLAN_FTE_MISMATCH" not in first.codes

    take_in(app, [model()], channel="folder")
    settled = settle_pairs(app)
    stored_plan = next(v for v in settled if v.document.value == "kwaliteitsplan")
    assert "MODEL_MISSING" not in stored_plan.codes
    assert {"PLAN_FTE_MISMATCH", "PLAN_BUDGET_MISMATCH"} <= set(stored_plan.codes)
    state = app.ledger.provider("73730123")
    assert app.ledger.document(state["plan_document_id"]).verdict.codes == stored_plan.codes
    assert [v.file for v in settled].count("plan.pdf") == 1
    assert settle_pairs(app) == []  # nothing changed: nothing rewritten


def test_a_newer_model_is_compared_again(app):
    take_in(app, [model(), plan(plan_pdf(RIJNLAND))], channel="folder")
    settle_pairs(app)
    take_in(app, [model("aandeel-personeel-laag.xlsx")], channel="folder")
    [changed] = [v for v in settle_pairs(app) if v.document.value == "kwaliteitsplan"]
    share = next(f for f in changed.findings if f.code == "PLAN_SHARE_UNEXPLAINED")
    assert share.severity.value == "warning" and "72,1%" in share.message


def test_a_low_share_explained_in_the_plan_gives_no_warning(app):
    explained = {
        "Het verzuim willen wij": "Het aandeel personeelskosten is lager dan 85%, omdat wij "
        "ook in domotica investeren. Het verzuim willen wij"
    }
    taken = take_in(
        app,
        [model("aandeel-personeel-laag.xlsx"), plan(plan_pdf(RIJNLAND, explained))],
        channel="folder",
    )
    assert "PLAN_SHARE_UNEXPLAINED" not in plan_of(taken).codes


def test_the_desk_shows_theme_coverage_and_the_comparison_on_the_case(tmp_path):
    from tests.integration.desk import client_for, seeded_app

    app = seeded_app(tmp_path)
    client = client_for(app)
    html = client.get("/cases/73730123").text
    assert "Thema's van het Kwaliteitskader: 8 van 8 gevonden" in html
    assert "Persoonsgerichte zorg en ondersteuning" in html
    data = client.get("/api/cases/73730123").json()
    plan_doc = next(d for d in data["documents"] if d["document"] == "kwaliteitsplan")
    # the newer model asks € 1.250.000 (total € 1.433.000); the plan still says € 1.138.000
    assert "PLAN_BUDGET_MISMATCH" in [f["code"] for f in plan_doc["findings"]]
