"""The mailbox: read new messages, judge their documents, answer once, then file them.

Per message the ledger moves through received -> judged -> sending -> replied ->
moved. Each step is committed before the next outside action, so after a crash:
a judged message is answered on the next run, a replied one is only filed, and
one caught while sending is filed without a second answer and flagged for staff
(`reply_uncertain`): at most one reply, and no mail is ever lost. A message is
known by its Message-ID, so the same message delivered twice is answered once.
"""

from __future__ import annotations

import hashlib
import imaplib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from intake import letters
from intake.bootstrap import App
from intake.channels import replies
from intake.channels.attachments import documents, parse
from intake.channels.smtp import SmtpSender
from intake.config import ImapSection
from intake.domain import Submission
from intake.faults import failpoint
from intake.service import take_in
from intake.storage.claims import channel_run

log = logging.getLogger(__name__)
DONE = {"replied", "moved", "no_reply", "reply_uncertain"}


@dataclass
class MailStats:
    seen: int = 0
    answered: int = 0
    failed: int = 0
    skipped: int = 0
    busy: bool = False  # another worker was running the mailbox; this run left it alone
    errors: list[str] = field(default_factory=list)


def connect(config: ImapSection) -> Any:
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    if config.security == "ssl":
        box = MailBox(config.host, config.port, timeout=config.timeout)
    elif config.security == "starttls":
        box = MailBoxStartTls(config.host, config.port, timeout=config.timeout)
    else:
        box = MailBoxUnencrypted(config.host, config.port, timeout=config.timeout)
    return box.login(config.user, config.password, initial_folder=None)


def ensure_folders(mailbox: Any, config: ImapSection) -> None:
    for folder in (config.processed_folder, config.failed_folder):
        if not mailbox.folder.exists(folder):
            mailbox.folder.create(folder)


def _still_there(mailbox: Any, uid: str) -> bool:
    typ, data = mailbox.client.uid("SEARCH", f"UID {uid}")
    return typ == "OK" and uid.encode() in b" ".join(d for d in data if d).split()


def _fetch(mailbox: Any, uid: str) -> tuple[bytes, datetime | None] | None:
    """The raw message and its INTERNALDATE; None when another worker already filed it."""
    typ, data = mailbox.client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
    for item in data if typ == "OK" else []:
        if isinstance(item, tuple):
            header, raw = item
            parsed = imaplib.Internaldate2tuple(header)
            received = datetime.fromtimestamp(time.mktime(parsed), tz=UTC) if parsed else None
            return raw, received
    if not _still_there(mailbox, uid):
        return None
    raise imaplib.IMAP4.error(f"FETCH {uid} failed: {data!r}")


def _message_key(message: EmailMessage, raw: bytes) -> str:
    message_id = str(message.get("Message-ID", "")).strip()
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


@contextmanager
def _announce_busy(run: Any, claims: Any, channel: str) -> Iterator[bool]:
    with run as held:
        if not held:
            log.info(
                "%s channel is being run by another worker (%s); this run leaves it alone",
                channel,
                claims.holder(f"channel:{channel}#0"),
            )
        yield held


