"""A new reserved-budget register from the desk: validate, preview, then confirm,
for one campaign (each campaign has its own register, with its own amount columns).

The upload is validated exactly as on the command line (`parse_register`, with the
campaign's columns) and kept aside under its content hash; the preview is a dry-run
rejudge with that campaign's register replaced; only the confirm replaces the
campaign's register file (the old one kept beside it) and re-judges.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from intake.campaign.register import Problem, Register, RegisterError, parse_register
from intake.casework.cases import CaseRow, book, campaign, overview, register_of
from intake.domain.case_status import LABELS, case_status, computed_status
from intake.service import Rejudged, rejudge
from intake.service.app import App
from intake.storage.files import atomic_write

_STAGED = re.compile(r"^[0-9a-f]{64}$")
MAX_REGISTER_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class CaseChange:
    agb: str
    naam: str
    before: str
    after: str


@dataclass(frozen=True)
class Preview:
    staged: str
    filename: str
    campaign: str
    providers: int
    added: list[str]
    removed: list[str]
    cases: list[CaseChange]
    documents: list[Rejudged]


def staging(app: App) -> Path:
    folder = app.config.data_dir / "desk" / "register-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def register_path(app: App, name: str) -> Path | None:
    """The file that holds this campaign's register (`[register] path`)."""
    path = app.config.register.path_for(name, name == app.ctx.campaign)
    return Path(path) if path else None


def stage(app: App, data: bytes, filename: str, name: str | None = None) -> tuple[str, Register]:
    """Validate an upload for a campaign and keep it aside; RegisterError lists every problem."""
    if not data:
        raise RegisterError(filename, [Problem(None, None, "het bestand is leeg")])
    if len(data) > MAX_REGISTER_BYTES:
        raise RegisterError(filename, [Problem(None, None, "het bestand is groter dan 5 MB")])
    columns = app.ctx.for_campaign(campaign(app, name)).rules.amount_columns
    register = parse_register(data, filename, columns)
    staged = hashlib.sha256(data).hexdigest()
    atomic_write(staging(app) / staged, data)
    (staging(app) / f"{staged}.name").write_text(filename[:200], encoding="utf-8")
    return staged, register


def load_staged(app: App, staged: str, name: str | None = None) -> tuple[bytes, Register, str]:
    if not _STAGED.match(staged) or not (staging(app) / staged).is_file():
        raise RegisterError(
            "upload", [Problem(None, None, "upload niet gevonden; kies het bestand opnieuw")]
        )
    data = (staging(app) / staged).read_bytes()
    name_file = staging(app) / f"{staged}.name"
    filename = name_file.read_text(encoding="utf-8") if name_file.exists() else "register"
    columns = app.ctx.for_campaign(campaign(app, name)).rules.amount_columns
    return data, parse_register(data, filename, columns), filename


def _after(row: CaseRow, changes: dict[int, str], state: dict) -> str:
    """The case's status label once the changed verdicts are in."""
    model = changes.get(state.get("model_document_id"), row.model_status)
    plan = changes.get(state.get("plan_document_id"), row.plan_status)
    status = case_status(
        computed_status(model, plan), row.decision, state.get("decided_at"), row.last_document_at
    )
    return LABELS[status]


def preview(
    app: App, staged: str, register: Register, filename: str, name: str | None = None
) -> Preview:
    """What confirming would change in one campaign: its cases and documents."""
    name = campaign(app, name)
    ctx = app.ctx.with_register(name, register)
    documents = [
        c
        for c in rejudge(app, ctx=ctx, dry_run=True)
        if ctx.for_campaign(c.after.campaign).campaign == name
    ]
    changes = {c.document_id: c.after.status.value for c in documents}
    states = {s["agb"]: s for s in book(app).cases.states(name)}
    decided = book(app).decisions.latest(name)
    current = register_of(app, name)
    old = set(current.entries) if current else set()
    new = set(register.entries)
    cases = []
    for row in overview(app, name):
        state = {**states.get(row.agb, {})}
        if row.agb in decided:
            state["decided_at"] = decided[row.agb]["decided_at"]
        after = _after(row, changes, state)
        if after != row.label:
            cases.append(CaseChange(row.agb, row.naam, row.label, after))
    return Preview(
        staged,
        filename,
        name,
        len(register),
        sorted(new - old),
        sorted(old - new),
        cases,
        documents,
    )


def apply(
    app: App, staged: str, actor: str, address: str | None, name: str | None = None
) -> list[Rejudged]:
    """Replace one campaign's register file by the staged one and re-judge everything."""
    name = campaign(app, name)
    target = register_path(app, name)
    if target is None:
        raise RegisterError(
            "register",
            [Problem(None, None, "voor deze campagne is geen registerbestand ingesteld")],
        )
    data, register, filename = load_staged(app, staged, name)
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        shutil.copy2(target, target.with_name(f"{target.name}.{stamp}.bak"))
    atomic_write(target, data)
    app.ctx = app.ctx.with_register(name, register)
    changed = rejudge(app, actor=actor)
    book(app).audit.record(
        actor,
        "register",
        address=address,
        campaign=name,
        detail=f"{filename}: {len(register)} aanbieders, {len(changed)} beoordeling(en) gewijzigd",
    )
    return changed
