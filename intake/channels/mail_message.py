"""One message of the mailbox: record it, judge its documents, answer once, file it.

A message is known by its Message-ID and a hash of what it means (sender, subject,
text and its documents' sha256, never the MIME boundaries), so the same message
delivered twice is answered once, while a different message reusing a Message-ID is
a mail of its own.

Everything that reads or renders a message runs inside `process_message`'s
boundary: a message that fails is recorded, filed in the failed folder and tried
again by the sweep, at most `[mailbox] max_attempts` times; then it stays there
for staff, shown in the digest. A failure is one log line naming the mail.
"""

from __future__ import annotations

import hashlib
import imaplib
import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from intake.adapters.imap import fetch
from intake.adapters.smtp import SmtpSender
from intake.channels import answerable, headers
from intake.channels.answering import Answering
from intake.channels.attachments import Contents, Limits, read
from intake.channels.faults import failpoint
from intake.channels.identity import MailIdentity, identify
from intake.channels.mailwork import DONE, MailStats, Work
from intake.domain import DocumentKind, Finding, Submission, Verdict, decide_status
from intake.service import take_in
from intake.service.app import App

# The mailbox channel logs under one name, whichever of its modules writes the line.
log = logging.getLogger("intake.channels.mail")


def _still_there(mailbox: Any, uid: str) -> bool:
    typ, data = mailbox.client.uid("SEARCH", f"UID {uid}")
    return typ == "OK" and uid.encode() in b" ".join(d for d in data if d).split()


def _fetch_if_there(mailbox: Any, uid: str) -> tuple[bytes, datetime | None] | None:
    """The message, or None when another worker filed it since this run listed the folder."""
    try:
        return fetch(mailbox, uid)
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error:
        if _still_there(mailbox, uid):
            raise
        return None


def too_large(rules: Any, contents: Contents, limits: Limits) -> Finding:
    """MESSAGE_TOO_LARGE with the Dutch reason of the limit passed, from `[texts]`.

    `contents.over_limit` is English and names files: it goes to the log and to staff
    signals, never to the provider.
    """
    numbers = {
        "max_documents": limits.max_documents,
        "max_megabytes": limits.max_bytes // 1_000_000,
        "max_parts": limits.zips.max_parts,
    }
    reason = rules.text(f"message_too_large_{contents.limit or 'structure'}", **numbers)
    return rules.finding("MESSAGE_TOO_LARGE", reason=reason, **numbers)


