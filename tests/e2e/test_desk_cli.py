"""The desk's commands as an operator runs them: serve's refusals, accounts, dry-run rejudge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.manifest import FIXTURES


def intake(*args: str, env: dict, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "intake", *args],
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_serve_refuses_without_or_with_a_short_secret(tmp_path: Path):
    env = {"INTAKE_DATA_DIR": str(tmp_path), "INTAKE_DESK_SECRET_KEY": ""}
    missing = intake("serve", env=env)
    assert missing.returncode == 2 and "secret_key ontbreekt" in missing.stderr
    short = intake("serve", env={**env, "INTAKE_DESK_SECRET_KEY": "kort"})
    assert short.returncode == 2 and "te kort" in short.stderr
    listen = intake(
        "serve", env={**env, "INTAKE_DESK_SECRET_KEY": "s" * 40, "INTAKE_DESK_LISTEN": "nergens"}
    )
    assert listen.returncode == 2 and "HOST:PORT" in listen.stderr
    assert "Traceback" not in missing.stderr + short.stderr + listen.stderr


def test_user_add_list_disable(tmp_path: Path):
    env = {"INTAKE_DATA_DIR": str(tmp_path)}
    added = intake(
        "user",
        "add",
        "j.jansen",
        "--role",
        "admin",
        "--password-stdin",
        env=env,
        stdin="een-lang-wachtwoord\n",
    )
    assert added.returncode == 0, added.stderr
    weak = intake(
        "user", "add", "p.pietersen", "--role", "staff", "--password-stdin", env=env, stdin="kort\n"
    )
    assert weak.returncode == 2 and "minstens 12 tekens" in weak.stderr
    twice = intake(
        "user",
        "add",
        "j.jansen",
        "--role",
        "staff",
        "--password-stdin",
        env=env,
        stdin="een-lang-wachtwoord\n",
    )
    assert twice.returncode == 2 and "bestaat al" in twice.stderr
    bad_role = intake("user", "add", "x.y", "--role", "root", env=env)
    assert bad_role.returncode == 2
    assert intake("user", "list", env=env).stdout.split() == ["j.jansen", "admin", "actief"]
    assert intake("user", "disable", "j.jansen", env=env).returncode == 0
    assert "uitgeschakeld" in intake("user", "list", env=env).stdout
    assert intake("user", "disable", "niemand", env=env).returncode == 2
    from intake.storage.ledger import Ledger

    ledger = Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}")
    with ledger.engine.connect() as c:
        stored = c.exec_driver_sql("SELECT password_hash FROM users").scalar()
    assert stored.startswith("$argon2id$") and "een-lang-wachtwoord" not in stored


def test_rejudge_dry_run_prints_each_change_and_changes_nothing(tmp_path: Path):
    demo = tmp_path / "demo"
    assert intake("demo", str(FIXTURES), "--dir", str(demo), env={}).returncode == 0
    register = tmp_path / "register.csv"
    demo_register = FIXTURES / "demo" / "register.csv"
    register.write_text(demo_register.read_text().replace("1250000.00", "1300000.00"))
    env = {"INTAKE_DATA_DIR": str(demo), "INTAKE_REGISTER_PATH": str(register)}
    dry = intake("rejudge", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    lines = [line for line in dry.stdout.splitlines() if "→" in line]
    assert lines and all("73730123" in line for line in lines)
    assert any("accepted → rejected" in line and "+RESERVED_MISMATCH" in line for line in lines)
    assert "proefrun" in dry.stdout
    real = intake("rejudge", env=env)
    assert [line for line in real.stdout.splitlines() if "→" in line] == lines
    assert "0 beoordeling(en)" in intake("rejudge", "--dry-run", env=env).stdout