class MailChannel:
    def __init__(self, app: App, smtp: SmtpSender | None = None) -> None:
        self.app = app
        self.config = app.config.imap
        self.smtp = smtp or SmtpSender(app.config.smtp)
        self.own = app.config.smtp.sender

    # --- one pass ----------------------------------------------------------------

    def run_once(
        self, *, retry_failed: bool = False, progress: Callable[[str], None] | None = None
    ) -> MailStats:
        stats = MailStats()
        with self._channel_run() as held:
            if not held:
                stats.busy = True
                return stats
            mailbox = connect(self.config)
            try:
                ensure_folders(mailbox, self.config)
                folders = [self.config.folder]
                folders += [self.config.failed_folder] if retry_failed else []
                for folder in folders:
                    self.process_folder(mailbox, folder, stats, progress)
            finally:
                try:
                    mailbox.logout()
                except Exception:  # the connection may already be gone
                    log.debug("logout failed", exc_info=True)
        return stats

    def _channel_run(self) -> Any:
        """The mailbox's run lock: runs never overlap unless [ledger] channel_workers > 1."""
        claims = self.app.ledger.claims
        run = channel_run(claims, "mail", self.app.config.ledger.channel_workers)
        return _announce_busy(run, claims, "mail")

    def process_folder(
        self,
        mailbox: Any,
        folder: str,
        stats: MailStats,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        mailbox.folder.set(folder)
        uidvalidity = int(mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        for uid in mailbox.uids("ALL", charset=None):  # no CHARSET: Exchange refuses it
            stats.seen += 1
            try:
                with self.app.ledger.claims.held(f"mail-at:{folder}:{uidvalidity}:{uid}") as mine:
                    if mine:
                        self.handle(mailbox, folder, uidvalidity, uid, stats)
                    else:
                        stats.skipped += 1  # another worker has this one
            except Exception as exc:  # one bad message never stops the run
                stats.failed += 1
                stats.errors.append(f"{folder}/{uid}: {exc}")
                log.exception("message %s/%s failed", folder, uid)
            if progress:
                progress(uid)

    # --- one message -------------------------------------------------------------

    def handle(
        self, mailbox: Any, folder: str, uidvalidity: int, uid: str, stats: MailStats
    ) -> None:
        fetched = _fetch(mailbox, uid)
        if fetched is None:
            stats.skipped += 1  # filed by another worker since we listed the folder
            return
        raw, internaldate = fetched
        message = parse(raw)
        key = _message_key(message, raw)
        with self.app.ledger.claims.held(f"mail:{key}") as mine:
            if not mine:
                stats.skipped += 1  # another copy of this message is being handled right now
                return
            self._handle_claimed(
                mailbox, folder, uidvalidity, uid, stats, message, key, internaldate
            )

    def _handle_claimed(
        self,
        mailbox: Any,
        folder: str,
        uidvalidity: int,
        uid: str,
        stats: MailStats,
        message: EmailMessage,
        key: str,
        internaldate: datetime | None,
    ) -> None:
        ledger = self.app.ledger
        sender = replies.address_of(str(message.get("From", "")))
        row = ledger.mail(key)
        here = {"folder": folder, "uidvalidity": uidvalidity, "uid": int(uid)}
        if row is None:
            mail_id = ledger.add_mail(
                message_key=key,
                message_id=str(message.get("Message-ID", "")).strip() or None,
                sender=sender,
                subject=str(message.get("Subject", ""))[:2000],
                received=internaldate,
                **here,
            )
            row = ledger.mail(key)
        else:
            mail_id = row["id"]
            same_place = all(row[k] == v for k, v in here.items())
            if row["state"] in DONE and not same_place:
                ledger.count_duplicate(mail_id)
                log.info(
                    "%s: delivered again (already %s); filed without a new answer",
                    key,
                    row["state"],
                )
                self._file(mailbox, uid, self.config.processed_folder)
                stats.skipped += 1
                return
            ledger.update_mail(mail_id, **here)
        assert row is not None
        state = row["state"]
        if state == "sending":
            ledger.update_mail(
                mail_id,
                state="reply_uncertain",
                error="stopped while sending the answer; it may or may not have gone out",
            )
            log.warning("%s: stopped while answering earlier; not answered again", key)
            state = "reply_uncertain"
        if state in DONE:
            self._file(mailbox, uid, self.config.processed_folder)
            if state == "replied":
                ledger.update_mail(mail_id, state="moved")
            stats.skipped += 1
            return
        ledger.update_mail(mail_id, attempts=int(row["attempts"] or 0) + 1)
        try:
            self._judge(message, mail_id, state, internaldate, sender)
        except Exception as exc:
            ledger.update_mail(mail_id, state="failed", error=f"{type(exc).__name__}: {exc}")
            self._file(mailbox, uid, self.config.failed_folder, quiet=True)
            raise
        failpoint("after_store")
        self._answer(mailbox, uid, message, key, mail_id, stats)

    def _judge(
        self,
        message: EmailMessage,
        mail_id: int,
        state: str,
        received: datetime | None,
        sender: str | None,
    ) -> None:
        if state == "judged":
            return  # stored before a crash: answer from the ledger
        when = received or datetime.now(UTC)
        found = documents(message)
        if found:
            take_in(
                self.app,
                [Submission(a.filename, a.content, when, "mail", sender) for a in found],
                channel="mail",
                sender=sender,
                mail_id=mail_id,
                mail_state="judged",
            )
        else:
            self.app.ledger.update_mail(mail_id, state="judged", error=None)

    def _answer(
        self,
        mailbox: Any,
        uid: str,
        message: EmailMessage,
        key: str,
        mail_id: int,
        stats: MailStats,
    ) -> None:
        ledger = self.app.ledger
        why_not = replies.should_not_answer(message, self.own)
        if why_not or not self.smtp.enabled:
            reason = why_not or "no SMTP server configured"
            ledger.update_mail(mail_id, state="no_reply", error=reason)
            log.info(
                "%s: not answered (%s)", key, reason, extra={"mail": key, "outcome": "no_reply"}
            )
            self._file(mailbox, uid, self.config.processed_folder)
            stats.skipped += 1
            return
        stored = ledger.documents_of_mail(mail_id)
        message_id = replies.reply_message_id(key, self.own)
        if stored:
            verdicts = [d.verdict for d in stored]
            answer = replies.feedback(
                message,
                verdicts,
                self.app.ctx,
                self.app.register,
                own_address=self.own,
                message_id=message_id,
                others=letters.others_for(self.app, verdicts),
                corrected=letters.corrected_models(
                    self.app.ctx, verdicts, letters.archived(self.app, verdicts)
                ),
            )
            kind = "feedback"
        else:
            answer = replies.no_attachments(
                message, self.app.ctx, own_address=self.own, message_id=message_id
            )
            kind = "no_attachments"
        ledger.update_mail(mail_id, state="sending", reply_message_id=message_id)
        try:
            self.smtp.send(answer)
            failpoint("after_send")
        except Exception as exc:
            # Not accepted by the server, so not sent: try again on the next run.
            ledger.update_mail(mail_id, state="judged", error=f"answer not sent: {exc}")
            self._file(mailbox, uid, self.config.failed_folder, quiet=True)
            raise
        with ledger.transaction() as conn:
            ledger.update_mail(mail_id, conn, state="replied", error=None)
            agbs = {d.verdict.provider.agb for d in stored if d.verdict.provider}
            ledger.record_reply(
                conn,
                mail_id=mail_id,
                kind=kind,
                recipient=str(answer["To"]),
                subject=str(answer["Subject"]),
                message_id=message_id,
                provider_agb=next(iter(agbs)) if len(agbs) == 1 else None,
            )
        if stored:
            letters.note_told(self.app, [d.verdict for d in stored], message_id)
        failpoint("after_reply")
        self._file(mailbox, uid, self.config.processed_folder)
        ledger.update_mail(mail_id, state="moved")
        stats.answered += 1
        log.info(
            "%s: answered %s (%s), filed in %s",
            key,
            answer["To"],
            kind,
            self.config.processed_folder,
            extra={"mail": key, "outcome": kind},
        )

    def _file(self, mailbox: Any, uid: str, folder: str, quiet: bool = False) -> None:
        """Move a message we hold the claim of; one that is already gone is not an error."""
        try:
            mailbox.move(uid, folder)
        except Exception:
            if not _still_there(mailbox, uid):
                log.info("message %s was already filed; nothing to move", uid)
                return
            if not quiet:
                raise
            log.exception("could not move message %s to %s", uid, folder)

    # --- watching ----------------------------------------------------------------

    def watch(self, stop: threading.Event | None = None) -> None:
        """IMAP IDLE with reconnect and exponential back-off; survives dropped connections."""
        stop = stop or threading.Event()
        backoff = 1.0
        while not stop.is_set():
            try:
                mailbox = connect(self.config)
                ensure_folders(mailbox, self.config)
                backoff = 1.0
                log.info(
                    "connected to %s:%s, watching %s",
                    self.config.host,
                    self.config.port,
                    self.config.folder,
                )
                while not stop.is_set():
                    with self._channel_run() as held:
                        if held:
                            self.process_folder(mailbox, self.config.folder, MailStats())
                    mailbox.folder.set(self.config.folder)
                    mailbox.idle.wait(timeout=self.config.idle_seconds)
            except (TimeoutError, imaplib.IMAP4.error, OSError, EOFError) as exc:
                log.warning("mailbox connection lost (%s); reconnecting in %.0fs", exc, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 300.0)
