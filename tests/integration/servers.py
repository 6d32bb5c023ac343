"""Real servers for integration tests: Dovecot (IMAP) and aiosmtpd (SMTP), on loopback.

Dovecot comes from Debian's packages (`dovecot-imapd`). Without it the mail tests
skip locally; under CI (`INTAKE_REQUIRE_SERVERS=1`) they fail instead of hiding.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

USER, PASSWORD = "zorginkoop.wlz", "test-wachtwoord"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require(binary: str) -> str:
    path = shutil.which(binary) or (
        f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None
    )
    if path:
        return path
    if os.environ.get("INTAKE_REQUIRE_SERVERS"):
        pytest.fail(f"{binary} is not installed (apt-get install dovecot-imapd)")
    pytest.skip(f"{binary} is not installed (apt-get install dovecot-imapd)")


class Dovecot:
    """A throwaway Dovecot with one passwd-file user, listening on a free loopback port."""

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        """`tls`: (certificate, key) PEM files; then STARTTLS on `port`, TLS on `tls_port`."""
        self.binary = require("dovecot")
        # Its own folder, not pytest's: Dovecot's auth process runs as another user
        # and must be able to reach the passwd file.
        root = Path(tempfile.mkdtemp(prefix="intake-dovecot-"))
        root.chmod(0o755)
        self.root = root
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        ssl_lines = f"ssl = yes\nssl_cert = <{tls[0]}\nssl_key = <{tls[1]}" if tls else "ssl = no"
        for sub in ("run", "state", "mail", "home"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        if os.geteuid() == 0:
            # Dovecot refuses root for mail and login processes: use its own users.
            mail_user = pwd.getpwnam("dovecot")
            uid, gid = mail_user.pw_uid, mail_user.pw_gid
            login_user, internal_user = "dovenull", "dovecot"
            for sub in ("mail", "home"):
                os.chown(root / sub, uid, gid)
        else:
            uid, gid = os.getuid(), os.getgid()
            login_user = internal_user = pwd.getpwuid(uid).pw_name
        self.config = root / "dovecot.conf"
        self.config.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = intake-test-{self.port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl_lines}
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{root}/mail/%u
default_login_user = {login_user}
default_internal_user = {internal_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
""")

    def start(self) -> Dovecot:
        log = (self.root / "dovecot.stderr").open("ab")
        self.process = subprocess.Popen(
            [self.binary, "-F", "-c", str(self.config)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {(self.root / 'dovecot.log').read_text()}")

    def stop(self) -> None:
        process = getattr(self, "process", None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        deadline = time.monotonic() + 10
        # the listener must be free again before a restart on the same port
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    time.sleep(0.1)
            except OSError:
                return

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(USER, PASSWORD)
        return client

    def deliver(self, message: bytes | EmailMessage, when: float, folder: str = "INBOX") -> None:
        raw = message if isinstance(message, bytes) else message.as_bytes()
        client = self.client()
        try:
            status, data = client.append(folder, None, imaplib.Time2Internaldate(when), raw)
            assert status == "OK", data
        finally:
            client.logout()

    def count(self, folder: str) -> int:
        client = self.client()
        try:
            status, data = client.select(f'"{folder}"', readonly=True)
            return int(data[0]) if status == "OK" else 0
        finally:
            client.logout()


@dataclass
class SmtpSink:
    """aiosmtpd on a free port, keeping every message it accepts."""

    port: int = field(default_factory=free_port)
    tls_context: object | None = None  # with one: STARTTLS offered, or implicit TLS
    implicit_tls: bool = False
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered with 550
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address.lower() in sink.refuse:
                    return "550 5.1.1 no such user"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                with sink.lock:
                    sink.messages.append(
                        message_from_bytes(envelope.content, policy=policy.default)
                    )
                    sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                return "250 OK"

        def authenticate(server, session, envelope, mechanism, data):
            from aiosmtpd.smtp import AuthResult

            sink.logins.append(data.login.decode())
            return AuthResult(success=True)

        options: dict = {}
        if self.tls_context is not None:
            options["authenticator"] = authenticate
            if self.implicit_tls:
                options["ssl_context"] = self.tls_context
            else:
                options["tls_context"] = self.tls_context
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, count: int, timeout: float = 20) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.1)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")


class Postgres:
    """A throwaway PostgreSQL cluster (Debian's server binaries) on a free loopback port."""

    def __init__(self) -> None:
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bindir:
            if os.environ.get("INTAKE_REQUIRE_SERVERS"):
                pytest.fail("PostgreSQL server is not installed (apt-get install postgresql)")
            pytest.skip("PostgreSQL server is not installed (apt-get install postgresql)")
        self.bin = bindir[-1]
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="intake-postgres-"))
        self.root.chmod(0o755)
        self.data = self.root / "data"
        self.user = None
        if os.geteuid() == 0:  # the server refuses to run as root
            self.user = "postgres"
            os.chown(self.root, pwd.getpwnam("postgres").pw_uid, pwd.getpwnam("postgres").pw_gid)

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> Postgres:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "intake",
            "-A",
            "trust",
            "--no-sync",
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -F",
            "-w",
            "start",
        )
        self._run(
            str(self.bin / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "intake",
            "ledger",
        )
        return self

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://intake@127.0.0.1:{self.port}/ledger"

    def new_database(self) -> str:
        """A fresh, empty database on this cluster (one per test); its URL."""
        import sqlalchemy as sa

        name = f"t{os.getpid()}_{time.monotonic_ns()}"
        admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + "/" + name

    def remove(self) -> None:
        try:
            self._run(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
