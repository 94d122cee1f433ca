"""Test certificates built with ``cryptography``: a private CA, leaves that are valid, expired or for the
wrong host, and one self-signed leaf. Written as PEM files because ``ssl`` loads chains from files."""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class CertFiles:
    cert: Path
    key: Path


@dataclass(frozen=True)
class TestPki:
    ca_pem: str
    valid: CertFiles  # 127.0.0.1 and localhost, issued by the CA
    expired: CertFiles  # same names, issued by the CA, expired yesterday
    wrong_host: CertFiles  # issued by the CA for wrong.example only
    self_signed: CertFiles  # 127.0.0.1, signed by itself


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _build(
    subject: str,
    names: list[str],
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(_san(names), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> CertFiles:
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return CertFiles(cert_path, key_path)


def make_pki(folder: Path) -> TestPki:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Kairos Test CA")
    ca = _build(
        "Kairos Test CA", [], ca_key, ca_name, ca_key, ca=True, not_before=now - _DAY, not_after=now + 30 * _DAY
    )
    loopback = ["127.0.0.1", "::1", "localhost"]

    def leaf(stem: str, names: list[str], start: dt.datetime, end: dt.datetime) -> CertFiles:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _build(names[0], names, key, ca_name, ca_key, ca=False, not_before=start, not_after=end)
        return _write(folder, stem, cert, key)

    own_key = ec.generate_private_key(ec.SECP256R1())
    own = _build(
        "127.0.0.1",
        loopback,
        own_key,
        _name("127.0.0.1"),
        own_key,
        ca=True,
        not_before=now - _DAY,
        not_after=now + 30 * _DAY,
    )
    return TestPki(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM).decode(),
        valid=leaf("valid", loopback, now - _DAY, now + 30 * _DAY),
        expired=leaf("expired", loopback, now - 30 * _DAY, now - _DAY),
        wrong_host=leaf("wrong-host", ["wrong.example"], now - _DAY, now + 30 * _DAY),
        self_signed=_write(folder, "self-signed", own, own_key),
    )
