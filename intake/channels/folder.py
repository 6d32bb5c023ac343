"""The drop folder: staff (or a scanner, or a sync client) put files in the inbox.

A file is taken only when its size and modification time have stood still for
`stable_seconds`; office lock files and temporary files are never taken. The
original is archived by content hash and recorded in the ledger before it leaves
the inbox; its verdict, HTML and PDF land in the outbox, and an unreadable file is
copied to quarantine with its verdict beside it. A plain zip is unpacked as the mail
channel unpacks an attachment, under the same per-message budget.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from intake.bootstrap import refresh_registers
from intake.channels.attachments import Limits
from intake.channels.faults import failpoint
from intake.channels.unpack import DocumentBudget, is_plain_zip, unpack
from intake.checks import tables
from intake.domain import DocumentKind, Submission, Verdict, decide_status
from intake.report.html import render_html
from intake.report.model import build
from intake.service import letters, take_in
from intake.service.app import App
from intake.service.reports import verdict_json, write_report_files
from intake.storage.claims import channel_run
from intake.storage.files import atomic_write

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


NAME_MAX = 255  # bytes in one file name on every usual file system
# ".verdict.json", and the ".<name>….tmp" around it while a report is written atomically
LONGEST_SUFFIX = len(".verdict.json") + 16


def fit_name(name: str, sha256: str) -> str:
    """A name that leaves room for our suffixes; a too-long one is cut and made unique."""
    if len((name).encode()) + LONGEST_SUFFIX <= NAME_MAX:
        return name
    path = Path(name)
    suffix = path.suffix if len(path.suffix.encode()) <= 16 else ""
    tail = f"-{sha256[:8]}{suffix}"
    room = NAME_MAX - LONGEST_SUFFIX - len(tail.encode())
    stem = path.stem.encode()[:room].decode("utf-8", "ignore")
    return stem + tail


def _outbox_name(outbox: Path, verdict: Verdict) -> str:
    """`<file name>`, or `<stem>-<sha8><suffix>` when another file of that name is there."""
    name = fit_name(Path(verdict.file).name, verdict.sha256)
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
    case_ctx = app.ctx.for_campaign(verdict.campaign)  # the rules that judged it
    rules, family = case_ctx.rules, case_ctx.family
    corrected = letters.corrected_models(
        case_ctx, [verdict], {verdict.sha256: content} if content else {}
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


def _quarantine(app: App, path: Path, verdict: Verdict, content: bytes | None = None) -> Path:
    """The file (or, with `content`, one document unpacked from it) beside its verdict."""
    folder = app.folder("quarantine")
    name = Path(Path(verdict.file).name if content is not None else path.name)
    data = content if content is not None else path.read_bytes()
    target = folder / fit_name(name.name, verdict.sha256)
    if target.exists() and target.read_bytes() != data:
        target = folder / fit_name(f"{name.stem}-{verdict.sha256[:8]}{name.suffix}", verdict.sha256)
    if content is None:
        shutil.copy2(path, target)
    else:
        atomic_write(target, content)
    atomic_write(target.with_name(target.name + ".verdict.json"), verdict_json(verdict))
    return target


class FolderPass(list[Verdict]):
    """The verdicts of one pass, and what could not be done (for the exit code)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[str] = []
        self.busy = False


def _read_stable(path: Path) -> tuple[bytes, os.stat_result] | None:
    stat = path.stat()
    data = path.read_bytes()
    after = path.stat()
    if (after.st_size, after.st_mtime_ns) != (stat.st_size, stat.st_mtime_ns) or len(
        data
    ) != stat.st_size:
        log.info("%s: still being written, left for the next pass", path.name)
        return None
    return data, stat


def take_file(app: App, path: Path) -> list[Verdict] | None:
    """Judge one stable file under its claim; the inbox copy goes only after all is stored."""
    read = _read_stable(path)
    if read is None:
        return None
    data, stat = read
    sha256 = hashlib.sha256(data).hexdigest()
    tables.warm_up_campaigns(app.ctx)  # before the claim, and only when a file is waiting
    with app.ledger.claims.held(f"file:{sha256}:{path.name}") as mine:
        if not mine:
            log.info("%s: being taken in by another worker", path.name)
            return None
        try:
            return _resume(app, path, data, stat, sha256)
        except Exception as exc:
            item = app.ledger.folder_items.failed(
                sha256, path.name, f"{type(exc).__name__}: {exc}", app.config.folder.max_attempts
            )
            if item.state == "given_up":
                log.error(
                    "%s: given up after %d attempts (%s); left in the inbox for staff",
                    path.name,
                    item.attempts,
                    item.error,
                    extra={"file": path.name, "outcome": "given_up"},
                )
            raise


