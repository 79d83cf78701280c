"""Watching one ingress host the way the runbooks check it by hand.

For a host such as `www.example.com`, each round of a `HostWatch`:

1. resolves the name and compares it with the ingress load balancer's addresses
   (`nslookup`: "both must point to the ingress LoadBalancer IP");
2. reads and verifies the certificate served for the name (`openssl s_client`);
3. requests a few paths (`curl -f`), and the JS/CSS bundles the front page links
   to (`curl -I .../main.js`: a bundle answered with text/html is the classic
   "MIME type" failure of a rewrite or SPA fallback);

then turns what it saw into `Finding`s, each naming the runbook scenario that
fixes it. All checks of a round go to the one address resolved at its start, so
they describe the same server. Findings that appear or clear between rounds
become `ProbeTransition`s, once each (kind "dns", "tls" or "http").

`pair_findings` compares an apex and its www sibling: "example.com works but
www.example.com does not" is its own runbook scenario.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import httpx

from tui.safetext import one_line
from tui.sources.probe_checks import (
    DnsComparison,
    DnsResult,
    HttpResult,
    TlsResult,
    compare_dns,
    http_check,
    in_thread,
    resolve,
    static_kind,
    tls_check,
)
from tui.sources.probe_dns import Pins, is_ip
from tui.sources.probe_tls import EXPIRY_WARNING_DAYS, covers
from tui.sources.probes import Clock, ProbeTransition, utc_now

log = logging.getLogger(__name__)

Severity = Literal["warn", "error"]

# Runbook scenarios a finding points to (names of bundled runbooks).
RUNBOOK_SITE_DOWN = "site-down-502-503"
RUNBOOK_JS_MIME = "js-bundle-mime-error"
RUNBOOK_WWW = "www-fails-apex-works"
RUNBOOK_TLS = "tls-certificate-expired"
RUNBOOK_NETWORK = "dns-and-network"

MAX_ASSETS = 2  # bundles sampled from the front page: one script and one stylesheet


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable, e.g. "tls-certificate-expired", "static-served-as-html"
    severity: Severity
    text: str  # one plain line
    runbook: str | None = None  # the runbook scenario that fixes it
    subject: str = ""  # what it is about: "dns", "tls" or "http:<path>" (one finding each)


@dataclass(frozen=True, slots=True)
class HostReport:
    host: str
    checked_at: dt.datetime
    dns: DnsResult
    dns_match: DnsComparison
    tls: TlsResult | None  # None for plain http hosts, or when DNS failed
    pages: tuple[HttpResult, ...] = ()
    findings: tuple[Finding, ...] = ()
    transitions: tuple[ProbeTransition, ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    @property
    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return "error" if not self.ok else "warn"

    @property
    def summary(self) -> str:
        if not self.findings:
            return f"{self.host}: all checks pass"
        first = next((f for f in self.findings if f.severity == "error"), self.findings[0])
        more = len(self.findings) - 1
        return first.text + (f" (+{more} more)" if more else "")


def sibling(host: str) -> str | None:
    """www.example.com <-> example.com; None for addresses."""
    if is_ip(host):
        return None
    return host[4:] if host.startswith("www.") else f"www.{host}"


def _dns_findings(dns: DnsResult, match: DnsComparison) -> list[Finding]:
    if not dns.ok:
        return [Finding("dns-failed", "error", dns.explanation, RUNBOOK_NETWORK, "dns")]
    if match.matches is False:
        return [Finding("dns-mismatch", "error", match.text, RUNBOOK_NETWORK, "dns")]
    return []


def _tls_finding(host: str, tls: TlsResult) -> Finding | None:
    """At most one TLS finding, the most urgent: a round has one certificate."""
    problem = tls.problem
    if problem == "unreachable":
        return Finding("tls-unreachable", "error", tls.explanation, RUNBOOK_NETWORK, "tls")
    if problem == "expired":
        return Finding("tls-certificate-expired", "error", tls.explanation, RUNBOOK_TLS, "tls")
    if problem == "not-yet-valid":
        code = "tls-certificate-not-yet-valid"
        return Finding(code, "error", tls.explanation, RUNBOOK_TLS, "tls")
    if problem == "hostname":
        other = sibling(host)
        names = tuple(n for n in tls.sans if not is_ip(n))
        if other and covers(other, names, ()):
            text = (
                f"certificate covers {other} but not {host}:"
                " the ingress TLS hosts must list both the apex and www"
            )
            return Finding("tls-hostname-mismatch", "error", text, RUNBOOK_WWW, "tls")
        return Finding("tls-hostname-mismatch", "error", tls.explanation, RUNBOOK_TLS, "tls")
    if problem == "untrusted":
        return Finding("tls-untrusted", "error", tls.explanation, RUNBOOK_TLS, "tls")
    if tls.expiring_soon:
        return Finding("tls-certificate-expiring", "warn", tls.explanation, RUNBOOK_TLS, "tls")
    return None


def _page_finding(page: HttpResult, tls_reported: bool) -> Finding | None:
    path = _path(page.url)
    subject = f"http:{path}"
    text = f"{path}: {page.explanation}"
    kind = page.problem
    if kind is None:
        return None
    if kind == "dns" or (kind == "tls" and tls_reported):
        return None  # already said by the DNS or TLS finding
    if kind == "content-type":
        return Finding("static-served-as-html", "error", text, RUNBOOK_JS_MIME, subject)
    if kind == "status":
        if page.status is not None and page.status >= 500:
            return Finding("http-5xx", "error", text, RUNBOOK_SITE_DOWN, subject)
        return Finding("http-status", "error", text, None, subject)
    if kind in ("timeout", "protocol"):
        return Finding("http-timeout", "error", text, RUNBOOK_SITE_DOWN, subject)
    if kind == "tls":
        return Finding("http-tls", "error", text, RUNBOOK_TLS, subject)
    return Finding("http-unreachable", "error", text, RUNBOOK_NETWORK, subject)


def analyse(
    host: str,
    dns: DnsResult,
    match: DnsComparison,
    tls: TlsResult | None,
    pages: Sequence[HttpResult],
) -> tuple[Finding, ...]:
    """What is wrong with one host, worst first, from one round of checks."""
    findings = _dns_findings(dns, match)
    tls_finding = _tls_finding(host, tls) if tls is not None else None
    if tls_finding is not None:
        findings.append(tls_finding)
    tls_reported = tls_finding is not None and tls_finding.severity == "error"
    for page in pages:
        finding = _page_finding(page, tls_reported)
        if finding is not None:
            findings.append(finding)
    findings.sort(key=lambda f: f.severity != "error")
    return tuple(findings)


def pair_findings(reports: Iterable[HostReport]) -> list[Finding]:
    """Findings like "example.com works but www.example.com fails", across reports."""
    by_host = {r.host.lower(): r for r in reports}
    findings: list[Finding] = []
    for host, report in by_host.items():
        if not host.startswith("www."):
            continue
        apex = by_host.get(host[4:])
        if apex is None or apex.ok == report.ok:
            continue
        good, bad = (apex, report) if apex.ok else (report, apex)
        code = "www-fails-apex-works" if apex.ok else "apex-fails-www-works"
        reason = next(f.text for f in bad.findings if f.severity == "error")
        text = f"{good.host} works but {bad.host} fails: {reason}"
        findings.append(Finding(code, "error", text, RUNBOOK_WWW, f"pair:{host}"))
    return findings


class _AssetLinks(HTMLParser):
    """Collects <script src> and <link rel=stylesheet href> from a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): (v or "") for k, v in attrs}
        stylesheet = "stylesheet" in values.get("rel", "").lower().split()
        if tag == "script" and values.get("src"):
            self.links.append(values["src"])
        elif tag == "link" and stylesheet and values.get("href"):
            self.links.append(values["href"])


