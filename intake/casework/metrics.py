"""What `/metrics` reports, gathered from the ledger: state is counted from its rows (the
same rows the desk and the digest show), events from its counters.

The desk and every one-shot run gather through here, so a scrape of the desk and the
metrics file a sweep leaves behind agree whenever nothing happened in between.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from intake.adapters.metrics import Snapshot, write_textfile
from intake.casework.todo import build_todo
from intake.service.app import App
from intake.storage import counters as names
from intake.storage.tallies import documents_by, mails_by_outcome


def snapshot(app: App) -> Snapshot:
    engine = app.ledger.engine
    queue = Counter(task.kind for task in build_todo(app))
    events = app.ledger.counters.read()

    def total(name: str) -> int:
        return events[name].value if name in events else 0

    sweep = events.get(names.SWEEPS_SUCCEEDED)
    return Snapshot(
        documents=documents_by(engine),
        mails=mails_by_outcome(engine),
        queue=dict(queue),
        quarantined_files=queue.get("quarantine", 0),
        extraction_timeouts=total(names.EXTRACTION_TIMEOUTS),
        smtp_failures=total(names.SMTP_FAILURES),
        claims_taken_over=total(names.CLAIMS_TAKEN_OVER),
        last_sweep_success=sweep.updated_at.timestamp() if sweep else 0.0,
    )


def write_metrics_file(app: App) -> Path | None:
    """`[general] metrics_file`, when set: the run's last act, for the textfile collector."""
    target = app.config.general.metrics_file
    if not target:
        return None
    path = Path(target)
    write_textfile(path, snapshot(app))
    return path