def _resume(
    app: App, path: Path, data: bytes, stat: os.stat_result, sha256: str
) -> list[Verdict] | None:
    """Carry the file on from the step where an earlier attempt stopped."""
    items = app.ledger.folder_items
    item = items.current(sha256, path.name)
    if item is not None and item.state == "given_up":
        log.debug("%s: given up earlier, not tried again", path.name)
        return None
    received = datetime.fromtimestamp(stat.st_mtime, tz=app.ctx.rules.timezone)
    documents, premade = unpacked(app, path.name, data, received)
    contents = {s.filename: s.content for s in documents}
    if item is None or item.document_id is None:
        if [s.filename for s in documents] != [path.name] and not premade:
            app.archive.put(sha256, path.name, data)  # the zip as dropped, beside its documents
        verdicts = _store(app, path, sha256, item, documents, premade)
    else:
        verdicts = _stored_before(app, item.document_id, documents)
        log.info("%s: stored before, carrying on from %s", path.name, item.state)
    failpoint("file_after_store")
    if item is None or item.state in ("failed", "stored"):
        for verdict in verdicts:
            content = contents.get(verdict.file, data)
            publish(app, verdict, channel="folder", content=content)
            if UNREADABLE & set(verdict.codes):
                inner = None if content is data else content
                target = _quarantine(app, path, verdict, inner)
                log.warning(
                    "%s: unreadable (%s), copied to %s",
                    verdict.file,
                    ",".join(verdict.codes),
                    target,
                )
        items.advance(sha256, path.name, "published")
    failpoint("file_after_publish")
    path.unlink()
    items.advance(sha256, path.name, "done")
    for verdict in verdicts:
        log.info(
            "%s: %s, archived as %s",
            verdict.file,
            verdict.status.value,
            verdict.sha256[:12],
            extra={"file": verdict.file, "outcome": verdict.status.value},
        )
    return verdicts


def unpacked(
    app: App, name: str, data: bytes, received: datetime
) -> tuple[list[Submission], list[tuple[Verdict, bytes]]]:
    """The dropped file, or the documents of a plain zip as the mail channel unpacks them:
    the same bounded zip reader and the same per-message budget (`[mailbox]`). A zip past
    that budget is one FILE_TOO_LARGE verdict, not hundreds of documents."""
    whole = [Submission(name, data, received, "folder")]
    if not is_plain_zip(name, data):
        return whole, []
    limits = Limits.from_rules(app.ctx.rules)
    budget = limits.budget()
    found = unpack(name, data, budget, limits.zips)
    if budget.over_limit:
        return [], [(_over_budget(app, name, data, received, budget, limits), data)]
    if not found:  # an empty zip, or nothing but desktop clutter: judged as the zip it is
        return whole, []
    return [Submission(inner, content, received, "folder") for inner, content in found], []


def _over_budget(
    app: App,
    name: str,
    data: bytes,
    received: datetime,
    budget: DocumentBudget,
    limits: Limits,
) -> Verdict:
    rules = app.ctx.rules
    numbers = {
        "max_documents": limits.max_documents,
        "max_megabytes": limits.max_bytes // 1_000_000,
        "max_parts": limits.zips.max_parts,
    }
    reason = rules.text(f"message_too_large_{budget.limit or 'documents'}", **numbers)
    finding = rules.finding("FILE_TOO_LARGE", file=name, reason=reason)
    return Verdict(
        file=name,
        sha256=hashlib.sha256(data).hexdigest(),
        document=DocumentKind.UNKNOWN,
        status=decide_status([finding]),
        findings=[finding],
        received=received,
        signals={"channel": "folder", "zip_limit": budget.over_limit or ""},
        size=len(data),
        campaign=app.ctx.campaign,
        rules_version=app.ctx.rules_version,
    )


def _stored_before(app: App, first_id: int, documents: list[Submission]) -> list[Verdict]:
    """The verdicts an earlier attempt stored: the first by its id, a zip's others by hash."""
    first = app.ledger.document(first_id)
    assert first is not None
    verdicts = [first.verdict]
    for sub in documents[1:]:
        stored = app.ledger.latest_document(hashlib.sha256(sub.content).hexdigest())
        if stored is not None:
            verdicts.append(stored.verdict)
    return verdicts


def _store(
    app: App,
    path: Path,
    sha256: str,
    item: Any,
    documents: list[Submission],
    premade: list[tuple[Verdict, bytes]],
) -> list[Verdict]:
    def record(conn: Any, taken: list) -> None:
        app.ledger.folder_items.stored(conn, item, sha256, path.name, taken[0].document_id)

    taken = take_in(app, documents, channel="folder", record=record, premade=premade)
    return [t.verdict for t in taken]


def run_pass(
    app: App, tracker: StabilityTracker, progress: Callable[[Path], None] | None = None
) -> FolderPass:
    """One pass over the inbox, unless another worker is running the folder right now."""
    done = FolderPass()
    claims = app.ledger.claims
    with channel_run(claims, "folder", app.config.ledger.channel_workers) as held:
        if not held:
            log.info(
                "folder channel is being run by another worker (%s); this pass leaves it alone",
                claims.holder("channel:folder#0"),
            )
            done.busy = True
            return done
        refresh_registers(app)  # a register confirmed since the last pass counts now
        for path in candidates(app.folder("inbox")):
            _take_ready(app, tracker, path, done)
            if progress:
                progress(path)
    return done


def _take_ready(app: App, tracker: StabilityTracker, path: Path, done: FolderPass) -> None:
    if not tracker.ready(path):
        return
    try:
        verdicts = take_file(app, path)
    except Exception as exc:  # one bad file never stops the run; it stays in the inbox
        log.error(
            "%s: could not be taken in (%s: %s); left in the inbox for the next pass",
            path.name,
            type(exc).__name__,
            exc,
            extra={"file": path.name, "outcome": "failed"},
        )
        log.debug("%s: details", path.name, exc_info=True)
        done.failed.append(f"{path.name}: {type(exc).__name__}: {exc}")
        return
    finally:
        tracker.forget(path)
    if verdicts is not None:
        done.extend(verdicts)


def run_once(app: App, progress: Callable[[Path], None] | None = None) -> FolderPass:
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
