"""The Ingress pane alone, driven with Pilot and fed what the app would send.

Ingress rows come from the real IngressIndex over API-shaped objects; host
reports, probe states and Prometheus results are the real dataclasses with
fixed values, so pictures do not churn.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message

from tests.helpers.edge_objects import endpoints, healthy_shop, ingress, service
from tests.helpers.fixed import T0, FixedClock
from tui.messages import (
    HostsChecked,
    KubeUnavailable,
    KubeUpdated,
    ProbesUpdated,
    PrometheusPolled,
)
from tui.sources.kube.cache import Changes
from tui.sources.kube.ingress_index import IngressIndex
from tui.sources.kube.model import Delta
from tui.sources.kube.watch import CERTIFICATES, EDGE_KINDS, INGRESSES, Scope, WatchState
from tui.sources.probe_dns import DnsComparison, DnsResult
from tui.sources.probe_hosts import HostReport, analyse, pair_findings
from tui.sources.probe_http import HttpResult
from tui.sources.probe_tls import TlsResult
from tui.sources.probes import ProbeState
from tui.sources.prometheus import QueryResult, Sample
from widgets.ingress_pane import IngressPane, edge_status
from widgets.ingress_text import ago, runbook_for_probe
from widgets.key_bar import KeyBar

Obj = dict[str, Any]
APEX, WWW = "shop.example.com", "www.shop.example.com"
LB = "198.18.0.10"
SIZES = [(80, 24), (160, 48)]


class PaneApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.requests: list[Message] = []

    def compose(self) -> ComposeResult:
        yield IngressPane(2, clock=self.clock, tick_seconds=3600)
        yield KeyBar()

    @property
    def pane(self) -> IngressPane:
        return self.query_one(IngressPane)

    def on_mount(self) -> None:
        self.pane.focus_target.focus()

    def on_ingress_pane_runbook_requested(self, message: IngressPane.RunbookRequested) -> None:
        self.requests.append(message)

    def on_ingress_pane_recheck_requested(self, message: IngressPane.RecheckRequested) -> None:
        self.requests.append(message)


def keyed(objects: list[Obj]) -> dict:
    plural = {"Ingress": "ingresses", "Service": "services", "Endpoints": "endpoints",
              "Certificate": "certificates", "Challenge": "challenges"}  # fmt: skip
    return {("prod", plural[o["kind"]], o["metadata"]["uid"]): o for o in objects}


def live(kinds=EDGE_KINDS) -> dict[Scope, WatchState]:
    return {Scope("prod", k, None): WatchState(Scope("prod", k, None), "live") for k in kinds}


def delta_of(objects: list[Obj], states: dict[Scope, WatchState] | None = None) -> Delta:
    """What the app's model sends: ingress rows judged from `objects`."""
    states = live() if states is None else states
    index = IngressIndex()
    changes = index.apply(Changes(updated=keyed(objects)), states, T0)
    delta = Delta()
    delta.ingresses.updated.update(changes.updated)
    delta.edge_states = list(states.values())
    return delta


def incident_objects() -> list[Obj]:
    """The shop with www dropped from its TLS hosts, and a healthy blog next to it."""
    objects = healthy_shop()
    objects[0]["spec"]["tls"][0]["hosts"] = [APEX]
    objects += [
        ingress("blog", "blog", rules={"blog.example.com": [("/", "blog", 80)]},
                tls=[("blog-tls", ["blog.example.com"])]),
        service("blog", "blog"),
        endpoints("blog", "blog"),
    ]  # fmt: skip
    return objects


def tls(host: str, *, covers: bool = True, sans: tuple[str, ...] = (APEX,)) -> TlsResult:
    return TlsResult(
        host=host, port=443, address=LB, issuer="CN=R11,O=Let's Encrypt,C=US",
        subject=f"CN={APEX}", sans=sans, not_before=T0 - timedelta(days=30),
        not_after=T0 + timedelta(days=60), days_left=60, covers_host=covers, verified=covers,
        verify_error=None if covers else f"hostname mismatch: certificate is not valid for {host}",
        tls_version="TLSv1.3",
    )  # fmt: skip


