"""The certificate an ingress presents: what `openssl s_client | openssl x509 -noout` shows.

`tls_check` connects twice. The first handshake does not verify anything, so the
certificate can be read (with `cryptography`) even when it is expired, self-signed
or for another name: exactly the cases an operator needs to see. The second
handshake verifies the chain and the name the way a browser or `curl` would, and
its failure is worded for people ("certificate has expired", "hostname mismatch").

SAN matching (`name_matches`) is done here too, so the pane can say *which*
names a certificate covers when it does not cover the one asked for.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import math
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from tui.safetext import one_line
from tui.sources.probe_dns import Pins, is_ip, resolve

# A certificate that expires within this many days is worth a warning.
EXPIRY_WARNING_DAYS = 14

# OpenSSL X509_V_ERR_* codes and what they mean to someone fixing an ingress.
_VERIFY_WORDS = {
    9: "certificate is not yet valid (or the local clock is wrong)",
    10: "certificate has expired",
    18: "self-signed certificate: not issued by a trusted CA",
    19: "self-signed certificate in the chain: its root CA is not trusted",
    20: (
        "unknown issuer: the CA is not trusted here, or the server does not send"
        " its intermediate certificate"
    ),
    21: "unable to verify the certificate: the server may not send its intermediate certificate",
}
_HOSTNAME_MISMATCH = 62
_IP_MISMATCH = 64


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@functools.lru_cache(maxsize=8)
def _verifying_context(ca_file: str | None, _mtime: float) -> ssl.SSLContext:
    # Like curl: the system trust store, or only the given CA file (--cacert).
    context = ssl.create_default_context(cafile=ca_file)
    if ca_file is None and not context.cert_store_stats().get("x509_ca"):
        # Minimal images ship no system store: fall back to httpx's CA bundle.
        try:
            import certifi

            context.load_verify_locations(certifi.where())
        except (ImportError, OSError):
            pass
    return context


def verifying_context(ca_file: str | Path | None = None) -> ssl.SSLContext:
    """A verifying client context (cached; rebuilt when the CA file changes)."""
    if ca_file is None:
        return _verifying_context(None, 0.0)
    path = str(ca_file)
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        mtime = 0.0
    return _verifying_context(path, mtime)


@functools.lru_cache(maxsize=1)
def _reading_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def verify_problem(exc: ssl.SSLCertVerificationError, host: str) -> str:
    """A verification failure in words, e.g. "certificate has expired"."""
    code = getattr(exc, "verify_code", None)
    if code in (_HOSTNAME_MISMATCH, _IP_MISMATCH):
        return f"hostname mismatch: the certificate is not valid for {host}"
    if code in _VERIFY_WORDS:
        return _VERIFY_WORDS[code]
    message = getattr(exc, "verify_message", None) or exc.reason or str(exc)
    return one_line(str(message), max_chars=200)


def connection_problem(exc: BaseException, *, host: str, target: str, timeout: float) -> str:
    """A failed connection in words, naming what could not be reached."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS: {verify_problem(exc, host)}"
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or str(exc)
        return f"TLS handshake with {target} failed: {one_line(str(reason), max_chars=200)}"
    if isinstance(exc, TimeoutError):
        return f"timed out connecting to {target} after {timeout:g}s (firewall, wrong address?)"
    if isinstance(exc, ConnectionRefusedError):
        return f"connection refused by {target}: nothing is listening on that port"
    if isinstance(exc, ConnectionResetError):
        return f"connection reset by {target}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot connect to {target}: {exc.strerror.lower()}"
    return f"cannot connect to {target}: {one_line(str(exc), max_chars=200)}"


def _normal_name(name: str) -> str:
    name = name.strip().rstrip(".").lower()
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def name_matches(pattern: str, host: str) -> bool:
    """Does a SAN DNS name cover host? RFC 6125 wildcards, as browsers apply them.

    A wildcard is only the whole left-most label, stands for exactly one
    non-empty label, and needs at least two labels after it (`*.com` covers
    nothing). `*.example.com` covers `www.example.com`, not `example.com` nor
    `a.b.example.com`.
    """
    pattern, host = _normal_name(pattern), _normal_name(host)
    if not pattern or not host:
        return False
    if "*" not in pattern:
        return pattern == host
    first, _, rest = pattern.partition(".")
    if first != "*" or "*" in rest or rest.count(".") < 1:
        return False
    label, _, host_rest = host.partition(".")
    return bool(label) and host_rest == rest


def covers(host: str, dns_names: tuple[str, ...], ip_addresses: tuple[str, ...]) -> bool:
    """Whether a certificate with these SANs is valid for host (name or IP)."""
    if is_ip(host):
        wanted = ipaddress.ip_address(host.strip("[]"))
        return any(ipaddress.ip_address(ip) == wanted for ip in ip_addresses)
    return any(name_matches(name, host) for name in dns_names)


