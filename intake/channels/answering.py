"""Answering one judged mail: the feedback report or a note, to the checked From only.

Part of the mailbox channel (`MessageHandler` inherits it); kept apart so that each
module reads at once. Every outcome is in the ledger before the message is filed.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

from intake.adapters.smtp import SmtpSender, permanent
from intake.channels import answerable, replies
from intake.channels.faults import failpoint
from intake.channels.mailwork import MailStats, Work
from intake.config import ImapSection
from intake.service import letters, mailing
from intake.service.app import App

log = logging.getLogger("intake.channels.mail")


class Answering:
    app: App
    config: ImapSection
    smtp: SmtpSender
    own: str
    no_reply: tuple[str, ...]

    def _file(self, mailbox: Any, uid: str, folder: str, quiet: bool = False) -> None:
        raise NotImplementedError

    def _answer(self, mailbox: Any, work: Work, message: EmailMessage, stats: MailStats) -> None:
        ledger = self.app.ledger
        sender = answerable.checked_sender(message)
        why_not = work.machine or answerable.why_not_answer(
            message, sender, self.own, self.no_reply
        )
        if why_not or not self.smtp.enabled or sender is None:
            self._not_answered(mailbox, work, why_not or "no SMTP server configured", stats)
            return
        stored = ledger.documents_of_mail(work.mail_id)
        message_id = mailing.reply_message_id(work.key, self.own)
        if stored:
            verdicts = [d.verdict for d in stored]
            case_ctx = self.app.ctx.for_campaign(verdicts[0].campaign)  # the rules that judged
            answer = replies.feedback(
                message,
                verdicts,
                case_ctx,
                case_ctx.register,
                to=sender,
                own_address=self.own,
                message_id=message_id,
                others=letters.others_for(self.app, verdicts),
                corrected=letters.corrected_models(
                    case_ctx, verdicts, letters.archived(self.app, verdicts)
                ),
            )
        else:
            answer = replies.no_attachments(
                message, self.app.ctx, to=sender, own_address=self.own, message_id=message_id
            )
        ledger.update_mail(work.mail_id, state="sending", reply_message_id=message_id)
        try:
            self.smtp.send(answer)
            failpoint("after_send")
        except Exception as exc:
            # Not accepted by the server, so not sent.
            if permanent(exc):
                self._not_answered(mailbox, work, f"answer refused by the server: {exc}", stats)
                return
            ledger.update_mail(work.mail_id, state="judged", error=f"answer not sent: {exc}")
            raise
        self._replied(mailbox, work, answer, stored, stats)

    def _replied(
        self, mailbox: Any, work: Work, answer: EmailMessage, stored: list, stats: MailStats
    ) -> None:
        ledger = self.app.ledger
        kind = "feedback" if stored else "no_attachments"
        with ledger.transaction() as conn:
            ledger.update_mail(work.mail_id, conn, state="replied", error=None)
            agbs = {d.verdict.provider.agb for d in stored if d.verdict.provider}
            campaigns = {d.verdict.campaign for d in stored if d.verdict.campaign}
            ledger.record_reply(
                conn,
                mail_id=work.mail_id,
                kind=kind,
                recipient=str(answer["To"]),
                subject=str(answer["Subject"]),
                message_id=str(answer["Message-ID"]),
                provider_agb=next(iter(agbs)) if len(agbs) == 1 else None,
                campaign=next(iter(campaigns)) if len(campaigns) == 1 else None,
            )
        work.state = "replied"
        if stored:
            letters.note_told(self.app, [d.verdict for d in stored], str(answer["Message-ID"]))
        failpoint("after_reply")
        # "moved" before the move: a run killed between the two leaves the message in
        # INBOX, and the next run files it again. The other way round, a kill right after
        # the server's MOVE left "replied" on a mail no later run would ever see.
        ledger.update_mail(work.mail_id, state="moved")
        self._file(mailbox, work.uid, self.config.processed_folder)
        stats.answered += 1
        log.info(
            "%s: answered %s (%s), filed in %s",
            work.key,
            answer["To"],
            kind,
            self.config.processed_folder,
            extra={"mail": work.key, "outcome": kind},
        )

    def _not_answered(self, mailbox: Any, work: Work, reason: str, stats: MailStats) -> None:
        if work.unjudged:
            reason += f"; {work.unjudged} document(s) in it not taken in"
        self.app.ledger.update_mail(work.mail_id, state="no_reply", error=reason[:2000])
        work.state = "no_reply"
        log.info(
            "%s: not answered (%s)",
            work.key,
            reason,
            extra={"mail": work.key, "outcome": "no_reply"},
        )
        self._file(mailbox, work.uid, self.config.processed_folder)
        stats.skipped += 1
