"""Sending mail over SMTP (ssl, starttls or none), the only place that talks SMTP."""

from __future__ import annotations

import smtplib
import ssl
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


class SmtpSender:
    def __init__(self, config: SmtpSection) -> None:
        self.config = config
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
        except ssl.SSLCertVerificationError as exc:
            raise TlsRefused(describe(exc, self.config.host, self.config.port)) from exc

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