@dataclass(frozen=True, slots=True)
class TlsResult:
    host: str
    port: int
    address: str | None = None  # the address connected to
    issuer: str | None = None
    subject: str | None = None
    sans: tuple[str, ...] = ()  # DNS names and IP addresses, as in the certificate
    not_before: dt.datetime | None = None
    not_after: dt.datetime | None = None
    days_left: int | None = None  # whole days until expiry; negative: days since it expired
    expired: bool = False
    not_yet_valid: bool = False
    expiring_soon: bool = False  # valid, but expires within the warning window
    covers_host: bool = False
    verified: bool = False  # chain and name verified as a client would
    verify_error: str | None = None
    tls_version: str | None = None
    error: str | None = None  # no certificate could be read at all

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def problem(self) -> str | None:
        if self.error is not None:
            return "unreachable"
        if self.expired:
            return "expired"
        if self.not_yet_valid:
            return "not-yet-valid"
        if not self.covers_host:
            return "hostname"
        if not self.verified:
            return "untrusted"
        return None

    @property
    def explanation(self) -> str:
        if self.error is not None:
            return self.error
        until = self.not_after.date().isoformat() if self.not_after else "?"
        days = self.days_left if self.days_left is not None else 0
        if self.expired:
            ago = f"{_days(abs(days))} ago" if days else "less than a day ago"
            return f"certificate for {self.host} expired {ago}, on {until}"
        if self.not_yet_valid:
            return f"certificate for {self.host} is not valid yet (check the issuing, or the clock)"
        if not self.covers_host:
            names = ", ".join(self.sans) or "no names"
            return f"certificate does not cover {self.host}: it is for {names}"
        if not self.verified:
            return f"certificate for {self.host} not trusted: {self.verify_error}"
        issuer = _short_issuer(self.issuer)
        if self.expiring_soon:
            return f"certificate for {self.host} expires in {_days(days)}, on {until} ({issuer})"
        return f"certificate for {self.host} valid until {until}, {_days(days)} left ({issuer})"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _short_issuer(issuer: str | None) -> str:
    return f"issued by {issuer}" if issuer else "issuer unknown"


def _display_name(name: x509.Name) -> str:
    # "CN=R11, O=Let's Encrypt" reads better than the full RFC 4514 string.
    parts = []
    for oid, label in ((NameOID.COMMON_NAME, "CN"), (NameOID.ORGANIZATION_NAME, "O")):
        for attribute in name.get_attributes_for_oid(oid):
            parts.append(f"{label}={attribute.value!s}")
    text = ", ".join(parts) or name.rfc4514_string()
    return one_line(text, max_chars=200)


def _sans(cert: x509.Certificate) -> tuple[tuple[str, ...], tuple[str, ...]]:
    try:
        extension = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return (), ()
    names = tuple(
        one_line(n, max_chars=255) for n in extension.value.get_values_for_type(x509.DNSName)
    )
    ips = tuple(str(ip) for ip in extension.value.get_values_for_type(x509.IPAddress))
    return names, ips


def _handshake(
    address: str, port: int, host: str, context: ssl.SSLContext, timeout: float
) -> tuple[bytes | None, str | None]:
    """One TLS handshake with SNI=host; the peer's DER certificate and protocol version."""
    # The ssl module sends no SNI for an IP literal, but still matches it against IP SANs.
    with (
        socket.create_connection((address, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.getpeercert(binary_form=True), tls.version()


def target_name(host: str, address: str, port: int) -> str:
    """How a connection target is named in messages: "www.example.com at 10.0.0.7:443"."""
    where = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    return where if host.strip("[]") == address else f"{host} at {where}"


def tls_check(
    host: str,
    port: int = 443,
    *,
    address: str | None = None,
    pins: Pins | None = None,
    timeout: float = 5.0,
    ca_file: str | Path | None = None,
    now: dt.datetime | None = None,
    warn_days: int = EXPIRY_WARNING_DAYS,
) -> TlsResult:
    """Read and verify the certificate served for host (SNI) at address. Never raises.

    `address` defaults to the pinned or resolved address of host, so the check
    can target one load balancer while naming the site, like `curl --resolve`.
    """
    if address is None:
        dns = resolve(host, pins=pins, timeout=timeout, port=port)
        if not dns.ok:
            return TlsResult(host=host, port=port, error=f"DNS: {dns.error}")
        address = dns.addresses[0]
    target = target_name(host, address, port)
    try:
        der, version = _handshake(address, port, host, _reading_context(), timeout)
    except (OSError, ValueError) as exc:
        return TlsResult(
            host,
            port,
            address,
            error=connection_problem(exc, host=host, target=target, timeout=timeout),
        )
    if not der:
        return TlsResult(host, port, address, error=f"{target} sent no certificate")
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        return TlsResult(host, port, address, error=f"unreadable certificate: {exc}")

    verified, verify_error = True, None
    try:
        _handshake(address, port, host, verifying_context(ca_file), timeout)
    except ssl.SSLCertVerificationError as exc:
        verified, verify_error = False, verify_problem(exc, host)
    except (OSError, ValueError) as exc:
        verified, verify_error = (
            False,
            connection_problem(exc, host=host, target=target, timeout=timeout),
        )

    now = now or _now()
    not_before, not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    seconds_left = (not_after - now).total_seconds()
    days_left = math.trunc(seconds_left / 86400)  # -3: expired three (and a bit) days ago
    expired = seconds_left <= 0
    names, ips = _sans(cert)
    return TlsResult(
        host=host,
        port=port,
        address=address,
        issuer=_display_name(cert.issuer),
        subject=_display_name(cert.subject),
        sans=names + ips,
        not_before=not_before,
        not_after=not_after,
        days_left=days_left,
        expired=expired,
        not_yet_valid=now < not_before,
        expiring_soon=not expired and days_left < warn_days,
        covers_host=covers(host, names, ips),
        verified=verified,
        verify_error=verify_error,
        tls_version=version,
    )