class MessageHandler(Answering):
    def __init__(self, app: App, smtp: SmtpSender) -> None:
        self.app = app
        self.config = app.config.imap
        self.smtp = smtp
        self.own = app.config.smtp.sender
        box = app.ctx.rules.mailbox
        self.limits = Limits.from_rules(app.ctx.rules)
        self.max_attempts = int(box.get("max_attempts", 3))
        self.no_reply = tuple(box.get("no_reply_senders", answerable.DEFAULT_NO_REPLY))

    def process_message(
        self, mailbox: Any, folder: str, uidvalidity: int, uid: str, stats: MailStats
    ) -> None:
        """Record, judge, answer and file one message; a failure files it in `Fout`.

        The message is in the ledger before its bytes are parsed, so a mail that
        breaks the parser is still recorded, counted and shown to staff.
        """
        fetched = _fetch_if_there(mailbox, uid)
        if fetched is None:
            stats.skipped += 1  # filed by another worker since we listed the folder
            return
        raw, internaldate = fetched
        ident = identify(raw, self.limits)
        with self.app.ledger.claims.held(f"mail:{ident.key}") as mine:
            if not mine:
                stats.skipped += 1  # another copy of this message is being handled right now
                return
            self._process_claimed(
                mailbox, folder, uidvalidity, uid, stats, raw, internaldate, ident
            )

    def _process_claimed(
        self,
        mailbox: Any,
        folder: str,
        uidvalidity: int,
        uid: str,
        stats: MailStats,
        raw: bytes,
        internaldate: datetime | None,
        ident: MailIdentity,
    ) -> None:
        work = self._record(raw, ident, internaldate, folder, uidvalidity, uid)
        if work is None:
            self._file(mailbox, uid, self.config.processed_folder)
            stats.skipped += 1
            return
        if self._settled(mailbox, work, stats):
            return
        if work.attempts >= self.max_attempts:
            self._give_up(mailbox, work, stats)
            return
        work.attempts += 1
        self.app.ledger.update_mail(work.mail_id, attempts=work.attempts)
        try:
            message = self._take_in(work)
            failpoint("after_store")
            self._answer(mailbox, work, message, stats)
        except Exception as exc:
            self._fail(mailbox, work, exc, stats)

    def _record(
        self,
        raw: bytes,
        ident: MailIdentity,
        received: datetime | None,
        folder: str,
        uidvalidity: int,
        uid: str,
    ) -> Work | None:
        """The ledger row of this message (new or earlier); None for a redelivered one."""
        ledger = self.app.ledger
        key, row = self._row_for(ident)
        here = {"folder": folder, "uidvalidity": uidvalidity, "uid": int(uid)}
        if row is None:
            ledger.add_mail(
                message_key=key,
                message_id=ident.message_id,
                content_sha256=ident.content_sha256,
                received=received,
                **here,
            )
            row = ledger.mail(key)
        elif row["state"] in DONE and not all(row[k] == v for k, v in here.items()):
            ledger.count_duplicate(row["id"])
            log.info(
                "%s: delivered again (already %s); filed without a new answer", key, row["state"]
            )
            return None
        else:
            ledger.update_mail(row["id"], **here)
        assert row is not None
        return Work(
            uid,
            folder,
            raw,
            received,
            key,
            row["id"],
            row["state"],
            int(row["attempts"] or 0),
            row["error"],
        )

    def _row_for(self, ident: MailIdentity) -> tuple[str, dict[str, Any] | None]:
        row = self.app.ledger.mail(ident.key)
        earlier = row["content_sha256"] if row else None
        if ident.message_id and earlier not in (None, ident.content_sha256):
            return ident.distinct_key, self.app.ledger.mail(ident.distinct_key)
        return ident.key, row

    def _settled(self, mailbox: Any, work: Work, stats: MailStats) -> bool:
        """Answered before (or maybe answered, when a run died while sending): only file it."""
        ledger = self.app.ledger
        if work.state == "sending":
            ledger.update_mail(
                work.mail_id,
                state="reply_uncertain",
                error="stopped while sending the answer; it may or may not have gone out",
            )
            log.warning("%s: stopped while answering earlier; not answered again", work.key)
            work.state = "reply_uncertain"
        if work.state not in DONE:
            return False
        if work.state == "replied":  # recorded before the move, as in answering.py
            ledger.update_mail(work.mail_id, state="moved")
        self._file(mailbox, work.uid, self.config.processed_folder)
        stats.skipped += 1
        return True

    def _take_in(self, work: Work) -> EmailMessage:
        """Parse the message and store its verdicts (unless stored before a crash)."""
        message, contents = read(work.raw, self.limits)
        sender = answerable.checked_sender(message)
        self.app.ledger.update_mail(
            work.mail_id,
            sender=sender or answerable.UNKNOWN_SENDER,
            subject=headers.subject_of(message),
        )
        work.machine = answerable.automatic(message)
        if sender and (
            sender == self.own.lower() or answerable.no_reply_sender(sender, self.no_reply)
        ):
            work.machine = work.machine or f"sender {sender} does not take replies"
        if work.state == "judged":
            return message  # stored before a crash: answer from the ledger
        if work.machine:
            work.unjudged = len(contents.documents)  # a bounce or list mail submits nothing
            self.app.ledger.update_mail(work.mail_id, state="judged", error=None)
        else:
            self._judge(work, message, contents, sender)
        work.state = "judged"
        return message

    def _judge(
        self, work: Work, message: EmailMessage, contents: Contents, sender: str | None
    ) -> None:
        when = work.received or datetime.now(UTC)
        who = sender or answerable.UNKNOWN_SENDER  # never None: None would mean staff
        premade = []
        if contents.over_limit:
            premade = [(self._over_limit(work, message, contents, when), work.raw)]
        elif contents.encrypted:
            premade = [(self._encrypted(work, message, contents, when), work.raw)]
        found = [] if contents.over_limit else contents.documents
        if not found and not premade:
            self.app.ledger.update_mail(work.mail_id, state="judged", error=None)
            return
        take_in(
            self.app,
            [Submission(a.filename, a.content, when, "mail", who) for a in found],
            channel="mail",
            sender=who,
            mail_id=work.mail_id,
            mail_state="judged",
            signals=contents.signals,
            premade=premade,
        )

    def _over_limit(
        self, work: Work, message: EmailMessage, contents: Contents, when: datetime
    ) -> Verdict:
        """One verdict for a mail past its limits: a finding, not thousands of documents."""
        finding = too_large(self.app.ctx.rules, contents, self.limits)
        signals = {"mail_limit": contents.over_limit or "", **contents.signals}
        return self._mail_verdict(work, message, finding, when, signals)

    def _encrypted(
        self, work: Work, message: EmailMessage, contents: Contents, when: datetime
    ) -> Verdict:
        """One verdict for an encrypted (S/MIME enveloped) mail: what to do, in Dutch."""
        finding = self.app.ctx.rules.finding("MAIL_ENCRYPTED")
        return self._mail_verdict(work, message, finding, when, contents.signals)

    def _mail_verdict(
        self,
        work: Work,
        message: EmailMessage,
        finding: Finding,
        when: datetime,
        signals: dict[str, str],
    ) -> Verdict:
        subject = headers.subject_of(message) or "(geen onderwerp)"
        return Verdict(
            file=f"e-mail: {subject}",
            sha256=hashlib.sha256(work.raw).hexdigest(),
            document=DocumentKind.UNKNOWN,
            status=decide_status([finding]),
            findings=[finding],
            received=when,
            signals=signals,
            size=len(work.raw),
            campaign=self.app.ctx.campaign,
            rules_version=self.app.ctx.rules_version,
        )

    def _fail(self, mailbox: Any, work: Work, exc: Exception, stats: MailStats) -> None:
        """Record the failure, file the message in `Fout`: one log line, never a traceback."""
        error = f"{type(exc).__name__}: {exc}"[:2000]
        stats.failed += 1
        stats.errors.append(f"{work.key}: {error}")
        if work.state in DONE:  # handled, only filing failed: the next run files it
            log.error("mail %s handled but not filed: %s", work.key, error)
            return
        judged = work.state == "judged"  # documents stored: keep them, only the answer is due
        values: dict[str, Any] = {"error": error if not judged else f"answer not sent: {error}"}
        if not judged:
            values["state"] = "failed"
        self.app.ledger.update_mail(work.mail_id, **values)
        if work.folder != self.config.failed_folder:
            self._file(mailbox, work.uid, self.config.failed_folder, quiet=True)
        log.error(
            "mail %s (attempt %d of %d) failed, filed in %s: %s",
            work.key,
            work.attempts,
            self.max_attempts,
            self.config.failed_folder,
            error,
        )
        log.debug("mail %s", work.key, exc_info=True)

    def _give_up(self, mailbox: Any, work: Work, stats: MailStats) -> None:
        """Tried `max_attempts` times: leave it in `Fout` for staff, say so once."""
        note = f"given up after {work.attempts} attempts"
        if not (work.error or "").startswith(note):
            values: dict[str, Any] = {"error": f"{note}; last error: {work.error or '-'}"[:2000]}
            if work.state != "judged":
                values["state"] = "failed"
            self.app.ledger.update_mail(work.mail_id, **values)
            log.warning(
                "mail %s: %s, left in %s for staff", work.key, note, self.config.failed_folder
            )
        if work.folder != self.config.failed_folder:
            self._file(mailbox, work.uid, self.config.failed_folder, quiet=True)
        stats.given_up += 1

    def _file(self, mailbox: Any, uid: str, folder: str, quiet: bool = False) -> None:
        """Move a message we hold the claim of; one that is already gone is not an error."""
        try:
            mailbox.move(uid, folder)
        except Exception as exc:
            if not _still_there(mailbox, uid):
                log.info("message %s was already filed; nothing to move", uid)
                return
            if not quiet:
                raise
            log.error("could not move message %s to %s: %s", uid, folder, exc)
