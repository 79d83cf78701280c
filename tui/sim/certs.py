"""Real X.509 certificates for the drill's TLS secrets (cert-manager's output).

The ACME "CA" is the drill's own, made once per cluster; certificates carry
exactly the SANs and validity the scenario says, so `openssl x509` or any
TLS library reading the secret sees what a real one would show.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True)
class Issued:
    cert_pem: bytes
    key_pem: bytes
    ca_pem: bytes


@dataclass(frozen=True)
class CertInfo:
    not_before: float
    not_after: float
    dns_names: tuple[str, ...]
    serial: int


class Authority:
    """The drill's stand-in for the ACME server's issuing CA."""

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "XX"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "warroom drill ACME"),
                x509.NameAttribute(NameOID.COMMON_NAME, "Drill ACME R1"),
            ]
        )
        start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(self.name)
            .issuer_name(self.name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self._key, hashes.SHA256())
        )

    def issue(self, dns_names: list[str], not_before: float, not_after: float) -> Issued:
        key = ec.generate_private_key(ec.SECP256R1())
        names = [x509.DNSName(name) for name in dns_names]
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_names[0])]))
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(dt.datetime.fromtimestamp(not_before, dt.UTC))
            .not_valid_after(dt.datetime.fromtimestamp(not_after, dt.UTC))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(self._key, hashes.SHA256())
        )
        return Issued(
            cert_pem=cert.public_bytes(serialization.Encoding.PEM)
            + self.cert.public_bytes(serialization.Encoding.PEM),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            ca_pem=self.cert.public_bytes(serialization.Encoding.PEM),
        )


def secret_data(issued: Issued) -> dict[str, str]:
    return {
        "tls.crt": base64.b64encode(issued.cert_pem).decode(),
        "tls.key": base64.b64encode(issued.key_pem).decode(),
        "ca.crt": base64.b64encode(issued.ca_pem).decode(),
    }


def read(pem_b64: str | None) -> CertInfo | None:
    """The leaf certificate of a secret's base64 tls.crt; None if absent or unreadable."""
    if not pem_b64:
        return None
    try:
        cert = x509.load_pem_x509_certificate(base64.b64decode(pem_b64))
    except ValueError:
        return None
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = tuple(sans.value.get_values_for_type(x509.DNSName))
    except x509.ExtensionNotFound:
        names = ()
    return CertInfo(
        not_before=cert.not_valid_before_utc.timestamp(),
        not_after=cert.not_valid_after_utc.timestamp(),
        dns_names=names,
        serial=cert.serial_number,
    )
