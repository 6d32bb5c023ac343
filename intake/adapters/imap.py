"""Talking IMAP: a verified login, the folders intake needs, one message's bytes and date."""

from __future__ import annotations

import imaplib
import logging
import ssl
import time
from datetime import UTC, datetime
from typing import Any

from imap_tools.errors import MailboxFolderCreateError, MailboxFolderStatusError

from intake.adapters.tls import TlsRefused, client_context, describe
from intake.config import ImapSection

log = logging.getLogger(__name__)


def connect(config: ImapSection) -> Any:
    """Log in over a verified connection; a refused certificate raises TlsRefused first."""
    from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted

    context = client_context(config.ca_file)
    try:
        if config.security == "ssl":
            box = MailBox(config.host, config.port, timeout=config.timeout, ssl_context=context)
        elif config.security == "starttls":
            box = MailBoxStartTls(
                config.host, config.port, timeout=config.timeout, ssl_context=context
            )
        else:
            box = MailBoxUnencrypted(config.host, config.port, timeout=config.timeout)
    except ssl.SSLCertVerificationError as exc:
        raise TlsRefused(describe(exc, config.host, config.port)) from exc
    return box.login(config.user, config.password, initial_folder=None)


def ensure_folders(mailbox: Any, config: ImapSection) -> None:
    """Create the processed and failed folders; another worker may create them first."""
    for folder in (config.processed_folder, config.failed_folder):
        if mailbox.folder.exists(folder):
            continue
        try:
            mailbox.folder.create(folder)
        except MailboxFolderCreateError:
            if not mailbox.folder.exists(folder):  # not the ALREADYEXISTS race: a real refusal
                raise


class FolderMissing(Exception):
    """The configured folder is not on the server: a configuration matter, not an outage."""


def message_count(mailbox: Any, folder: str) -> int:
    """How many messages `folder` holds, without selecting it (STATUS)."""
    try:
        return int(mailbox.folder.status(folder, ["MESSAGES"])["MESSAGES"])
    except MailboxFolderStatusError:
        if not mailbox.folder.exists(folder):
            raise FolderMissing(folder) from None
        raise


def logout(mailbox: Any) -> None:
    """End the session; a connection that is already gone needs no goodbye."""
    try:
        mailbox.logout()
    except Exception:
        log.debug("logout failed", exc_info=True)


def fetch(mailbox: Any, uid: str) -> tuple[bytes, datetime | None]:
    typ, data = mailbox.client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
    if typ != "OK":
        raise imaplib.IMAP4.error(f"FETCH {uid} failed: {data!r}")
    for item in data:
        if isinstance(item, tuple):
            header, raw = item
            parsed = imaplib.Internaldate2tuple(header)
            received = datetime.fromtimestamp(time.mktime(parsed), tz=UTC) if parsed else None
            return raw, received
    raise imaplib.IMAP4.error(f"message {uid} has no body")
