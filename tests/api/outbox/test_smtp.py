"""SMTP security against a real server (aiosmtpd on 127.0.0.1): STARTTLS with AUTH, and
implicit TLS with the certificate checked."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from api.outbox.render import render
from api.outbox.smtp import SendError, SmtpSender
from tests.support.mail import Sink, mail_to


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("tls")
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def verification_row() -> dict[str, Any]:
    return {
        "message_id": "tls-1@test",
        "kind": "email_verification",
        "recipient_email": "vera@example.com",
        "locale": "da",
        "payload": {"token": "abc", "expires_minutes": 2880, "recipient_name": "Vera"},
        "created_at": datetime.now(UTC),
    }


def test_starttls_with_auth_delivers(certificate: tuple[Path, Path]):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret-pass"
        if ok:
            server_sink.logins.append(auth_data.login)
        return AuthResult(success=ok)

    server_sink = Sink(
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    server_sink.start()
    mail = mail_to(
        server_sink,
        security="starttls",
        username="salon",
        password="s3cret-pass",
        ca_file=str(certificate[0]),
    )
    sender = SmtpSender(mail)
    try:
        sender.send(render(verification_row(), mail), "vera@example.com")
        sender.close()
        plain = SmtpSender(mail_to(server_sink))  # MAIL_SECURITY=none
        with pytest.raises(SendError, match="530"):
            plain.send(render(verification_row(), mail), "vera@example.com")
        plain.close()
    finally:
        server_sink.stop()
    assert [r.message_id for r in server_sink.received] == ["tls-1@test"]
    assert server_sink.logins == [b"salon"]


def test_implicit_tls_delivers_and_checks_the_certificate(certificate: tuple[Path, Path]):
    server_sink = Sink(ssl_context=server_context(certificate))
    server_sink.start()
    try:
        mail = mail_to(server_sink, security="tls", ca_file=str(certificate[0]))
        sender = SmtpSender(mail)
        sender.send(render(verification_row(), mail), "vera@example.com")
        sender.close()
        untrusted = mail_to(server_sink, security="tls")
        with pytest.raises(SendError) as refused:
            SmtpSender(untrusted).send(render(verification_row(), mail), "vera@example.com")
    finally:
        server_sink.stop()
    assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    assert [r.message_id for r in server_sink.received] == ["tls-1@test"]
