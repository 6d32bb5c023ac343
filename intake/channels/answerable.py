"""Whether a mail may get an automatic answer, and the one address it may go to.

The markers of automatic and list mail are protocol (RFC 3834 Auto-Submitted, RFC
2076 Precedence, RFC 2369/2919 List-*, RFC 5321 null reverse path, RFC 6522
multipart/report for DSN, MDN and ARF) plus the de-facto Microsoft and autoresponder
headers: they are the same for every campaign and live here, where a typo in a
rules file cannot turn them off. Which sender names never take answers (no-reply,
MAILER-DAEMON …) is practice the office may extend, so it lives in the rules file
(`[mailbox] no_reply_senders`).

An answer only ever goes to the From address, and only when it is one well-formed
address with a real domain: never to Reply-To, which anyone can set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.errors import ObsoleteHeaderDefect
from email.message import EmailMessage

from intake.channels.headers import raw_header

UNKNOWN_SENDER = "(geen geldig afzenderadres)"
DEFAULT_NO_REPLY = (
    "mailer-daemon",
    "postmaster",
    "noreply",
    "donotreply",
    "bounce",
    "bounces",
)
_ADDRESS = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}"
    r"@(?=.{4,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post")
_AUTO_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Failed-Recipients")
_REPORT_TYPES = {"multipart/report", "message/delivery-status", "message/disposition-notification"}
_BULK = {"bulk", "list", "junk", "auto_reply", "auto-reply"}


def checked_sender(message: EmailMessage) -> str | None:
    """The From address when it is exactly one well-formed address, lower-cased."""
    try:
        header = message.get("From")
        addresses = list(getattr(header, "addresses", ()) or ())
        defects = getattr(header, "defects", ())
    except Exception:  # an unparseable From is no address
        return None
    if len(addresses) != 1 or any(not isinstance(d, ObsoleteHeaderDefect) for d in defects):
        return None  # the parser guessed: another client may read another address
    address = (addresses[0].addr_spec or "").strip()
    if not address.isascii() or not _ADDRESS.match(address):
        return None
    return address.lower()


def _plain(name: str) -> str:
    return re.sub(r"[-_.]", "", name.lower())


def no_reply_sender(address: str, names: Iterable[str]) -> bool:
    """no-reply@, do_not_reply+123@, MAILER-DAEMON@ … (separators and +tags ignored)."""
    local = address.partition("@")[0].partition("+")[0]
    return _plain(local) in {_plain(n) for n in names}


def automatic(message: EmailMessage) -> str | None:
    """Why the mail was sent by a machine or to a list (RFC 3834 and practice), or None."""
    auto = (raw_header(message, "Auto-Submitted") or "no").split(";")[0].strip().lower()
    if auto != "no":
        return f"automatic message (Auto-Submitted: {auto[:40]})"
    precedence = (raw_header(message, "Precedence") or "").strip().lower()
    if precedence in _BULK:
        return f"bulk or list message (Precedence: {precedence})"
    for name in _LIST_HEADERS:
        if raw_header(message, name) is not None:
            return f"list message ({name})"
    suppress = (raw_header(message, "X-Auto-Response-Suppress") or "").strip().lower()
    if suppress and suppress != "none":
        return f"sender asks for no automatic answers (X-Auto-Response-Suppress: {suppress[:40]})"
    for name in _AUTO_HEADERS:
        if raw_header(message, name) is not None:
            return f"automatic message ({name})"
    if (raw_header(message, "Return-Path") or "").replace(" ", "") == "<>":
        return "bounce (null Return-Path)"
    if message.get_content_type() in _REPORT_TYPES:
        return f"delivery or feedback report ({message.get_content_type()})"
    return None


def why_not_answer(
    message: EmailMessage, sender: str | None, own_address: str, no_reply: Iterable[str]
) -> str | None:
    """Why no automatic answer may go out, or None when one may."""
    if sender is None:
        return "no valid From address"
    if sender == own_address.lower():
        return "sent by this mailbox itself"
    if no_reply_sender(sender, no_reply):
        return f"sender {sender} does not take replies"
    return automatic(message)
