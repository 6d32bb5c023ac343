"""The mailbox: read new messages, judge their documents, answer once, then file them.

This module is the pass over the mailbox: the run lock, the connection, the folders and
the claim of each message. What happens to one message (record, judge, answer, file)
is `mail_message.py`; it is loaded when the first message is there, so an empty run,
which a timer starts every few minutes, loads no judging, letters or PDF code.

Per message the ledger moves through received -> judged -> sending -> replied ->
moved. Each step is committed before the next outside action ("moved" before the
IMAP move), so after a crash: a judged message is answered on the next run, a replied
or moved one still in the inbox is only filed, and
one caught while sending is filed without a second answer and flagged for staff
(`reply_uncertain`): at most one reply, and no mail is ever lost.
"""

from __future__ import annotations

import imaplib
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from intake.adapters.imap import connect, ensure_folders, logout
from intake.adapters.smtp import SmtpSender
from intake.bootstrap import refresh_registers
from intake.channels.mailwork import MailStats
from intake.storage.claims import channel_run

if TYPE_CHECKING:
    from intake.channels.mail_message import MessageHandler
    from intake.service.app import App

__all__ = ["MailChannel", "MailStats"]

log = logging.getLogger(__name__)


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
        # Made here, not with the first message: a mistake in [smtp] shows at the start.
        self.smtp = smtp or SmtpSender(app.config.smtp, app.ledger.counters.smtp_failed)
        self._handler: MessageHandler | None = None

    def messages(self) -> MessageHandler:
        """The handler of single messages, made (and the table checks built) on first use:
        before a message is claimed, not while one is held (a kill then would count as a
        failed attempt), and only when there is mail."""
        if self._handler is None:
            from intake.channels.mail_message import MessageHandler
            from intake.checks import tables

            tables.warm_up_campaigns(self.app.ctx)
            self._handler = MessageHandler(self.app, self.smtp)
        return self._handler

    # --- one pass ----------------------------------------------------------------

    def run_once(
        self,
        *,
        retry_failed: bool = False,
        progress: Callable[[str], None] | None = None,
        mailbox: Any = None,
    ) -> MailStats:
        """One pass; `mailbox` is a session already logged in (and its folders made),
        which this pass then ends."""
        stats = MailStats()
        try:
            with self._channel_run() as held:
                if not held:
                    stats.busy = True
                    return stats
                if mailbox is None:
                    mailbox = connect(self.config)
                    ensure_folders(mailbox, self.config)
                folders = [self.config.folder]
                folders += [self.config.failed_folder] if retry_failed else []
                for folder in folders:
                    self.process_folder(mailbox, folder, stats, progress)
        finally:
            if mailbox is not None:
                logout(mailbox)
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
        refresh_registers(self.app)  # a register confirmed since the last pass counts now
        mailbox.folder.set(folder)
        uidvalidity = int(mailbox.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        for uid in mailbox.uids("ALL", charset=None):  # no CHARSET: Exchange refuses it
            stats.seen += 1
            handler = self.messages()  # before the claim, and only with mail
            try:
                with self.app.ledger.claims.held(f"mail-at:{folder}:{uidvalidity}:{uid}") as mine:
                    if mine:
                        handler.process_message(mailbox, folder, uidvalidity, uid, stats)
                    else:
                        stats.skipped += 1  # another worker has this one
            except (imaplib.IMAP4.abort, OSError, EOFError):
                raise  # the connection is gone: the watcher reconnects, a single run stops
            except Exception as exc:  # the ledger or the server refused: the next run retries
                stats.failed += 1
                stats.errors.append(f"{folder}/{uid}: {exc}")
                log.error("mail %s/%s not processed: %s: %s", folder, uid, type(exc).__name__, exc)
                log.debug("mail %s/%s", folder, uid, exc_info=True)
            if progress:
                progress(uid)

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
                # TlsRefused is one of these: a server that fails verification is retried,
                # never trusted.
                log.warning("mailbox connection lost (%s); reconnecting in %.0fs", exc, backoff)
                stop.wait(backoff)
                backoff = min(backoff * 2, 300.0)
