"""`intake user add` without --password-stdin, as an operator types it: in a real
terminal (a pty), the password asked twice and never echoed."""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

from intake.casework.accounts import authenticate
from intake.storage.casebook import Casebook
from intake.storage.ledger import Ledger

PASSWORD = "een-lang-wachtwoord"


class Terminal:
    """`intake ARGS` with a pty as its controlling terminal (what getpass reads from)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: becomes intake, never returns
            os.execve(sys.executable, [sys.executable, "-m", "intake", *args], env)
        self.seen, self.mark = b"", 0

    def expect(self, text: str, timeout: float = 60) -> None:
        """Wait for `text` after what an earlier expect matched."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen[self.mark :]:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {text!r} in {self.seen[self.mark :]!r}"
            if select.select([self.fd], [], [], remaining)[0]:
                try:
                    self.seen += os.read(self.fd, 4096)
                except OSError:  # the child closed the terminal
                    break
        found = self.seen.find(text.encode(), self.mark)
        assert found >= 0, self.seen
        self.mark = found + len(text)

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def finish(self) -> int:
        try:
            while select.select([self.fd], [], [], 30)[0]:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    break
                self.seen += chunk
        except OSError:
            pass
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_the_password_prompt_asks_twice_and_echoes_nothing(tmp_path: Path):
    env = {**os.environ, "INTAKE_DATA_DIR": str(tmp_path)}
    terminal = Terminal(["user", "add", "j.jansen", "--role", "staff"], env)
    terminal.expect("Wachtwoord:")
    terminal.type(PASSWORD)
    terminal.expect("Wachtwoord (nogmaals):")
    terminal.type("iets-heel-anders-dan-dat")  # a typo: asked again, nothing stored
    terminal.expect("do not match")
    terminal.expect("Wachtwoord:")
    terminal.type(PASSWORD)
    terminal.expect("Wachtwoord (nogmaals):")
    terminal.type(PASSWORD)
    terminal.expect("toegevoegd")
    assert terminal.finish() == 0
    assert PASSWORD.encode() not in terminal.seen and b"iets-heel" not in terminal.seen
    book = Casebook(Ledger.open(f"sqlite:///{tmp_path / 'ledger.sqlite'}").engine)
    assert authenticate(book, "j.jansen", PASSWORD) is not None
    assert authenticate(book, "j.jansen", "iets-heel-anders-dan-dat") is None


def test_a_short_password_at_the_prompt_is_refused(tmp_path: Path):
    env = {**os.environ, "INTAKE_DATA_DIR": str(tmp_path)}
    terminal = Terminal(["user", "add", "p.pietersen", "--role", "admin"], env)
    terminal.expect("Wachtwoord:")
    terminal.type("kort")
    terminal.expect("Wachtwoord (nogmaals):")
    terminal.type("kort")
    assert terminal.finish() == 2
    assert b"minstens 12 tekens" in terminal.seen
