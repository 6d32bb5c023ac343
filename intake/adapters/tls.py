"""The TLS context for IMAP and SMTP: the system's CAs, plus a private CA if configured.

Certificate and host name are always verified (`ssl.create_default_context`); there
is deliberately no setting to switch that off. A server that fails verification is
refused during the handshake, before a password is sent.
"""

from __future__ import annotations

import ssl


class TlsRefused(ConnectionError):
    """The server's certificate or host name did not verify; nothing was sent to it."""


def client_context(ca_file: str = "") -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


def describe(exc: BaseException, host: str, port: int) -> str:
    """One line for the log and the terminal: which server, and why it was refused."""
    reason = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or str(exc)
    return f"{host}:{port} refused: TLS certificate not trusted ({reason})"
