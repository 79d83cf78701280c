"""Certificates read from real local TLS servers, verified against a test CA."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from tests.probes.conftest import APEX, PINS, WWW
from tests.probes.pki import TestCA
from tests.probes.servers import Site, closed_port
from tui.sources.probe_checks import name_matches, tls_check


def test_a_valid_certificate(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("valid")
    result = tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file, timeout=5)
    assert result.ok and result.problem is None and result.error is None
    assert result.verified and result.verify_error is None
    assert result.covers_host
    assert result.address == "127.0.0.1"
    assert result.sans == (APEX, WWW)
    assert result.issuer == "CN=Probe Test CA, O=Probe Tests"
    assert result.subject == "CN=example.test, O=Probe Tests"
    assert result.days_left is not None and 58 <= result.days_left <= 60
    assert not result.expiring_soon and not result.expired
    assert result.tls_version in ("TLSv1.2", "TLSv1.3")
    # SNI carried the name, not the address.
    assert site.sni_names and set(site.sni_names) == {WWW}
    assert result.explanation.startswith("certificate for www.example.test valid until ")


def test_the_address_can_be_given_directly(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("valid")
    result = tls_check(WWW, site.port, address="127.0.0.1", ca_file=ca.ca_file)
    assert result.ok


def test_an_expired_certificate_is_still_read(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("expired")
    result = tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file)
    assert not result.ok and result.problem == "expired" and result.expired
    assert result.verify_error == "certificate has expired"
    assert result.days_left == -3
    assert result.covers_host  # the name is right; only the date is wrong
    assert result.not_after is not None
    assert result.explanation == (
        f"certificate for {WWW} expired 3 days ago, on {result.not_after.date().isoformat()}"
    )


def test_a_certificate_without_www(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("no-www")
    www = tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file)
    assert not www.ok and www.problem == "hostname" and not www.covers_host
    assert (
        www.verify_error == "hostname mismatch: the certificate is not valid for www.example.test"
    )
    assert www.explanation == "certificate does not cover www.example.test: it is for example.test"
    apex = tls_check(APEX, site.port, pins=PINS, ca_file=ca.ca_file)
    assert apex.ok


def test_a_self_signed_certificate(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("self-signed")
    result = tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file)
    assert result.problem == "untrusted" and not result.verified
    assert result.covers_host and result.days_left is not None
    assert result.verify_error == "self-signed certificate: not issued by a trusted CA"
    assert result.issuer == result.subject


def test_a_certificate_from_an_unknown_ca(https_site: Callable[[str], Site]) -> None:
    # Without --cacert the system trust store is used, which knows nothing of the test CA.
    site = https_site("valid")
    result = tls_check(WWW, site.port, pins=PINS)
    assert result.problem == "untrusted"
    assert result.verify_error is not None and result.verify_error.startswith("unknown issuer")


def test_a_certificate_about_to_expire(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("expiring")
    result = tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file)
    assert result.ok and result.expiring_soon and result.days_left == 5
    assert "expires in 5 days" in result.explanation


def test_expiry_is_judged_at_the_given_time(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("valid")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=70)
    result = tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file, now=later)
    assert result.expired and result.problem == "expired"


def test_a_wildcard_covers_www_but_not_the_apex(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("wildcard")
    assert tls_check(WWW, site.port, pins=PINS, ca_file=ca.ca_file).ok
    apex = tls_check(APEX, site.port, pins=PINS, ca_file=ca.ca_file)
    assert apex.problem == "hostname" and not apex.covers_host


def test_nothing_listening() -> None:
    port = closed_port()
    result = tls_check(WWW, port, pins=PINS, timeout=2)
    assert result.problem == "unreachable" and not result.ok
    assert result.error == (
        f"connection refused by www.example.test at 127.0.0.1:{port}:"
        " nothing is listening on that port"
    )


def test_a_name_that_does_not_resolve() -> None:
    result = tls_check("no-such-host.invalid", 443, timeout=3)
    assert result.problem == "unreachable"
    assert result.error is not None and result.error.startswith("DNS: ")


def test_a_plain_http_server_is_a_handshake_failure(http_site: Site) -> None:
    result = tls_check(WWW, http_site.port, pins=PINS, timeout=3)
    assert result.problem == "unreachable"
    assert result.error is not None and "TLS handshake with www.example.test" in result.error


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("www.example.com", "www.example.com", True),
        ("WWW.Example.COM", "www.example.com.", True),
        ("*.example.com", "www.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.com", "example.com", False),
        ("w*.example.com", "www.example.com", False),
        ("www.*.com", "www.example.com", False),
        ("example.com", "www.example.com", False),
        ("xn--bcher-kva.example", "bücher.example", True),
    ],
)
def test_name_matching_follows_browser_rules(pattern: str, host: str, expected: bool) -> None:
    assert name_matches(pattern, host) is expected
