"""The drop folder: staff (or a scanner, or a sync client) put files in the inbox.

A file is taken only when its size and modification time have stood still for
`stable_seconds`; office lock files and temporary files are never taken. The
original is archived by content hash and recorded in the ledger before it leaves
the inbox; its verdict, HTML and PDF land in the outbox, and an unreadable file is
copied to quarantine with its verdict beside it.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from intake import letters
from intake.bootstrap import App
from intake.domain import Submission, Verdict
from intake.report.files import atomic_write, verdict_json, write_report_files
from intake.report.html import render_html
from intake.report.model import build
from intake.service import take_in

log = logging.getLogger(__name__)

# ~$x.xlsx (Excel owner file), .~lock.x# (LibreOffice), dot files, partial downloads.
_IGNORED = re.compile(
    r"^(~\$|\.~lock\.|\.|~)|\.(tmp|temp|part|partial|crdownload|download|swp|lock)$|#$",
    re.IGNORECASE,
)
UNREADABLE = {"FILE_UNREADABLE", "FILE_ENCRYPTED", "FILE_TOO_LARGE", "FILE_FORMAT_UNSUPPORTED"}


def is_candidate(path: Path) -> bool:
    return path.is_file() and not path.is_symlink() and not _IGNORED.search(path.name)


@dataclass
class StabilityTracker:
    """Remembers each file's size and mtime; a file is ready once they stood still long enough."""

    delay: float
    clock: Callable[[], float] = time.monotonic
    seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def ready(self, path: Path) -> bool:
        try:
            stat = path.stat()
        except FileNotFoundError:
            self.seen.pop(path, None)
            return False
        signature = (stat.st_size, stat.st_mtime_ns)
        now = self.clock()
        previous = self.seen.get(path)
        if previous is None or previous[:2] != signature:
            # The quiet period started when the file was last written, not when we looked.
            age = max(0.0, time.time() - stat.st_mtime)
            previous = (*signature, now - age)
            self.seen[path] = previous
        return now - previous[2] >= self.delay

    def forget(self, path: Path) -> None:
        self.seen.pop(path, None)


def candidates(inbox: Path) -> list[Path]:
    return sorted(p for p in inbox.iterdir() if is_candidate(p))


def _outbox_name(outbox: Path, verdict: Verdict) -> str:
    """`<file name>`, or `<stem>-<sha8><suffix>` when another file of that name is there."""
    name = Path(verdict.file).name
    existing = outbox / f"{name}.verdict.json"
    if existing.exists() and verdict.sha256 not in existing.read_text(encoding="utf-8"):
        path = Path(name)
        return f"{path.stem}-{verdict.sha256[:8]}{path.suffix}"
    return name


def publish(
    app: App,
    verdict: Verdict,
    *,
    channel: str,
    sender: str | None = None,
    registered: bool = True,
    content: bytes | None = None,
) -> list[Path]:
    """Provider report, staff report and verdict JSON in the outbox."""
    outbox = app.folder("outbox")
    name = _outbox_name(outbox, verdict)
    rules, family = app.ctx.rules, app.ctx.family
    corrected = letters.corrected_models(
        app.ctx, [verdict], {verdict.sha256: content} if content else {}
    )
    provider_view = letters.letter(
        app, [verdict], sender=sender, channel=channel, registered=registered, corrected=corrected
    )
    paths = write_report_files(verdict, provider_view, outbox, name)
    for migrated in corrected.values():
        atomic_write(outbox / migrated.filename, migrated.content)
        paths.append(outbox / migrated.filename)
    others = letters.others_for(app, [verdict])
    staff_view = build(
        [verdict], rules, family, audience="staff", sender=sender, channel=channel, others=others
    )
    staff_path = outbox / f"{name}.staff.html"
    atomic_write(staff_path, render_html(staff_view))
    return [*paths, staff_path]


def _quarantine(app: App, path: Path, verdict: Verdict) -> Path:
    folder = app.folder("quarantine")
    target = folder / path.name
    if target.exists():
        target = folder / f"{path.stem}-{verdict.sha256[:8]}{path.suffix}"
    shutil.copy2(path, target)
    atomic_write(target.with_name(target.name + ".verdict.json"), verdict_json(verdict))
    return target


def take_file(app: App, path: Path) -> Verdict | None:
    """Judge one stable file; the inbox copy is removed only after everything is stored."""
    stat = path.stat()
    data = path.read_bytes()
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns) or len(
        data
    ) != stat.st_size:
        log.info("%s: still being written, left for the next pass", path.name)
        return None
    received = datetime.fromtimestamp(stat.st_mtime, tz=app.ctx.rules.timezone)
    [taken] = take_in(app, [Submission(path.name, data, received, "folder")], channel="folder")
    verdict = taken.verdict
    publish(app, verdict, channel="folder", content=data)
    if UNREADABLE & set(verdict.codes):
        target = _quarantine(app, path, verdict)
        log.warning("%s: unreadable (%s), copied to %s", path.name, ",".join(verdict.codes), target)
    path.unlink()
    log.info("%s: %s, archived as %s", path.name, verdict.status.value, verdict.sha256[:12])
    return verdict


def run_pass(
    app: App, tracker: StabilityTracker, progress: Callable[[Path], None] | None = None
) -> list[Verdict]:
    inbox = app.folder("inbox")
    verdicts = []
    for path in candidates(inbox):
        if not tracker.ready(path):
            continue
        try:
            verdict = take_file(app, path)
        except Exception:  # one bad file never stops the run; it stays in the inbox
            log.exception(
                "%s: could not be taken in; left in the inbox for the next pass", path.name
            )
            continue
        finally:
            tracker.forget(path)
        if verdict is not None:
            verdicts.append(verdict)
        if progress:
            progress(path)
    return verdicts


def run_once(app: App, progress: Callable[[Path], None] | None = None) -> list[Verdict]:
    """One pass for cron and the sweep: files younger than the delay wait for the next run."""
    tracker = StabilityTracker(app.config.folder.stable_seconds)
    return run_pass(app, tracker, progress)


def watch(app: App, stop: threading.Event | None = None) -> None:
    """Watch the inbox with watchdog, with a periodic rescan for missed events."""
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    stop = stop or threading.Event()
    wake = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: object) -> None:
            wake.set()

    inbox = app.folder("inbox")
    observer = Observer()
    observer.schedule(Handler(), str(inbox), recursive=False)
    observer.start()
    tracker = StabilityTracker(app.config.folder.stable_seconds)
    log.info(
        "watching %s (stable after %.1fs, rescan every %.0fs)",
        inbox,
        app.config.folder.stable_seconds,
        app.config.folder.rescan_seconds,
    )
    last_scan = 0.0
    try:
        while not stop.is_set():
            wake.wait(timeout=min(1.0, app.config.folder.stable_seconds))
            wake.clear()
            pending = [p for p in candidates(inbox)]
            if pending or time.monotonic() - last_scan >= app.config.folder.rescan_seconds:
                run_pass(app, tracker)
                last_scan = time.monotonic()
    finally:
        observer.stop()
        observer.join(timeout=5)


def files_waiting(app: App) -> Iterable[Path]:
    return candidates(app.folder("inbox"))
