"""Sending mail over SMTP (ssl, starttls or none), the only place that talks SMTP."""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

from intake.adapters.tls import TlsRefused, client_context, describe
from intake.config import SmtpSection

# Answers the server refuses for good (5xx): trying again will not help.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def permanent(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    code = getattr(exc, "smtp_code", 0)
    return isinstance(exc, PERMANENT) and 500 <= int(code or 0) < 600


log = logging.getLogger(__name__)


class SmtpSender:
    def __init__(
        self, config: SmtpSection, on_failure: Callable[[BaseException], None] | None = None
    ) -> None:
        self.config = config
        # Told of every failed send (the ledger counts them for monitoring); never stops one.
        self.on_failure = on_failure
        self._context: ssl.SSLContext | None = None

    def tls_context(self) -> ssl.SSLContext:
        """Built at the first TLS send and kept: loading the CA store costs ~60 ms a time."""
        if self._context is None:
            self._context = client_context(self.config.ca_file)
        return self._context

    @property
    def enabled(self) -> bool:
        return bool(self.config.host)

    def send(self, message: EmailMessage) -> None:
        """Send over a verified connection; a refused certificate raises TlsRefused."""
        try:
            self._send(message)
        except Exception as exc:
            self._failed(exc)
            if isinstance(exc, ssl.SSLCertVerificationError):
                raise TlsRefused(describe(exc, self.config.host, self.config.port)) from exc
            raise

    def _failed(self, exc: BaseException) -> None:
        if self.on_failure is None:
            return
        try:
            self.on_failure(exc)
        except Exception:  # counting must never hide the failure itself
            log.warning("could not count a failed SMTP send", exc_info=True)

    def _send(self, message: EmailMessage) -> None:
        c = self.config
        if c.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=self.tls_context()
            )
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        with client:
            if c.security == "starttls":
                client.starttls(context=self.tls_context())
            if c.user:
                client.login(c.user, c.password)
            client.send_message(message, from_addr=c.sender)
