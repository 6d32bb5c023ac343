"""Plans written for the purpose, as PDF (reportlab) and Word (python-docx) documents,
judged by the whole pipeline: themes, provider, year, substance, councils."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from intake.domain import Submission
from intake.judging.pipeline import Context, judge
from tests.plan_docs import pdf_bytes, plan_docx, plan_pdf
from tests.plan_texts import AMSTELRING, DE_KREEK, HELD_OUT, MARENTE, RIJNLAND, TUNED

NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC)
MAKERS = {"pdf": plan_pdf, "docx": plan_docx}


def run(ctx, name: str, content: bytes):
    return judge(Submission(name, content, NOV_20), ctx)


@pytest.mark.parametrize("kind", ["pdf", "docx"])
@pytest.mark.parametrize("plan", [RIJNLAND, AMSTELRING, DE_KREEK], ids=lambda p: p.key)
def test_a_plan_that_covers_every_theme_is_accepted_with_evidence(ctx, plan, kind):
    verdict = run(ctx, f"{plan.key}.{kind}", MAKERS[kind](plan))
    assert verdict.document.value == "kwaliteitsplan"
    assert verdict.status.value == "accepted", verdict.findings
    assert set(verdict.codes) == {"PLAN_COUNCILS"}
    themes = verdict.signals["plan"]["themes"]
    assert themes["covered"] == themes["total"] == 8
    for item in themes["themes"].values():
        assert item["evidence"] and all(e["quote"] and e["page"] for e in item["evidence"])
    # later sections stand on later pages, and the evidence says so
    pages = {e["page"] for t in themes["themes"].values() for e in t["evidence"]}
    assert max(pages) >= 3


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_missing_themes_are_review_findings_that_name_them(ctx, kind):
    verdict = run(ctx, f"marente.{kind}", MAKERS[kind](MARENTE))
    assert verdict.status.value == "review"
    missing = [f for f in verdict.findings if f.code == "PLAN_THEME_MISSING"]
    assert sorted(f.evidence["theme"] for f in missing) == [
        "informatie",
        "leiderschap_governance",
    ]
    messages = " ".join(f.message for f in missing)
    assert "'Leiderschap, governance en management'" in messages
    assert "'Gebruik van informatie'" in messages
    assert {f.severity.value for f in verdict.findings} == {"review", "info"}


def test_theme_stems_decide_every_written_plan_as_labelled(rules_plan_decisions):
    for key, wrong in rules_plan_decisions.items():
        assert wrong == {}, key


@pytest.fixture
def rules_plan_decisions(ctx):
    from tests.plan_measure import plan_decisions

    return {
        p.key: {k: v for k, v in plan_decisions(p, ctx.rules).items() if v != (k in p.themes)}
        for p in TUNED + HELD_OUT
    }


def test_a_compound_counts_for_its_theme(ctx):
    from intake.checks.plan_text import sentences
    from intake.checks.plan_themes import coverage
    from intake.extract.plan import PlanText

    text = PlanText(1, ("Wij werken aan medicatieveiligheid. Ook de brandveiligheid telt.",))
    found = {c.theme.key: c for c in coverage(sentences(text), ctx.rules.plan)}
    assert found["veiligheid"].covered and found["veiligheid"].sentences == 2


def test_name_of_one_provider_and_agb_code_of_another_is_never_filed_silently(ctx):
    content = plan_pdf(RIJNLAND, {"Zorggroep Rijnland": "Marente"})
    verdict = run(ctx, "plan.pdf", content)
    assert verdict.provider is None
    conflict = next(f for f in verdict.findings if f.code == "PLAN_PROVIDER_CONFLICT")
    assert conflict.severity.value == "review"
    assert "Marente (naam op pagina 1)" in conflict.message
    assert "Zorggroep Rijnland (AGB-code 73730123 op pagina 1)" in conflict.message


def test_an_unregistered_name_with_a_registered_code_goes_to_review(ctx):
    content = plan_pdf(RIJNLAND, {"Zorggroep Rijnland": "Stichting Zorggroep De Duinrand"})
    verdict = run(ctx, "plan.pdf", content)
    assert "PLAN_PROVIDER_NAME_MISSING" in verdict.codes
    assert verdict.status.value == "review"


def test_a_plan_naming_no_provider_is_a_review(ctx):
    content = plan_pdf(RIJNLAND, {"Zorggroep Rijnland": "onze organisatie", "73730123": ""})
    verdict = run(ctx, "plan.pdf", content)
    assert "PLAN_PROVIDER_NOT_NAMED" in verdict.codes and verdict.provider is None


def test_without_register_the_labelled_agb_code_names_the_provider(bare_ctx):
    verdict = run(bare_ctx, "plan.pdf", plan_pdf(RIJNLAND))
    assert verdict.provider is not None and verdict.provider.agb == "73730123"
    assert verdict.status.value == "accepted"


def test_last_years_plan_is_review_not_rejection(ctx):
    content = plan_docx(RIJNLAND, {"2020": "2019"})
    verdict = run(ctx, "plan.docx", content)
    assert verdict.status.value == "review"
    finding = next(f for f in verdict.findings if f.code == "PLAN_LAST_YEAR")
    assert "mogelijk is dit het plan van vorig jaar" in finding.message


def test_a_multi_year_plan_including_2020_passes_the_year_check(ctx):
    verdict = run(ctx, "plan.pdf", plan_pdf(DE_KREEK))  # "Meerjarig kwaliteitsplan 2019-2021"
    assert "PLAN_LAST_YEAR" not in verdict.codes and "PLAN_WRONG_YEAR" not in verdict.codes


def test_a_title_and_repeated_characters_is_filler(ctx):
    content = pdf_bytes([["Kwaliteitsplan 2020 Zorggroep Rijnland", *["aaaa " * 18] * 20]])
    verdict = run(ctx, "plan.pdf", content)
    assert verdict.status.value == "review"
    filler = next(f for f in verdict.findings if f.code == "PLAN_FILLER")
    assert filler.location == "pagina 1"
    assert "PLAN_THEME_MISSING" not in verdict.codes  # one finding says it, not nine


def test_lorem_ipsum_is_filler(ctx):
    lorem = (
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. "
    ) * 30
    verdict = run(ctx, "plan.pdf", pdf_bytes([["Kwaliteitsplan 2020 Zorggroep Rijnland", lorem]]))
    assert "PLAN_FILLER" in verdict.codes


def test_template_leftovers_are_named_with_their_page(ctx):
    content = plan_pdf(
        RIJNLAND,
        {
            "Teamleiders sturen": "[Naam organisatie] sturen",
            "Het verzuim willen wij": "Het verzuim (xx%) willen wij",
        },
    )
    verdict = run(ctx, "plan.pdf", content)
    leftover = next(f for f in verdict.findings if f.code == "PLAN_PLACEHOLDER")
    assert leftover.severity.value == "review" and leftover.location == "pagina 3"
    assert "[Naam organisatie]" in leftover.message and "2 keer" in leftover.message
    assert verdict.status.value == "review"  # a plan with template leftovers goes to a person


def test_a_plan_with_the_templates_provider_and_amount_is_not_accepted(ctx):
    content = plan_pdf(
        RIJNLAND,
        {"Zorggroep Rijnland": "[naam zorgaanbieder]", "73730123": "xxxxxxxx"},
    )
    verdict = run(ctx, "plan.pdf", content)
    assert "PLAN_PLACEHOLDER" in verdict.codes and verdict.status.value == "review"
    leftover = next(f for f in verdict.findings if f.code == "PLAN_PLACEHOLDER")
    assert "[naam zorgaanbieder]" in leftover.message or "xxxxxxxx" in leftover.message


def test_a_short_note_is_too_short_to_judge(ctx):
    note = "Kwaliteitsplan 2020 van Zorggroep Rijnland, AGB-code 73730123. " + (
        "Wij zetten het budget in voor extra personeel op de afdelingen. " * 4
    )
    verdict = run(ctx, "plan.pdf", pdf_bytes([[note]]))
    assert "PLAN_TOO_SHORT" in verdict.codes and verdict.status.value == "review"


def test_a_short_plan_names_the_themes_it_leaves_out(ctx):
    note = (
        "Kwaliteitsplan 2020 van Zorggroep Rijnland, AGB-code 73730123. "
        "Wij werken met persoonsgerichte zorg: elke cliënt heeft een zorgleefplan met eigen "
        "wensen. Het zorgleefplan wordt ieder half jaar met de familie besproken. "
        "Wij verbeteren de veiligheid met medicatieveiligheid en valpreventie. "
        "De medicatieveiligheid bespreken wij maandelijks in een overleg met de apotheker. "
        "Het wonen en welzijn van bewoners krijgt aandacht met dagbesteding en zingeving. "
        "Met dagbesteding in de huiskamer en in de tuin verbeteren wij het welzijn. "
    )
    verdict = run(ctx, "plan.pdf", pdf_bytes([[note]]))
    assert "PLAN_TOO_SHORT" in verdict.codes
    covered = verdict.signals["plan"]["themes"]
    missing = {f.evidence["theme"] for f in verdict.findings if f.code == "PLAN_THEME_MISSING"}
    assert missing and len(missing) == covered["total"] - covered["covered"]
    assert missing == {k for k, t in covered["themes"].items() if not t["covered"]}


def test_a_plan_of_keywords_without_running_text_never_states_zero_percent_filler(ctx):
    keywords = " ".join(["Kwaliteitsplan 2020 Zorggroep Rijnland"] + ["zorg personeel budget"] * 40)
    verdict = run(ctx, "plan.pdf", pdf_bytes([[keywords]]))
    filler = next(f for f in verdict.findings if f.code == "PLAN_FILLER")
    assert "(0%)" not in filler.message and "0%" not in filler.message.split("30%")[0]
    assert "geen lopende Nederlandse tekst" in filler.message
    repeated = run(ctx, "plan.pdf", pdf_bytes([["Kwaliteitsplan 2020", *["aaaa " * 18] * 20]]))
    share = next(f for f in repeated.findings if f.code == "PLAN_FILLER")
    stated = re.search(r"bestaat voor (\d+)% uit opvultekst", share.message)
    assert stated and int(stated.group(1)) > 90


def test_the_staff_pdf_carries_the_theme_table(ctx):
    import io

    import pypdf

    from intake.report.model import build
    from intake.report.pdf import render_pdf

    verdict = run(ctx, "marente.pdf", plan_pdf(MARENTE))
    texts = {}
    for audience in ("staff", "provider"):
        pdf = render_pdf(build([verdict], ctx.rules, ctx.family, audience=audience))
        pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
        texts[audience] = " ".join(" ".join((p.extract_text() or "").split()) for p in pages)
    themes = verdict.signals["plan"]["themes"]
    heading = f"Thema's van het Kwaliteitskader ({themes['covered']} van {themes['total']}"
    assert heading in texts["staff"] and "Leiderschap, governance" in texts["staff"]
    assert "Bewijs (pagina: zin)" in texts["staff"] and "p. " in texts["staff"]
    assert "Thema's van het Kwaliteitskader (" not in texts["provider"]


def test_a_scan_is_named_as_a_scan(ctx):
    import io

    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.rect(50, 50, 400, 600)
    c.showPage()
    c.save()
    verdict = run(ctx, "kwaliteitsplan.pdf", out.getvalue())
    assert verdict.codes == ["PLAN_NO_TEXT"] and verdict.status.value == "review"


def test_councils_inform_in_2020_and_can_be_required(ctx):
    without = plan_pdf(MARENTE)  # only the cliëntenraad gave advice
    info = next(f for f in run(ctx, "p.pdf", without).findings if f.code == "PLAN_COUNCILS")
    assert info.severity.value == "info"
    assert "cliëntenraad: advies" in info.message and "ondernemingsraad" in info.message

    councils = {**ctx.rules.plan["councils"], "required": "instemming"}
    catalogue = {
        **ctx.rules.catalogue,
        "PLAN_COUNCIL_CONSENT_MISSING": {
            **ctx.rules.catalogue["PLAN_COUNCIL_CONSENT_MISSING"],
            "severity": "error",
        },
    }
    strict = replace(ctx.rules, plan={**ctx.rules.plan, "councils": councils}, catalogue=catalogue)
    strict_ctx = Context(strict, ctx.family, ctx.register)
    verdict = run(strict_ctx, "p.pdf", without)
    missing = [f for f in verdict.findings if f.code == "PLAN_COUNCIL_CONSENT_MISSING"]
    assert len(missing) == 2 and verdict.status.value == "rejected"
    assert run(strict_ctx, "p.pdf", plan_pdf(DE_KREEK)).status.value == "accepted"


def test_staff_report_shows_theme_coverage_with_evidence_and_the_provider_report_does_not(ctx):
    from intake.report.html import render_html
    from intake.report.model import build

    verdict = run(ctx, "marente.pdf", plan_pdf(MARENTE))
    staff = html.unescape(render_html(build([verdict], ctx.rules, ctx.family, audience="staff")))
    assert "Thema's van het Kwaliteitskader (6 van 8 gevonden)" in staff
    assert "Gebruik van informatie</td><td>nee" in staff
    assert "p. 2: Valincidenten bespreken wij" in staff
    provider = render_html(build([verdict], ctx.rules, ctx.family, audience="provider"))
    assert "Thema's van het Kwaliteitskader (" not in provider
    assert "Gebruik van informatie" in provider  # the finding itself is for the provider too


def test_a_plan_naming_its_provider_without_legal_form_is_filed_under_it(ctx):
    content = plan_pdf(AMSTELRING, {"Stichting Amstelring Zorg": "Amstelring", "AGB 73730456": ""})
    verdict = run(ctx, "plan.pdf", content)
    assert verdict.provider is not None and verdict.provider.agb == "73730456"
    assert not [c for c in verdict.codes if c.startswith("PLAN_PROVIDER")]
