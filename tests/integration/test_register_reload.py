"""A register confirmed in the desk reaches a running watcher without a restart: the
watcher compares the register file's stamp before each pass and reloads it; a file that
does not load leaves the register in use. Two App objects on one ledger and one register
file stand for the desk and the watcher process. Real SQLite ledger, real judging."""

from __future__ import annotations

import logging

from intake.bootstrap import build_app
from intake.casework import register_update
from intake.channels import folder
from intake.config import load
from tests.integration.desk import PROVIDER, desk_env, drop
from tests.manifest import REGISTER_CSV


def test_a_confirmed_register_reaches_a_running_watcher(tmp_path, caplog):
    env = desk_env(tmp_path)
    watcher = build_app(load(None, env))
    desk = build_app(load(None, env))
    assert watcher.register.get(PROVIDER).gereserveerd == 1250000
    changed = REGISTER_CSV.read_text().replace("1250000.00", "1300000.00").encode()
    staged, _ = register_update.stage(desk, changed, "nieuw.csv")
    register_update.apply(desk, staged, "beheerder", None)

    drop(watcher, "geldig-nov2019.xlsx")  # one pass of the watcher, no restart
    assert watcher.register.get(PROVIDER).gereserveerd == 1300000
    [stored] = watcher.ledger.documents_of_provider(PROVIDER)
    assert "RESERVED_MISMATCH" in stored.verdict.codes

    caplog.set_level(logging.ERROR)
    broken = (REGISTER_CSV.parent / "register-kapot.csv").read_bytes()
    (tmp_path / "register.csv").write_bytes(broken)
    folder.run_once(watcher)
    assert watcher.register.get(PROVIDER).gereserveerd == 1300000  # kept
    assert "does not load" in caplog.text