def page(host: str, path: str, *, content_type: str = "text/html", error: str | None = None,
         mismatch: bool = False) -> HttpResult:  # fmt: skip
    if error is not None:
        return HttpResult(url=f"https://{host}{path}", error=error, error_kind="tls")
    return HttpResult(
        url=f"https://{host}{path}", status=200, reason="OK", latency_ms=42.0,
        content_type=content_type, address=LB, status_ok=True, content_type_mismatch=mismatch,
    )  # fmt: skip


def host_reports() -> dict[str, HostReport]:
    apex_dns = DnsResult(APEX, (LB,))
    apex_match = DnsComparison(True, (LB,), (), f"{APEX} points at the load balancer ({LB})")
    apex_pages = (page(APEX, "/"), page(APEX, "/static/js/main.js", content_type="text/javascript"))
    www_dns = DnsResult(WWW, ("192.0.2.80",))
    www_match = DnsComparison(
        False, (LB,), ("192.0.2.80",),
        f"{WWW} resolves to 192.0.2.80, not the load balancer ({LB})",
    )  # fmt: skip
    www_tls = tls(WWW, covers=False)
    www_pages = (page(WWW, "/", error="TLS: hostname mismatch"),)
    reports = {
        APEX: HostReport(APEX, T0, apex_dns, apex_match, tls(APEX), apex_pages,
                         analyse(APEX, apex_dns, apex_match, tls(APEX), apex_pages)),
        WWW: HostReport(WWW, T0, www_dns, www_match, www_tls, www_pages,
                        analyse(WWW, www_dns, www_match, www_tls, www_pages)),
    }  # fmt: skip
    return reports


def probe_states() -> tuple[ProbeState, ...]:
    down = [120.0, 130.0, 180.0, 900.0, 2400.0, None, None]
    return (
        ProbeState(
            name="checkout", url="https://shop.example.com/health", up=False, status=503,
            latency_ms=12.0, latencies=(*down, 12.0), explanation=(
                "503 Service Unavailable (expected 200-399): no ready backend"),
            last_error="503 Service Unavailable (expected 200-399): no ready backend",
            last_checked_at=T0 - timedelta(seconds=4), last_success_at=T0 - timedelta(minutes=7),
            down_since=T0 - timedelta(minutes=6, seconds=50), consecutive_failures=28, checks=90,
            last_result=HttpResult(url="https://shop.example.com/health", status=503,
                                   reason="Service Unavailable", latency_ms=12.0),
        ),
        ProbeState(
            name="api", url="https://api.example.com/healthz", up=True, status=200,
            latency_ms=38.0, latencies=(35.0, 41.0, 39.0, 52.0, 38.0, 36.0, 38.0),
            explanation="200 OK in 38 ms", last_checked_at=T0 - timedelta(seconds=2),
            last_success_at=T0 - timedelta(seconds=2), checks=90,
        ),
        ProbeState(name="[red]evil[/]\x1b[2J", url="http://evil.example.com/", checks=0),
    )  # fmt: skip


def prometheus_results() -> dict[str, QueryResult]:
    up = QueryResult(
        "up",
        samples=(Sample({"job": "api", "instance": "10.0.0.2:8080"}, 0.0),
                 Sample({"job": "api", "instance": "10.0.0.3:8080"}, 1.0),
                 Sample({"job": "web", "instance": "10.0.0.4:8080"}, 1.0)),
        result_type="vector", history=(3.0, 3.0, 2.0), checked_at=T0,
    )  # fmt: skip
    rate = QueryResult("errors", samples=(Sample({}, 0.4231),), result_type="vector",
                       history=(0.1, 0.4231), checked_at=T0)  # fmt: skip
    broken = QueryResult("sum(", error="query rejected (bad_data): parse error at char 5",
                         checked_at=T0)  # fmt: skip
    return {"up": up, "5xx rate": rate, "latency p99": broken}


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause()


