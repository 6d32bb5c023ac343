"""Local desk accounts: argon2 password hashes, two roles, disabled rather than deleted."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from intake.storage.casebook import Casebook

ROLES = ("staff", "admin")
MIN_PASSWORD = 12
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()
# Verified against when the account does not exist, so both paths take as long.
_DUMMY_HASH = _hasher.hash("no account has this password")


class AccountError(ValueError):
    """A name, role or password that cannot be used; the message is Dutch for staff."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def check_new(name: str, role: str, password: str) -> None:
    if not _NAME.match(name):
        raise AccountError(
            "Gebruikersnaam: 2 tot 64 tekens: kleine letters, cijfers, punt, streep "
            "of liggend streepje."
        )
    if role not in ROLES:
        raise AccountError("Rol moet staff of admin zijn.")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Wachtwoord moet minstens {MIN_PASSWORD} tekens hebben.")


def add_user(book: Casebook, name: str, role: str, password: str) -> None:
    check_new(name, role, password)
    if book.accounts.get(name) is not None:
        raise AccountError(f"Gebruiker {name} bestaat al.")
    book.accounts.add(name, role, _hasher.hash(password))


def authenticate(book: Casebook, name: str, password: str) -> User | None:
    """The user when name and password match an active account, else None."""
    row = book.accounts.get(name)
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled"]:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        book.accounts.update(name, password_hash=_hasher.hash(password))
    return User(row["name"], row["role"])


def active_user(book: Casebook, name: str) -> User | None:
    row = book.accounts.get(name)
    if row is None or row["disabled"]:
        return None
    return User(row["name"], row["role"])
