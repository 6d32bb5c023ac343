"""Sending mail over SMTP (ssl, starttls or none), the only place that talks SMTP."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from intake.config import SmtpSection


class SmtpSender:
    def __init__(self, config: SmtpSection) -> None:
        self.config = config

    @property
    def enabled(self) -> bool:
        return bool(self.config.host)

    def send(self, message: EmailMessage) -> None:
        c = self.config
        context = ssl.create_default_context()
        if c.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=context
            )
        else:
            client = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        with client:
            if c.security == "starttls":
                client.starttls(context=context)
            if c.user:
                client.login(c.user, c.password)
            client.send_message(message, from_addr=c.sender)
