"""Two campaigns on one ledger, the migration that brought campaigns, and the checks
that protect providers from the care office's own mistakes."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from fixtures.samples import GEN, fill_template
from intake.bootstrap import build_app
from intake.campaign.templates import parse_family
from intake.channels import folder
from intake.config import load
from intake.domain import Submission, json_money, money
from intake.judging.pipeline import judge, judge_many
from intake.service import settle_pairs
from intake.storage.ledger import Ledger
from tests.integration.servers import Postgres
from tests.manifest import FIXTURES, SUBMISSIONS

SUBMISSIONS_2021 = FIXTURES / "submissions-2021"
NOV_20_2019 = datetime(2019, 11, 20, 12, tzinfo=UTC)
NOV_20_2020 = datetime(2020, 11, 20, 12, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request, tmp_path: Path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite'}"
        return
    server = Postgres().start()
    yield server.url
    server.remove()


def _registers(tmp_path: Path) -> str:
    """One register per campaign, found through `{campaign}` in the configured path."""
    folder_ = tmp_path / "registers"
    folder_.mkdir()
    for year in ("2020", "2021"):
        source = FIXTURES / "registers" / f"gereserveerde-kwaliteitsmiddelen-{year}.csv"
        shutil.copyfile(source, folder_ / f"kwaliteitsbudget-{year}.csv")
    return str(folder_ / "{campaign}.csv")


def _both_campaigns(tmp_path: Path, url: str):
    env = {
        "INTAKE_DATA_DIR": str(tmp_path / "data"),
        "INTAKE_LEDGER_URL": url,
        "INTAKE_REGISTER_PATH": _registers(tmp_path),
        "INTAKE_GENERAL_CAMPAIGNS": "kwaliteitsbudget-2021",
    }
    return build_app(load(None, env))


def _drop(app, source: Path, name: str, when: datetime) -> None:
    target = app.folder("inbox") / name
    target.write_bytes(source.read_bytes())
    os.utime(target, (when.timestamp(), when.timestamp()))


def test_two_campaigns_side_by_side_on_one_ledger(tmp_path: Path, ledger_url: str):
    app = _both_campaigns(tmp_path, ledger_url)
    assert list(app.contexts) == ["kwaliteitsbudget-2020", "kwaliteitsbudget-2021"]
    _drop(app, SUBMISSIONS / "geldig-nov2019.xlsx", "model-2020.xlsx", NOV_20_2019)
    _drop(app, SUBMISSIONS / "kwaliteitsplan-2020.pdf", "plan-2020.pdf", NOV_20_2019)
    _drop(app, SUBMISSIONS_2021 / "geldig-2021.xlsx", "model-2021.xlsx", NOV_20_2020)
    _drop(app, SUBMISSIONS_2021 / "geen-instemming-or-2021.xlsx", "or-nee.xlsx", NOV_20_2020)
    verdicts = {v.file: v for v in folder.run_once(app)}
    settle_pairs(app)
    assert verdicts["model-2020.xlsx"].campaign == "kwaliteitsbudget-2020"
    assert verdicts["plan-2020.pdf"].campaign == "kwaliteitsbudget-2020"
    assert verdicts["model-2021.xlsx"].campaign == "kwaliteitsbudget-2021"
    assert verdicts["model-2021.xlsx"].codes == ["PLAN_MISSING", "ADVANCE_LATER"]
    assert verdicts["or-nee.xlsx"].status.value == "rejected"
    assert "CONSENT_MISSING" in verdicts["or-nee.xlsx"].codes
    versions = {v.campaign: v.rules_version for v in verdicts.values()}
    assert versions["kwaliteitsbudget-2020"] != versions["kwaliteitsbudget-2021"]
    # The same provider has one case per campaign, each with its own documents.
    cases = {(p["campaign"], p["agb"]) for p in app.ledger.all_providers()}
    assert cases == {("kwaliteitsbudget-2020", "73730123"), ("kwaliteitsbudget-2021", "73730123")}
    case_2020 = app.ledger.provider("73730123", "kwaliteitsbudget-2020")
    assert case_2020["model_document_id"] and case_2020["plan_document_id"]
    case_2021 = app.ledger.provider("73730123", "kwaliteitsbudget-2021")
    assert case_2021["plan_document_id"] is None
    stored = app.ledger.documents_of_provider("73730123", "kwaliteitsbudget-2020")
    assert [d.verdict.status.value for d in stored] == ["accepted", "accepted"]
    with app.ledger.engine.connect() as c:
        rows = c.execute(sa.text("SELECT campaign, rules_version FROM documents")).all()
    assert {r.campaign for r in rows} == {"kwaliteitsbudget-2020", "kwaliteitsbudget-2021"}
    assert all(r.rules_version == versions[r.campaign] for r in rows)


def test_upgrading_an_old_ledger_gives_its_rows_the_default_campaign(
    tmp_path: Path, ledger_url: str
):
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(ledger_url)
    config = Config()
    config.set_main_option(
        "script_location", str(Path(folder.__file__).parents[1] / "storage" / "migrations")
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        stamp = datetime(2019, 11, 20, tzinfo=UTC)
        connection.execute(
            sa.text(
                "INSERT INTO documents (sha256, filename, channel, received, kind, status,"
                " verdict_json, created_at, updated_at) VALUES ('ab', 'x.xlsx', 'folder', :t,"
                " 'aanvraag', 'accepted', '{}', :t, :t)"
            ),
            {"t": stamp},
        )
        connection.execute(
            sa.text("INSERT INTO providers (agb, naam, updated_at) VALUES ('73730123', 'Z', :t)"),
            {"t": stamp},
        )
    engine.dispose()
    ledger = Ledger.open(ledger_url, default_campaign="kwaliteitsbudget-2020")
    assert ledger.provider("73730123")["campaign"] == "kwaliteitsbudget-2020"
    assert ledger.provider("73730123", "kwaliteitsbudget-2021") is None
    with ledger.engine.connect() as c:
        assert c.execute(sa.text("SELECT campaign FROM documents")).scalar() == (
            "kwaliteitsbudget-2020"
        )


def test_an_unsupported_function_is_an_internal_error_for_staff_never_a_silent_pass(ctx):
    """Even a schema that slipped past the load-time check cannot switch checks off."""
    import tomllib

    data = tomllib.loads(ctx.family.source.read_text(encoding="utf-8"))
    data["formulas"][-1]["formula"] = "ROUND(MAX(0,C7-C9),2)"
    broken = replace(ctx, family=parse_family(data, ctx.family.source))
    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    verdict = judge(Submission("model.xlsx", data, NOV_20_2019), broken)
    assert verdict.codes == ["INTERNAL_ERROR"]
    assert verdict.status.value == "review"
    assert "kon niet automatisch worden beoordeeld" in verdict.findings[0].message
    assert "FunctionUnsupported" in verdict.signals["internal_error"]


def test_compensation_can_never_exceed_the_reserved_amount(bare_ctx):
    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    changed = fill_template(data, {f"{GEN}!C13": 1300000})
    verdict = judge(Submission("model.xlsx", changed, NOV_20_2019), bare_ctx)
    [finding] = [f for f in verdict.findings if f.code == "COMPENSATION_EXCEEDS_RESERVED"]
    assert finding.location == "'1. Algemene gegevens'!C13"
    assert "€ 1.300.000,00" in finding.message and "€ 1.250.000,00" in finding.message
    assert verdict.status.value == "rejected"


def test_an_application_before_the_first_of_november_gets_no_advance_notice(bare_ctx):
    data = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
    early, later = judge_many(
        [
            Submission("a.xlsx", data, datetime(2019, 11, 1, 12, tzinfo=UTC)),
            Submission("b.xlsx", data, datetime(2019, 11, 2, 12, tzinfo=UTC)),
        ],
        bare_ctx,
    )
    assert early.codes == [] and later.codes == ["ADVANCE_LATER"]
    assert later.status.value == "accepted"


def test_money_is_exact_to_the_cent():
    assert money(327379.9999999997) == Decimal("327380.00")
    assert money(0.1 + 0.2) == Decimal("0.30")
    assert json_money({"a": money(1033000.0), "b": [money(12.345)], "c": 0.5}) == {
        "a": 1033000.0,
        "b": [12.35],
        "c": 0.5,
    }