async def fed(pilot: Any) -> None:
    pane = pilot.app.pane
    pane.post_message(KubeUpdated(delta_of(incident_objects()), ("prod",)))
    reports = host_reports()
    pane.post_message(HostsChecked(reports, {"blog.example.com": "host checks are off"},
                                   tuple(pair_findings(reports.values()))))  # fmt: skip
    pane.post_message(ProbesUpdated(probe_states()))
    pane.post_message(PrometheusPolled("http://prometheus.monitoring:9090", prometheus_results()))
    await settle(pilot)


def detail(pane: IngressPane) -> str:
    shown = pane.ingresses.detail_text.render()
    return shown.plain if isinstance(shown, Text) else str(shown)


def names(pane: IngressPane) -> list[str]:
    table = pane.ingresses.table
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


# -- ingresses -------------------------------------------------------------------------


async def test_broken_ingresses_come_first_with_their_findings_and_runbooks() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await fed(pilot)
        pane = app.pane
        assert names(pane) == ["shop/web", "blog/blog"]
        row = pane.ingresses.table.get_row_at(0)
        assert row[0].plain == "✖" and row[2].plain == "4 errors"  # its own and its hosts'
        text = detail(pane)
        assert f"{WWW} is routed but missing from the TLS hosts" in text
        assert "runbook: www-fails-apex-works" in text
        assert f"{APEX} / (Prefix) → web:80" in text
        assert "/api (Prefix) → api:http" in text
        assert "secret shop-tls" in text
        assert "cert-manager.io/cluster-issuer: letsencrypt-prod" in text
        assert pane.border_title == "2 Ingress · ingresses"
        assert pane.status_text == "live · 2 ingresses · 1 broken · 3 probes · 1 down"
        await pilot.press("down")
        assert "blog/blog" in detail(pane) and "no findings" in detail(pane)
        assert "not checked: host checks are off" in detail(pane)


async def test_host_checks_show_dns_tls_and_http_per_host() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await fed(pilot)
        text = detail(app.pane)
        assert f"DNS {APEX} points at the load balancer ({LB})" in text
        assert f"DNS {WWW} resolves to 192.0.2.80, not the load balancer ({LB})" in text
        assert "TLS certificate for shop.example.com valid until" in text
        assert f"does NOT cover {WWW}" in text
        assert "HTTP /static/js/main.js: 200 42 ms text/javascript" in text
        assert f"{APEX} works but {WWW} fails" in text  # the pair finding
        # Host findings count in the table: DNS and TLS of www, and the pair.
        assert app.pane.ingresses.table.get_row_at(0)[2].plain.startswith("4 errors")


async def test_a_js_bundle_served_as_html_is_flagged() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 48)) as pilot:
        dns = DnsResult(APEX, (LB,))
        match = DnsComparison(True, (LB,), (), "fine")
        pages = (page(APEX, "/"), page(APEX, "/static/js/main.js", mismatch=True))
        report = HostReport(APEX, T0, dns, match, tls(APEX), pages,
                            analyse(APEX, dns, match, tls(APEX), pages))  # fmt: skip
        app.pane.post_message(KubeUpdated(delta_of(healthy_shop()), ("prod",)))
        app.pane.post_message(HostsChecked({APEX: report}, {}))
        await settle(pilot)
        text = detail(app.pane)
        assert "/static/js/main.js: JS bundle served as text/html" in text
        assert "runbook: js-bundle-mime-error" in text
        await pilot.press("b")
        (request,) = app.requests
        assert isinstance(request, IngressPane.RunbookRequested)
        assert request.runbook == "js-bundle-mime-error"


async def test_b_asks_for_the_runbook_and_r_for_a_recheck_of_the_hosts() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await fed(pilot)
        await pilot.press("b", "r")
        runbook, recheck = app.requests
        assert isinstance(runbook, IngressPane.RunbookRequested)
        assert runbook.runbook == "www-fails-apex-works" and WWW in runbook.reason
        assert isinstance(recheck, IngressPane.RecheckRequested)
        assert recheck.hosts == (APEX, WWW) and not recheck.probes


