"""Watching an ingress host end to end: DNS, certificate, pages, bundles, findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from tests.helpers.fixed import FixedClock
from tests.probes.conftest import APEX, PINS, WWW
from tests.probes.pki import TestCA
from tests.probes.servers import Site
from tui.sources.probe_hosts import (
    HostReport,
    HostWatch,
    discover_assets,
    pair_findings,
)


def _watch(site: Site, ca: TestCA, host: str = WWW, **kwargs: object) -> HostWatch:
    return HostWatch(host, port=site.port, pins=PINS, ca_file=ca.ca_file, timeout=3, **kwargs)  # type: ignore[arg-type]


def _codes(report: HostReport) -> list[tuple[str, str | None]]:
    return [(f.code, f.runbook) for f in report.findings]


async def test_a_healthy_host(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("valid")
    report = await _watch(
        site, ca, expected_addresses=["127.0.0.1"], paths=["/", "/health"]
    ).check()
    assert report.ok and report.findings == () and report.worst is None
    assert report.dns_match.matches is True
    assert report.tls is not None and report.tls.ok
    # "/" and "/health", then the bundles "/" links to (the CDN script is another origin).
    assert [p.url.split(str(site.port))[1] for p in report.pages] == [
        "/",
        "/health",
        "/static/css/app.css",
        "/static/js/main.js",
    ]
    assert all(p.ok for p in report.pages)
    assert report.summary == "www.example.test: all checks pass"
    assert report.transitions == ()


async def test_a_spa_fallback_answering_the_bundle(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("valid")
    site.spa_fallback = True
    report = await _watch(site, ca).check()
    assert _codes(report) == [("static-served-as-html", "js-bundle-mime-error")]
    assert report.findings[0].text == (
        "/static/js/main.js: JS bundle served as text/html:"
        " a rewrite or SPA fallback is answering static paths"
    )


async def test_an_expired_certificate(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("expired")
    report = await _watch(site, ca).check()
    # The pages fail on TLS too, but the certificate finding already says it.
    assert _codes(report) == [("tls-certificate-expired", "tls-certificate-expired")]
    assert not report.ok and report.worst == "error"


async def test_www_missing_from_the_certificate(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("no-www")
    www = await _watch(site, ca, WWW).check()
    apex = await _watch(site, ca, APEX).check()
    assert _codes(www) == [("tls-hostname-mismatch", "www-fails-apex-works")]
    assert www.findings[0].text == (
        "certificate covers example.test but not www.example.test:"
        " the ingress TLS hosts must list both the apex and www"
    )
    assert apex.ok
    paired = pair_findings([apex, www])
    assert [(f.code, f.runbook) for f in paired] == [
        ("www-fails-apex-works", "www-fails-apex-works")
    ]
    assert paired[0].text.startswith("example.test works but www.example.test fails: ")
    assert pair_findings([apex, apex]) == []


async def test_site_down(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("valid")
    site.health_status = 503
    report = await _watch(site, ca, paths=["/health"]).check()
    assert _codes(report) == [("http-5xx", "site-down-502-503")]
    assert report.findings[0].text.startswith("/health: 503 Service Unavailable")


async def test_dns_pointing_elsewhere(https_site: Callable[[str], Site], ca: TestCA) -> None:
    site = https_site("valid")
    report = await _watch(site, ca, expected_addresses=["10.0.0.1"]).check()
    assert _codes(report) == [("dns-mismatch", "dns-and-network")]
    assert report.findings[0].text == (
        "www.example.test resolves to 127.0.0.1, not the load balancer (10.0.0.1)"
    )


async def test_a_name_that_does_not_resolve() -> None:
    report = await HostWatch("no-such-host.invalid", timeout=3).check()
    assert [f.code for f in report.findings] == ["dns-failed"]
    assert report.tls is None and report.pages == ()


async def test_plain_http_hosts_have_no_certificate(http_site: Site) -> None:
    watch = HostWatch(WWW, scheme="http", port=http_site.port, pins=PINS, timeout=3)
    report = await watch.check()
    assert report.ok and report.tls is None
    assert http_site.requests[0] == ("GET", "/", f"{WWW}:{http_site.port}")


async def test_transitions_fire_once_when_findings_appear_and_clear(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("valid")  # valid for 60 days from now
    clock = FixedClock(dt.datetime.now(dt.UTC))
    watch = _watch(site, ca, clock=clock, discover=False)

    assert (await watch.check()).transitions == ()

    clock.advance(days=50)  # ten days left: expiring
    expiring = await watch.check()
    assert [(t.kind, t.up, t.data["code"]) for t in expiring.transitions] == [
        ("tls", False, "tls-certificate-expiring")
    ]
    assert "expires in 9 days" in expiring.transitions[0].text
    assert (await watch.check()).transitions == ()

    clock.advance(days=15)  # past expiry: one transition, expiring -> expired
    expired = await watch.check()
    assert [(t.up, t.data["code"]) for t in expired.transitions] == [
        (False, "tls-certificate-expired")
    ]

    clock.now = dt.datetime.now(dt.UTC)  # renewed, as far as this watch can tell
    renewed = await watch.check()
    assert [(t.up, t.data["code"]) for t in renewed.transitions] == [
        (True, "tls-certificate-expired")
    ]
    assert renewed.transitions[0].text.startswith(
        "www.example.test: TLS fine again (tls-certificate-expired cleared): certificate for"
    )

    site.health_status = 503
    watch.paths = ("/", "/health")
    broken = await watch.check()
    assert [(t.kind, t.up) for t in broken.transitions] == [("http", False)]
    assert (await watch.check()).transitions == ()
    site.health_status = 200
    fixed = await watch.check()
    assert [(t.kind, t.up, t.data["subject"]) for t in fixed.transitions] == [
        ("http", True, "http:/health")
    ]


async def test_dns_mismatch_appears_and_clears_once(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("valid")
    watch = _watch(site, ca, expected_addresses=["127.0.0.1"], discover=False)
    assert (await watch.check()).transitions == ()
    watch.expected = ("10.0.0.1",)  # the load balancer moved; DNS did not follow
    moved = await watch.check()
    assert [(t.kind, t.up) for t in moved.transitions] == [("dns", False)]
    assert (await watch.check()).transitions == ()
    watch.expected = ("127.0.0.1",)
    back = await watch.check()
    assert [(t.kind, t.up) for t in back.transitions] == [("dns", True)]


def test_discover_assets_keeps_one_bundle_of_each_kind_from_the_same_origin() -> None:
    html = (
        b'<script src="/a.js"></script><script src="/b.js"></script>'
        b'<script src="//cdn.example.net/x.js"></script>'
        b'<link rel="preload" href="/font.css"><link rel="StyleSheet" href="css/site.css">'
        b'<script src="javascript:alert(1)"></script>'
    )
    assert discover_assets(html, "https://www.example.test/shop/") == [
        "https://www.example.test/a.js",
        "https://www.example.test/shop/css/site.css",
    ]
    assert discover_assets(b"<html", "https://www.example.test/") == []


async def test_a_round_without_verdict_neither_clears_nor_repeats_a_finding(
    https_site: Callable[[str], Site], ca: TestCA
) -> None:
    site = https_site("valid")
    site.health_status = 503
    watch = _watch(site, ca, paths=["/health"], discover=False)
    first = await watch.check()
    assert [(t.kind, t.up) for t in first.transitions] == [("http", False)]

    watch.pins = {}  # the name is now looked up for real, and does not exist
    lost = await watch.check()
    assert [f.code for f in lost.findings] == ["dns-failed"]
    assert [(t.kind, t.up) for t in lost.transitions] == [("dns", False)]  # /health: no news

    watch.pins = dict(PINS)
    again = await watch.check()
    assert [(t.kind, t.up) for t in again.transitions] == [("dns", True)]  # still 503: no repeat

    site.health_status = 200
    fixed = await watch.check()
    assert [(t.kind, t.up) for t in fixed.transitions] == [("http", True)]