def discover_assets(html: bytes, page_url: str, *, limit: int = MAX_ASSETS) -> list[str]:
    """Same-origin JS/CSS bundle URLs a page links to: one per kind, at most `limit`."""
    parser = _AssetLinks()
    try:
        parser.feed(html.decode("utf-8", errors="replace"))
        parser.close()
    except Exception:  # html.parser copes with nearly anything; a page must not break a round
        log.debug("could not parse %s for assets", page_url, exc_info=True)
    base = httpx.URL(page_url)
    found: dict[str, str] = {}
    for link in parser.links:
        try:
            url = base.join(link.strip())
        except (httpx.InvalidURL, ValueError):
            continue
        same_origin = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
        kind = static_kind(url)
        if same_origin and kind is not None and kind not in found:
            found[kind] = str(url.copy_with(fragment=None))
    return list(found.values())[:limit]


def _path(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return url
    return one_line(parsed.raw_path.decode("ascii", errors="replace"), max_chars=200)


class HostWatch:
    """Periodic DNS + TLS + HTTP checks of one ingress host, with findings and transitions."""

    def __init__(
        self,
        host: str,
        expected_addresses: Iterable[str] = (),
        *,
        scheme: Literal["https", "http"] = "https",
        port: int | None = None,
        paths: Sequence[str] = ("/",),
        discover: bool = True,
        pins: Pins | None = None,
        timeout: float = 5.0,
        ca_file: str | Path | None = None,
        warn_days: int = EXPIRY_WARNING_DAYS,
        interval: float = 60.0,
        clock: Clock = utc_now,
    ) -> None:
        if scheme not in ("https", "http"):
            raise ValueError(f"host {host!r}: scheme must be https or http")
        if not host or "/" in host:
            raise ValueError(f"host {host!r}: expected a bare host name such as www.example.com")
        if not paths or any(not p.startswith("/") for p in paths):
            raise ValueError(f"host {host!r}: paths must start with /")
        self.host = host.strip().rstrip(".").lower()
        self.expected = tuple(expected_addresses)
        self.scheme = scheme
        self.port = port or (443 if scheme == "https" else 80)
        self.paths = tuple(paths)
        self.discover = discover
        self.pins = dict(pins or {})
        self.timeout = timeout
        self.ca_file = ca_file
        self.warn_days = warn_days
        self.interval = interval
        self._clock = clock
        self._open: dict[str, Finding] = {}  # subject -> finding in force

    def url(self, path: str) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        netloc = name if self.port == default else f"{name}:{self.port}"
        return f"{self.scheme}://{netloc}{path}"

    async def check(self) -> HostReport:
        """One round. Blocking work runs in daemon threads; the loop is never held."""
        now = self._clock()
        dns = await in_thread(resolve, self.host, pins=self.pins, timeout=self.timeout)
        match = await in_thread(
            compare_dns, dns, self.expected, pins=self.pins, timeout=self.timeout
        )
        tls: TlsResult | None = None
        pages: list[HttpResult] = []
        if dns.ok:
            tls, pages = await self._probe(dns.addresses[0], now)
        findings = analyse(self.host, dns, match, tls, pages)
        transitions = self._transitions(findings, dns, match, tls, pages, now)
        return HostReport(self.host, now, dns, match, tls, tuple(pages), findings, transitions)

    async def _probe(
        self, address: str, now: dt.datetime
    ) -> tuple[TlsResult | None, list[HttpResult]]:
        pins = {**self.pins, self.host: address}
        return await asyncio.gather(self._certificate(address, now), self._pages(pins))

    async def _certificate(self, address: str, now: dt.datetime) -> TlsResult | None:
        if self.scheme != "https":
            return None
        return await in_thread(
            tls_check, self.host, self.port, address=address, timeout=self.timeout,
            ca_file=self.ca_file, now=now, warn_days=self.warn_days,
        )  # fmt: skip

    async def _pages(self, pins: Pins) -> list[HttpResult]:
        first, *rest = self.paths
        pages = list(
            await asyncio.gather(
                self._page(self.url(first), pins, keep_body=self.discover),
                *(self._page(self.url(path), pins) for path in rest),
            )
        )
        if self.discover and pages[0].raw_body:
            known = {self.url(p) for p in self.paths}
            links = discover_assets(pages[0].raw_body, pages[0].url)
            assets = [u for u in links if u not in known]
            pages += await asyncio.gather(*(self._page(u, pins) for u in assets))
        return pages

    def _page(self, url: str, pins: Pins, *, keep_body: bool = False) -> Awaitable[HttpResult]:
        return in_thread(
            http_check, url, timeout=self.timeout, pins=pins, ca_file=self.ca_file,
            keep_body=keep_body,
        )  # fmt: skip

    def _transitions(
        self,
        findings: Sequence[Finding],
        dns: DnsResult,
        match: DnsComparison,
        tls: TlsResult | None,
        pages: Sequence[HttpResult],
        now: dt.datetime,
    ) -> tuple[ProbeTransition, ...]:
        """One transition per subject whose finding appeared, changed or cleared.

        Only a subject that got a verdict this round can clear: a page that
        could not be fetched because DNS or TLS failed says nothing about the
        page, so its earlier finding stays open until it is seen again.
        """
        current: dict[str, Finding] = {}
        for finding in findings:
            current.setdefault(finding.subject, finding)
        passed = {"dns": match.text if match.matches else dns.explanation}
        if tls is not None and tls.ok:
            passed["tls"] = tls.explanation
        for page in pages:
            if page.ok:
                passed[f"http:{_path(page.url)}"] = page.explanation
        asked = {"dns", "tls"} | {f"http:{_path(page.url)}" for page in pages}
        out: list[ProbeTransition] = []
        still_open = dict(current)
        for subject in sorted(set(current) | set(self._open)):
            before, after = self._open.get(subject), current.get(subject)
            if after is not None:
                if before is None or before.code != after.code:
                    text = f"{self.host}: {after.text}"
                    out.append(self._transition(subject, False, text, after, now))
            elif before is not None and subject in passed:
                verdict = passed[subject]
                text = (
                    f"{self.host}: {_label(subject)} fine again ({before.code} cleared): {verdict}"
                )
                out.append(self._transition(subject, True, text, before, now))
            elif before is not None and (subject in asked or not dns.ok):
                still_open[subject] = before  # no verdict this round: no news either way
            # else: a bundle the page no longer links to; it is dropped without news
        self._open = still_open
        return tuple(out)

    def _transition(
        self, subject: str, up: bool, text: str, finding: Finding, now: dt.datetime
    ) -> ProbeTransition:
        data = {
            "host": self.host,
            "subject": subject,
            "code": finding.code,
            "severity": finding.severity,
            "runbook": finding.runbook,
        }
        kind = subject.split(":", 1)[0]
        return ProbeTransition(self.host, up, text, data, kind=kind, at=now)

    async def run_forever(self, on_report: Callable[[HostReport], Awaitable[None] | None]) -> None:
        """A round every `interval` seconds until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            report = await self.check()
            try:
                outcome = on_report(report)
                if inspect.isawaitable(outcome):
                    await outcome
            except Exception:
                log.exception("host report handler failed for %s", self.host)
            await asyncio.sleep(max(0.0, self.interval - (loop.time() - started)))


def _label(subject: str) -> str:
    if subject == "dns":
        return "DNS"
    if subject == "tls":
        return "TLS"
    return subject.split(":", 1)[1] if ":" in subject else subject