async def test_enter_reads_the_detail_and_escape_goes_back() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await fed(pilot)
        await pilot.press("enter")
        assert app.focused is app.pane.ingresses.detail
        await pilot.press("down", "escape")
        assert app.focused is app.pane.ingresses.table


async def test_the_key_bar_shows_the_pane_keys_at_80x24() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await fed(pilot)
        bar = app.query_one(KeyBar).render()
        plain = bar.plain if isinstance(bar, Text) else str(bar)
        for words in (" v  View ", " b  Runbook ", " r  Recheck "):
            assert words in plain
        ids = {b.id for b in IngressPane.BINDINGS}
        assert ids == {"ingress.view", "ingress.runbook", "ingress.recheck", "ingress.details"}
        assert all(b.tooltip for b in IngressPane.BINDINGS)


async def test_rows_are_updated_and_removed_by_key() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.pane
        objects = incident_objects()
        index = IngressIndex()
        first = index.apply(Changes(updated=keyed(objects)), live(), T0)
        delta = Delta()
        delta.ingresses.updated.update(first.updated)
        pane.post_message(KubeUpdated(delta, ("prod",)))
        await settle(pilot)
        objects[0]["spec"]["tls"][0]["hosts"] = [APEX, WWW]  # fixed
        fixed = index.apply(Changes(updated=keyed(objects[:1])), {}, T0)
        blog_key = next(k for k in keyed(objects) if k[1] == "ingresses" and k != next(
            iter(fixed.updated)))  # fmt: skip
        delta = Delta()
        delta.ingresses.updated.update(fixed.updated)
        delta.ingresses.removed.add(blog_key)
        pane.post_message(KubeUpdated(delta, ("prod",)))
        await settle(pilot)
        assert names(pane) == ["shop/web"]
        assert pane.ingresses.table.get_row_at(0)[2].plain == "ok"
        # A delta about pods only leaves the pane alone.
        pane.post_message(KubeUpdated(Delta(), ("prod",)))
        await settle(pilot)
        assert names(pane) == ["shop/web"]


async def test_hostile_text_is_shown_literally() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 48)) as pilot:
        evil = ingress("[red]x[/]", rules={"evil.example.com": [("/", "[b]svc\x1b[2J", 80)]})
        app.pane.post_message(KubeUpdated(delta_of([evil]), ("prod",)))
        app.pane.post_message(ProbesUpdated(probe_states()))
        await settle(pilot)
        assert names(app.pane) == ["shop/[red]x[/]"]
        text = detail(app.pane)
        assert "\x1b" not in text and "[b]svc␛[2J" in text
        await pilot.press("v")
        shown = app.pane.probes.table.get_row("[red]evil[/]\x1b[2J")[1]
        assert shown.plain == "[red]evil[/]␛[2J"


async def test_watch_states_say_what_is_missing() -> None:
    scope = Scope("prod", CERTIFICATES, None)
    absent = WatchState(scope, "reconnecting", "the server could not find the requested resource",
                        reason="notfound")  # fmt: skip
    states = {**live(), scope: absent}
    text, note = edge_status(list(states.values()))
    assert text.plain == "live · cert-manager: absent"
    assert note.startswith("cert-manager is not installed here")
    forbidden = WatchState(Scope("prod", INGRESSES, "shop"), "forbidden", "no", reason="forbidden")
    refused = WatchState(scope, "forbidden", "no", reason="forbidden")
    text, note = edge_status([*live().values(), refused])
    assert text.plain == "live · cert-manager: unreadable"
    assert note.startswith("cert-manager objects unreadable (forbidden: certificates)")
    text, _ = edge_status([forbidden])
    assert text.plain == "forbidden: ingresses in shop"
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        objects = healthy_shop()
        states = {s: v for s, v in live().items() if s.kind not in (CERTIFICATES,)}
        app.pane.post_message(KubeUpdated(delta_of(objects, {**states, scope: absent}),
                                          ("prod",)))  # fmt: skip
        await settle(pilot)
        assert "cert-manager is not installed here" in detail(app.pane)
        app.pane.post_message(KubeUpdated(_states_only([forbidden]), ("prod",)))
        await settle(pilot)
        assert app.pane.status_text.startswith("forbidden: ingresses in shop")
        assert app.pane.has_class("-trouble")


