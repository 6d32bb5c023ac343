"""A command loads only what its work needs: no ledger library for `check`, no table
engine for a plan or an empty mailbox, no Alembic for a ledger that is up to date."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from intake.storage.ledger import Ledger
from intake.storage.schema_version import current_revision, head_revision
from tests.manifest import SUBMISSIONS

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "pandas", "pandera", "polars", "numpy")

# Runs the command line in a fresh interpreter and prints which heavy libraries it loaded.
_PROBE = """
import json, sys
from intake.cli import main
sys.argv = ["intake", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit:
    pass
print("\\nLOADED " + json.dumps(sorted(m for m in {heavy} if m in sys.modules)))
"""


def _loaded(*argv: str, env: dict[str, str] | None = None) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(heavy=HEAVY), json.dumps(argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=120,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOADED "))
    return json.loads(line.removeprefix("LOADED "))


def test_checking_a_plan_loads_no_table_engine_and_no_ledger():
    assert _loaded("check", "--json", str(SUBMISSIONS / "kwaliteitsplan-2020.pdf")) == []


def test_checking_a_workbook_loads_pandera_but_no_ledger():
    loaded = _loaded("check", "--json", str(SUBMISSIONS / "geldig-nov2019.xlsx"))
    assert "pandera" in loaded
    assert "sqlalchemy" not in loaded and "alembic" not in loaded


def test_the_head_revision_read_from_the_files_is_alembics():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "intake/storage/migrations"))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_ledger_at_the_newest_revision_opens_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path}/ledger.sqlite"
    Ledger.open(url)  # new: migrated by Alembic
    assert current_revision(sa.create_engine(url)) == head_revision()
    probe = (
        "import sys; from intake.storage.ledger import Ledger; "
        f"Ledger.open({url!r}); print('alembic' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.strip() == "False", done.stderr


def test_an_older_ledger_is_upgraded(tmp_path):
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path}/ledger.sqlite"
    Ledger.open(url)
    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(ROOT / "intake/storage/migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003_campaigns")
    assert current_revision(engine) == "0003_campaigns"
    Ledger.open(url)
    assert current_revision(engine) == head_revision()
    assert "campaign" in {c["name"] for c in sa.inspect(engine).get_columns("letters")}
