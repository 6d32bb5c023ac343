"""A plan is held against the model of its own campaign, never against another year's.

2020 is the default campaign and 2021 active beside it on one ledger: a provider's 2020
model is stored, then its 2021 kwaliteitsplan arrives alone, then its 2021 model."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from intake.bootstrap import build_app
from intake.config import load
from intake.domain import Submission
from intake.service import settle_pairs, take_in
from tests.manifest import FIXTURES, SUBMISSIONS
from tests.plan_docs import plan_pdf
from tests.plan_texts import RIJNLAND

NOV_20_2019 = datetime(2019, 11, 20, 12, tzinfo=UTC)
NOV_20_2020 = datetime(2020, 11, 20, 12, tzinfo=UTC)
PLAN_2021 = {"2020": "2021", "22,5 fte": "30 fte", "€ 1.138.000": "€ 1.500.000"}
PAIR_CODES = {"PLAN_FTE_MISMATCH", "PLAN_BUDGET_MISMATCH"}


@pytest.fixture
def app(tmp_path: Path):
    registers = tmp_path / "registers"
    registers.mkdir()
    for year in ("2020", "2021"):
        source = FIXTURES / "registers" / f"gereserveerde-kwaliteitsmiddelen-{year}.csv"
        shutil.copyfile(source, registers / f"kwaliteitsbudget-{year}.csv")
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_REGISTER_PATH": str(registers / "{campaign}.csv"),
        "INTAKE_GENERAL_CAMPAIGNS": "kwaliteitsbudget-2021",
    }
    return build_app(load(None, env))


def _plan_2021() -> Submission:
    return Submission(
        "kwaliteitsplan-2021.pdf", plan_pdf(RIJNLAND, PLAN_2021), NOV_20_2020, "folder"
    )


def _model_2021() -> Submission:
    content = (FIXTURES / "submissions-2021" / "geldig-2021.xlsx").read_bytes()
    return Submission("model-2021.xlsx", content, NOV_20_2020, "folder")


def _stored_plan(app):
    state = app.ledger.provider("73730123", "kwaliteitsbudget-2021")
    return app.ledger.document(state["plan_document_id"]).verdict


def test_a_2021_plan_alone_is_not_compared_with_the_2020_model(app):
    model_2020 = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    take_in(
        app, [Submission("model-2020.xlsx", model_2020, NOV_20_2019, "folder")], channel="folder"
    )

    [taken] = take_in(app, [_plan_2021()], channel="folder")
    plan = taken.verdict
    assert plan.campaign == "kwaliteitsbudget-2021"
    assert plan.provider is not None and plan.provider.agb == "73730123"
    assert "MODEL_MISSING" in plan.codes
    missing = next(f for f in plan.findings if f.code == "MODEL_MISSING")
    assert "2021" in missing.message  # the 2021 model is the one asked for
    assert not PAIR_CODES & set(plan.codes), plan.findings
    assert "plan_vs_model" not in plan.signals
    assert app.ledger.provider("73730123", "kwaliteitsbudget-2020")["plan_document_id"] is None


def test_the_2021_model_arriving_is_compared_under_2021_rules_and_register(app):
    model_2020 = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    take_in(
        app, [Submission("model-2020.xlsx", model_2020, NOV_20_2019, "folder")], channel="folder"
    )
    take_in(app, [_plan_2021()], channel="folder")

    [model] = take_in(app, [_model_2021()], channel="folder")
    assert model.verdict.campaign == "kwaliteitsbudget-2021"
    assert model.verdict.signals["register_entry"]["gereserveerd"] == 1250000.0  # 2021 register
    settle_pairs(app)

    plan = _stored_plan(app)
    assert "MODEL_MISSING" not in plan.codes
    compared = plan.signals["plan_vs_model"]
    workbook = model.verdict.figures["workbook"]
    # held against the 2021 model's own figures, not the 2020 model's 22,5 fte / € 1.138.000
    assert compared["euro"]["model"] == pytest.approx(float(workbook["requested"]))
    assert compared["fte"]["model"] != pytest.approx(22.5)
