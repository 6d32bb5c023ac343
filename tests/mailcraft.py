"""Crafted mails and throwaway certificates, generated in the tests (no binary fixtures).

Outlook's winmail.dat is written with a minimal TNEF encoder, S/MIME and the test
certificate authorities with the `cryptography` package.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import struct
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from tests.manifest import SUBMISSIONS

OFFICE = "zorginkoop.wlz@zorgenzekerheid.nl"
CONTACT = "j.devries@zorggroeprijnland.nl"
MODEL = (SUBMISSIONS / "geldig-nov2019.xlsx").read_bytes()
PLAN = (SUBMISSIONS / "kwaliteitsplan-2020.pdf").read_bytes()
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LONG_ID = (
    "<AM9PR07MB7201D0C1A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F6@"
    "AM9PR07MB7201.eurprd07.prod.outlook.com>"
)


def mail(
    sender: str,
    subject: str,
    message_id: str | None,
    attachments=(),
    body: str = "Zie bijlage.",
    **headers: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = OFFICE
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    for filename, data, (maintype, subtype) in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    checksum = sum(data) % 65536
    return struct.pack("<BHHI", level, name, kind, len(data)) + data + struct.pack("<H", checksum)


def tnef(files: list[tuple[str, bytes]]) -> bytes:
    """A winmail.dat with the given attachments (what Outlook's rich-text mail sends)."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += _tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x00010000))  # TNEF version
    for name, data in files:
        out += _tnef_object(2, 0x9002, 0x0006, b"\x01\x00" + b"\x00" * 12)  # rendering: new
        out += _tnef_object(2, 0x8010, 0x0001, name.encode() + b"\x00")  # file name
        out += _tnef_object(2, 0x800F, 0x0006, data)  # the data
    return out


@dataclass
class Pki:
    """A throwaway CA and a server certificate it signed, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _name(common: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _pem_key(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def make_pki(root: Path, host: str = "127.0.0.1", label: str = "ca"):
    """CA + server certificate for `host` (an IP address or a DNS name)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    now = dt.datetime.now(dt.UTC)
    ca_key, server_key = _key(), _key()
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name(f"intake test {label}"))
        .issuer_name(_name(f"intake test {label}"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alt = x509.DNSName(host)
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .sign(ca_key, hashes.SHA256())
    )
    root.mkdir(parents=True, exist_ok=True)
    pki = Pki(root / f"{label}.pem", root / f"{label}-server.pem", root / f"{label}-server.key")
    pki.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    pki.cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    pki.key_file.write_bytes(_pem_key(server_key))
    for path in (pki.ca_file, pki.cert_file, pki.key_file):
        path.chmod(0o644)  # Dovecot reads them as its own user
    return pki, (ca, ca_key)


def smime_opaque(inner: EmailMessage, sender: str, message_id: str) -> EmailMessage:
    """An opaque-signed S/MIME mail (smime.p7m) around `inner`, signed by a throwaway key."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.serialization import pkcs7

    _, (cert, key) = _self_signed()
    signed = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(inner.as_bytes())
        .add_signer(cert, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [])
    )
    outer = EmailMessage()
    outer["From"] = sender
    outer["To"] = OFFICE
    outer["Subject"] = "Ondertekende aanvraag"
    outer["Message-ID"] = message_id
    outer.set_content(
        signed,
        maintype="application",
        subtype="pkcs7-mime",
        params={"smime-type": "signed-data", "name": "smime.p7m"},
        disposition="attachment",
        filename="smime.p7m",
    )
    return outer


def smime_enveloped(inner: EmailMessage, sender: str, message_id: str) -> EmailMessage:
    """An encrypted S/MIME mail (enveloped-data) around `inner`, for a key we do not hold."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs7
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # S/MIME wants RSA
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zorginkoop.wlz")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    encrypted = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(inner.as_bytes())
        .add_recipient(cert)
        .encrypt(serialization.Encoding.DER, [])
    )
    outer = EmailMessage()
    outer["From"] = sender
    outer["To"] = OFFICE
    outer["Subject"] = "Versleutelde aanvraag"
    outer["Message-ID"] = message_id
    outer.set_content(
        encrypted,
        maintype="application",
        subtype="pkcs7-mime",
        params={"smime-type": "enveloped-data", "name": "smime.p7m"},
        disposition="attachment",
        filename="smime.p7m",
    )
    return outer


def _self_signed():
    import tempfile

    return make_pki(Path(tempfile.mkdtemp(prefix="intake-smime-")), "signer.example.nl", "signer")


def nested(depth: int, message_id: str) -> bytes:
    """A mail nested `depth` multiparts deep (what broke the standard parser)."""
    head = (
        f"From: {CONTACT}\r\nTo: {OFFICE}\r\nSubject: diep\r\n"
        f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
    ).encode()
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    closing = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return head + opening + b"Content-Type: text/plain\r\n\r\nhallo" + closing


def nameless_part(sender: str, message_id: str) -> bytes:
    """A model attached without file name and without Content-Disposition."""
    import base64

    body = base64.encodebytes(MODEL).replace(b"\n", b"\r\n")
    return (
        (
            f"From: {sender}\r\nTo: {OFFICE}\r\nSubject: zonder naam\r\n"
            f"Message-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="x"\r\n\r\n'
            "--x\r\nContent-Type: text/plain\r\n\r\nZie bijlage.\r\n"
            "--x\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + body
        + b"\r\n--x--\r\n"
    )


def zipped(members: list[tuple[str, bytes]], stored: bool = False) -> bytes:
    """A plain zip of `members`, as a provider's archiver makes one."""
    import io
    import zipfile

    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_with_bomb(size: int) -> bytes:
    """The model beside a `plan.pdf` that inflates to `size` bytes of zeros (a few hundred KB)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("aanvraag.xlsx", MODEL)
        with archive.open("plan.pdf", "w", force_zip64=True) as member:
            block = b"\0" * 1_000_000
            for _ in range(size // len(block)):
                member.write(block)
    return buffer.getvalue()
