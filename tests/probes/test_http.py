"""`curl -f` / `curl -I` against real local HTTP and HTTPS servers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.probes.conftest import PINS, WWW
from tests.probes.pki import TestCA
from tests.probes.servers import SilentServer, Site, closed_port
from tui.sources.probe_checks import StatusSet, http_check


def test_healthy(http_site: Site) -> None:
    result = http_check(http_site.url("/health"))
    assert result.ok and result.problem is None and result.error is None
    assert result.status == 200 and result.reason == "OK"
    assert result.content_type == "text/plain"
    assert result.latency_ms is not None and result.latency_ms >= 0
    assert result.body_excerpt == "ok"
    assert result.explanation.startswith("200 OK in ")


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        (502, "the ingress got no valid answer from the app: pods down or crashing?"),
        (503, "no ready backend: no endpoints, failing readiness, or overloaded"),
    ],
)
def test_site_down_statuses(http_site: Site, status: int, hint: str) -> None:
    result = http_check(http_site.url(f"/status/{status}"))
    assert not result.ok and result.problem == "status" and result.status == status
    assert result.error is None
    assert result.explanation.endswith(f"(expected 200-399): {hint}")


def test_a_slow_answer_times_out(http_site: Site) -> None:
    result = http_check(http_site.url("/slow"), timeout=0.5)
    assert result.problem == "timeout" and result.status is None
    assert result.error == (
        f"127.0.0.1:{http_site.port} accepted the connection but sent no response within 0.5s"
    )


def test_connection_refused() -> None:
    port = closed_port()
    result = http_check(f"http://127.0.0.1:{port}/health", timeout=2)
    assert result.problem == "refused"
    assert result.error == (
        f"connection refused by 127.0.0.1:{port}: nothing is listening on that port"
    )


def test_a_hung_server(silent: SilentServer) -> None:
    result = http_check(silent.url("/health"), timeout=0.5)
    assert result.problem == "timeout"


def test_a_js_bundle_answered_with_html(http_site: Site) -> None:
    assert http_check(http_site.url("/static/js/main.js")).ok
    http_site.spa_fallback = True
    result = http_check(http_site.url("/static/js/main.js?v=3"))
    assert result.status == 200 and result.content_type == "text/html; charset=utf-8"
    assert result.content_type_mismatch and not result.ok
    assert result.problem == "content-type"
    assert result.explanation == (
        "JS bundle served as text/html: a rewrite or SPA fallback is answering static paths"
    )
    # A page that is meant to be HTML is not flagged.
    assert http_check(http_site.url("/")).ok


def test_a_redirect_is_reported_not_followed(http_site: Site) -> None:
    result = http_check(http_site.url("/redirect"))
    assert result.ok and result.status == 301
    assert result.location == "https://example.test/"
    assert result.explanation.endswith("redirects to https://example.test/")
    strict = http_check(http_site.url("/redirect"), expect_status=200)
    assert not strict.ok and strict.problem == "status"
    assert strict.explanation == "301 Moved Permanently (expected 200)"


def test_head_reads_no_body(http_site: Site) -> None:
    result = http_check(http_site.url("/static/js/main.js"), method="HEAD")
    assert result.ok and result.body_excerpt == ""
    assert http_site.requests[-1][0] == "HEAD"


def test_the_body_excerpt_is_inert(http_site: Site) -> None:
    result = http_check(http_site.url("/evil"))
    assert "\x1b" not in result.body_excerpt and "\x07" not in result.body_excerpt
    assert result.body_excerpt == "␛[31m[red]pwned[/red]␇ line next"


def test_the_body_is_capped(http_site: Site) -> None:
    result = http_check(http_site.url("/"), keep_body=True, max_body=20)
    assert len(result.raw_body) == 20
    assert http_check(http_site.url("/")).raw_body == b""


def test_pinned_https_keeps_the_name_for_host_sni_and_verification(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("valid")
    result = http_check(site.url("/health", WWW), pins=PINS, ca_file=ca.ca_file)
    assert result.ok, result.explanation
    assert result.address == "127.0.0.1" and result.pinned
    assert site.sni_names[-1] == WWW
    assert site.requests[-1] == ("GET", "/health", f"{WWW}:{site.port}")


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("expired", "TLS: certificate has expired"),
        ("no-www", "TLS: hostname mismatch: the certificate is not valid for www.example.test"),
        ("self-signed", "TLS: self-signed certificate: not issued by a trusted CA"),
    ],
)
def test_tls_failures_in_words(
    https_site: Callable[[str], Site], ca: TestCA, kind: str, words: str
) -> None:
    site = https_site(kind)
    result = http_check(site.url("/health", WWW), pins=PINS, ca_file=ca.ca_file)
    assert result.problem == "tls" and result.status is None
    assert result.error == words


def test_verification_can_be_turned_off(https_site: Callable[[str], Site]) -> None:
    site = https_site("self-signed")
    result = http_check(site.url("/health", WWW), pins=PINS, verify=False)
    assert result.ok and result.status == 200


def test_unresolvable_name_and_bad_urls() -> None:
    assert http_check("http://no-such-host.invalid/", timeout=3).problem == "dns"
    assert http_check("ftp://example.test/").problem == "url"
    assert http_check("http://").problem == "url"


@pytest.mark.parametrize(
    ("value", "text", "inside", "outside"),
    [
        (range(200, 400), "200-399", [200, 399], [199, 400]),
        ("2xx", "200-299", [204], [301]),
        ("200, 301-302", "200, 301-302", [200, 302], [201, 303]),
        ([200, "204", 201], "200-201, 204", [201, 204], [202]),
        ({503}, "503", [503], [200]),
        (404, "404", [404], [200]),
    ],
)
def test_status_sets(value: object, text: str, inside: list[int], outside: list[int]) -> None:
    statuses = StatusSet.parse(value)
    assert str(statuses) == text
    assert all(s in statuses for s in inside)
    assert not any(s in statuses for s in outside)


@pytest.mark.parametrize("value", ["ok", "600", "399-200", "", [], True, 2.5, range(200, 400, 2)])
def test_bad_status_sets(value: object) -> None:
    with pytest.raises(ValueError, match="expected status"):
        StatusSet.parse(value)
