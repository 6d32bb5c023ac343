"""The ledger on PostgreSQL: the same migrations and channel code as on SQLite."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from intake.bootstrap import build_app
from intake.channels import folder
from intake.config import load
from intake.service import settle_pairs
from tests.manifest import REGISTER_CSV, SUBMISSIONS

NOV_20 = datetime(2019, 11, 20, 12, tzinfo=UTC).timestamp()


def test_folder_pass_and_pairing_on_postgresql(postgres, tmp_path):
    env = {
        "INTAKE_DATA_DIR": str(tmp_path),
        "INTAKE_REGISTER_PATH": str(REGISTER_CSV),
        "INTAKE_LEDGER_URL": postgres.url,
    }
    app = build_app(load(None, env))
    for name in ("geldig-nov2019.xlsx", "kwaliteitsplan-2020.pdf"):
        target = app.folder("inbox") / name
        target.write_bytes((SUBMISSIONS / name).read_bytes())
        os.utime(target, (NOV_20, NOV_20))
    verdicts = folder.run_once(app)
    assert [v.file for v in verdicts] == ["geldig-nov2019.xlsx", "kwaliteitsplan-2020.pdf"]
    assert verdicts[0].codes == ["PLAN_MISSING", "ADVANCE_LATER"]
    assert verdicts[1].codes == ["PLAN_COUNCILS"]
    assert app.ledger.engine.dialect.name == "postgresql"
    assert [v.file for v in settle_pairs(app)] == ["geldig-nov2019.xlsx"]
    state = app.ledger.provider("73730123")
    model = app.ledger.document(state["model_document_id"])
    assert model.verdict.status.value == "accepted"
    assert model.verdict.received.astimezone(UTC).date().isoformat() == "2019-11-20"
    # Opening again runs the migrations again: nothing to do, nothing lost.
    again = build_app(load(None, env))
    assert again.ledger.count("documents") == 2
