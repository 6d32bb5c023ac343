"""TLS against a real Dovecot and aiosmtpd with a throwaway CA made in the test.

A trusted certificate (through `ca_file`) works for IMAP over TLS and STARTTLS and for
SMTP STARTTLS; a wrong host name or an untrusted CA is refused before any password
is sent: exit 2 for `intake mail --once`, a mail in `Fout` when SMTP is refused.
"""

from __future__ import annotations

import ssl
from dataclasses import replace
from pathlib import Path

import pytest

from intake.storage.ledger import Ledger
from tests.integration.servers import PASSWORD, USER, Dovecot, SmtpSink
from tests.mailcraft import CONTACT, MODEL, XLSX, mail, make_pki

NOV_20 = 1574242200.0


def server_context(pki) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pki.cert_file, pki.key_file)
    return context


def config_file(tmp_path: Path, imap: dict, smtp: dict) -> Path:
    def section(values: dict) -> str:
        return "\n".join(
            f'{k} = "{v}"' if isinstance(v, str) else f"{k} = {v}" for k, v in values.items()
        )

    path = tmp_path / "intake.toml"
    path.write_text(
        f'[general]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[imap]\nhost = "127.0.0.1"\nuser = "{USER}"\npassword = "{PASSWORD}"\n{section(imap)}\n'
        f'[smtp]\nhost = "127.0.0.1"\nuser = "{USER}"\npassword = "{PASSWORD}"\n'
        f'from = "zorginkoop.wlz@zorgenzekerheid.nl"\n{section(smtp)}\n'
    )
    return path


def logins(dovecot: Dovecot) -> int:
    return (dovecot.root / "dovecot.log").read_text(errors="replace").count("Login: user=")


@pytest.fixture(scope="module")
def pkis(tmp_path_factory):
    root = tmp_path_factory.mktemp("pki")
    good, _ = make_pki(root / "good", "127.0.0.1", "good")
    wrong_host, _ = make_pki(root / "wrong", "mail.example.org", "wrong")
    untrusted, _ = make_pki(root / "untrusted", "127.0.0.1", "untrusted")
    return good, wrong_host, untrusted


def _run(config: Path):
    from tests.integration.test_mail_channel import run_intake

    return run_intake(config, "mail", "--once")


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_verified_imap_and_smtp_with_a_private_ca(tmp_path, pkis, security):
    good = pkis[0]
    dovecot = Dovecot(tls=(good.cert_file, good.key_file)).start()
    smtp = SmtpSink(tls_context=server_context(good)).start()
    try:
        dovecot.deliver(mail(CONTACT, "Aanvraag", "<tls@x.nl>", [("m.xlsx", MODEL, XLSX)]), NOV_20)
        port = dovecot.tls_port if security == "ssl" else dovecot.port
        imap = {"port": port, "security": security, "ca_file": str(good.ca_file)}
        smtp_cfg = {"port": smtp.port, "security": "starttls", "ca_file": str(good.ca_file)}
        result = _run(config_file(tmp_path, imap, smtp_cfg))
        assert result.returncode == 0, result.stderr
        assert len(smtp.wait_for(1)) == 1 and smtp.logins == [USER]
        assert dovecot.count("INBOX") == 0
    finally:
        smtp.stop()
        dovecot.remove()


@pytest.mark.parametrize("case", ["wrong host name", "untrusted CA", "system CAs only"])
@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_an_unverified_imap_server_gets_no_password(tmp_path, pkis, security, case):
    good, wrong_host, untrusted = pkis
    served = {"wrong host name": wrong_host, "untrusted CA": untrusted, "system CAs only": good}
    cert = served[case]
    dovecot = Dovecot(tls=(cert.cert_file, cert.key_file)).start()
    try:
        dovecot.deliver(mail(CONTACT, "Aanvraag", "<no@x.nl>"), NOV_20)
        before = logins(dovecot)
        port = dovecot.tls_port if security == "ssl" else dovecot.port
        imap = {"port": port, "security": security}
        if case != "system CAs only":
            imap["ca_file"] = str(wrong_host.ca_file if case == "wrong host name" else good.ca_file)
        result = _run(config_file(tmp_path, imap, {"port": 1, "security": "none"}))
        assert result.returncode == 2, result.stderr
        assert "geweigerd" in result.stderr and "Traceback" not in result.stderr
        assert logins(dovecot) == before  # no LOGIN reached the server
        assert dovecot.count("INBOX") == 1
    finally:
        dovecot.remove()


def test_an_unverified_smtp_server_gets_no_password_and_the_mail_waits(tmp_path, pkis):
    good, _, untrusted = pkis
    dovecot = Dovecot().start()
    smtp = SmtpSink(tls_context=server_context(untrusted)).start()
    try:
        dovecot.deliver(mail(CONTACT, "Aanvraag", "<smtp@x.nl>", [("m.xlsx", MODEL, XLSX)]), NOV_20)
        imap = {"port": dovecot.port, "security": "none"}
        smtp_cfg = {"port": smtp.port, "security": "starttls", "ca_file": str(good.ca_file)}
        result = _run(config_file(tmp_path, imap, smtp_cfg))
        assert "Traceback" not in result.stderr
        assert smtp.logins == [] and smtp.messages == []
        assert dovecot.count("Fout") == 1
        row = Ledger.open(f"sqlite:///{tmp_path / 'data' / 'ledger.sqlite'}").mail("<smtp@x.nl>")
        assert row["state"] == "judged" and "certificate" in row["error"]
    finally:
        smtp.stop()
        dovecot.remove()


def test_a_missing_ca_file_is_a_configuration_error(tmp_path):
    config = config_file(tmp_path, {"port": 1, "ca_file": str(tmp_path / "nope.pem")}, {})
    result = _run(config)
    assert result.returncode == 2 and "ca_file" in result.stderr


def test_one_tls_context_per_sender_and_none_without_tls(pkis, monkeypatch):
    from intake.adapters import smtp as smtp_module
    from intake.adapters.tls import TlsRefused
    from intake.config import SmtpSection

    built = []
    real = smtp_module.client_context

    def counted(ca_file: str = "") -> ssl.SSLContext:
        built.append(ca_file)
        return real(ca_file)

    monkeypatch.setattr(smtp_module, "client_context", counted)
    good, _, untrusted = pkis
    plain, tls, wrong = (
        SmtpSink().start(),
        SmtpSink(tls_context=server_context(good)).start(),
        SmtpSink(tls_context=server_context(untrusted)).start(),
    )
    try:
        message = mail(CONTACT, "Antwoord", "<a@x.nl>", [])
        section = SmtpSection(host="127.0.0.1", sender="zorginkoop.wlz@zorgenzekerheid.nl")
        sender = smtp_module.SmtpSender(replace(section, port=plain.port, security="none"))
        for _ in range(3):
            sender.send(message)
        assert len(plain.messages) == 3 and built == []
        ca = str(good.ca_file)
        sender = smtp_module.SmtpSender(replace(section, port=tls.port, ca_file=ca, user=USER))
        for _ in range(3):
            sender.send(message)
        assert len(tls.messages) == 3 and built == [ca]
        sender = smtp_module.SmtpSender(replace(section, port=wrong.port, ca_file=ca, user=USER))
        for _ in range(2):
            with pytest.raises(TlsRefused):
                sender.send(message)
        assert wrong.logins == [] and wrong.messages == [] and built == [ca, ca]
    finally:
        for sink in (plain, tls, wrong):
            sink.stop()