def _states_only(states: list[WatchState]) -> Delta:
    delta = Delta()
    delta.edge_states = states
    return delta


async def test_without_a_cluster_the_pane_says_so_and_points_at_the_probes() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.pane.post_message(KubeUnavailable("no kubeconfig: [b]none[/b]", offer_drill=True))
        await settle(pilot)
        text = detail(app.pane)
        assert "Kubernetes: not connected" in text and "[b]none[/b]" in text
        assert "press v" in text
        assert app.pane.status_text == "not connected"


# -- probes ------------------------------------------------------------------------------


async def test_probes_view_shows_status_latency_trend_and_last_ok() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 48)) as pilot:
        await fed(pilot)
        await pilot.press("v")
        pane = app.pane
        assert pane.border_title == "2 Ingress · probes"
        assert app.focused is pane.probes.table
        table = pane.probes.table
        checkout = [c.plain for c in table.get_row("checkout")]
        assert checkout[:4] == ["✖", "checkout", "DOWN 503", "12 ms"]
        assert checkout[5] == "7m ago"
        assert "no ready backend" in checkout[6]
        api = [c.plain for c in table.get_row("api")]
        assert api[2] == "UP 200" and api[5] == "2s ago" and len(api[4]) == 7
        assert table.get_row_at(0)[1].plain == "checkout"  # down first
        prometheus = str(pane.probes.query_one("#prometheus").render())
        assert "up: 2 ↓" in prometheus and "1 down: 10.0.0.2:8080" in prometheus
        assert "5xx rate: 0.423 ↑" in prometheus
        assert "latency p99: query rejected (bad_data)" in prometheus
        app.clock.advance(seconds=60)
        pane.probes.tick()
        assert table.get_row("api")[5].plain == "1m ago"


async def test_in_the_probes_view_b_and_r_concern_the_probes() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await fed(pilot)
        await pilot.press("v", "b", "r")
        runbook, recheck = app.requests
        assert isinstance(runbook, IngressPane.RunbookRequested)
        assert runbook.runbook == "site-down-502-503"
        assert isinstance(recheck, IngressPane.RecheckRequested) and recheck.probes
        await pilot.press("v")
        assert app.pane.border_title == "2 Ingress · ingresses"


async def test_no_probes_configured_says_how_to_add_some() -> None:
    app = PaneApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.pane.post_message(ProbesUpdated((), configured=False))
        await pilot.press("v")
        await settle(pilot)
        shown = str(app.pane.probes.query_one("#probe-detail").render())
        assert "--probe URL" in shown
        assert "Prometheus: not configured" in str(app.pane.probes.query_one("#prometheus")
                                                    .render())  # fmt: skip


def test_helpers() -> None:
    assert ago(None, T0) == "never"
    assert ago(T0 - timedelta(hours=2, minutes=5), T0) == "2h05m ago"
    assert runbook_for_probe(probe_states()[1]) is None
    result = HttpResult(url="https://x/main.js", status=200, status_ok=True,
                        content_type_mismatch=True)  # fmt: skip
    mime = ProbeState(name="b", url="https://x/main.js", up=False, last_result=result)
    assert runbook_for_probe(mime) == "js-bundle-mime-error"


# -- pictures ----------------------------------------------------------------------------


def test_ingresses_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(PaneApp(), terminal_size=(80, 24), run_before=fed)


def test_probes_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run(pilot: Any) -> None:
        await fed(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(PaneApp(), terminal_size=(160, 48), run_before=run)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_keys_work_at_each_size(size: tuple[int, int]) -> None:
    app = PaneApp()
    async with app.run_test(size=size) as pilot:
        await fed(pilot)
        await pilot.press("down", "up", "v", "down", "v")
        assert app.pane.view == "ingresses"
        assert app.pane.ingresses.selected_row is not None
