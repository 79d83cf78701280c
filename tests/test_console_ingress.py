"""The real console's Ingress pane: drill scenarios' findings, probes, and their records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tests.kube.conftest import Drill, start_drill  # noqa: F401
from tests.kube.test_console_kube import options
from tests.probes.servers import PrometheusStub, Site
from tui.app import WarRoomApp
from tui.config import Settings
from tui.kube_session import KubeOptions
from widgets.ingress_pane import IngressPane


def records(path: Path, kind: str) -> list[tuple[str, str, dict]]:
    """(subject, text, data) of every event of `kind`, in order."""
    with sqlite3.connect(path) as db:
        rows = db.execute(
            "SELECT subject, text, data FROM events WHERE kind = ? ORDER BY seq", (kind,)
        )
        return [(subject, text, json.loads(data)) for subject, text, data in rows.fetchall()]


@pytest.fixture
def console(settings: Settings, make_incident: Callable[..., Path]) -> Callable[..., WarRoomApp]:
    def make(kube: KubeOptions = NO_CLUSTER, **probes: object) -> WarRoomApp:
        tuned = replace(
            settings,
            kube=replace(settings.kube, update_seconds=0.1),
            probes=replace(settings.probes, **probes),
        )
        return WarRoomApp(
            tuned, make_incident(), actor="alice@bastion-1", sampler_factory=FrozenSampler,
            kube_options=kube,
        )  # fmt: skip

    return make


def pane(app: WarRoomApp) -> IngressPane:
    return app.console_screen.query_one(IngressPane)


def detail(app: WarRoomApp) -> str:
    shown = pane(app).ingresses.detail_text.render()
    return getattr(shown, "plain", str(shown))


def finding_codes(app: WarRoomApp, name: str) -> set[str]:
    rows = pane(app).ingresses.rows.values()
    return {f.code for row in rows if row.name == name for f in row.findings}


@pytest.mark.parametrize(
    ("scenario", "code", "words", "runbook"),
    [
        ("tls-expired", "tls-certificate-expired", "expired 3 days ago", "tls-certificate-expired"),
        ("www-missing", "tls-host-missing", "www.seanwilken.com is routed but missing",
         "www-fails-apex-works"),
        ("mime-error", "rewrite-target-static", 'rewrite-target "/"', "js-bundle-mime-error"),
        ("site-down", "backend-no-endpoints", "service app has no ready endpoints",
         "site-down-502-503"),
    ],
)  # fmt: skip
async def test_each_drill_scenario_shows_its_finding_and_records_it(
    start_drill,  # noqa: F811
    console,
    scenario: str,
    code: str,
    words: str,
    runbook: str,
) -> None:
    drill: Drill = start_drill(scenario)
    app = console(options(drill))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: code in finding_codes(app, "app-ingress"), pilot, within=30)
        await pilot.press("2")
        assert app.console_screen.active_pane_id == "ingress"
        table = pane(app).ingresses.table
        # Broken first: the cursor starts on the ingress with the finding.
        await wait_for(lambda: pane(app).ingresses.selected_row is not None, pilot)
        assert pane(app).ingresses.selected_row.name == "app-ingress"
        assert table.row_count == 2
        assert words in detail(app)
        assert f"runbook: {runbook}" in detail(app)
        assert "not checked: the ingress address 203.0.113.10 is a documentation address" in (
            detail(app)
        )
        assert "broken" in pane(app).status_text
        await wait_for(
            lambda: any(d["code"] == code for _s, _t, d in records(app.db_path,
                                                                   "ingress_finding")),
            pilot,
        )  # fmt: skip
        (subject, text, data) = next(
            r for r in records(app.db_path, "ingress_finding") if r[2]["code"] == code
        )
        assert subject.startswith("ingress:warroom-drill/wilkenweb-prod/app-ingress#")
        assert text.startswith("Ingress wilkenweb-prod/app-ingress: ")
        assert data["state"] == code and data["runbook"] == runbook
        # b opens the runbook that fixes it, in the Runbook pane.
        await pilot.press("b")
        # The runbook library may still be loading on a busy machine: it is read once.
        await wait_for(lambda: app.console_screen.active_pane_id == "runbook", pilot, within=30)
        shown = app.console_screen.pane("runbook").runbook  # type: ignore[attr-defined]
        assert shown is not None and shown.path.stem == runbook


async def test_a_fixed_finding_is_recorded_as_cleared_once(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("mime-error")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(
            lambda: "rewrite-target-static" in finding_codes(app, "app-ingress"), pilot, within=30
        )
        drill.kubectl(
            "annotate", "ingress", "app-ingress", "-n", "wilkenweb-prod",
            "nginx.ingress.kubernetes.io/rewrite-target-",
        )  # fmt: skip
        await wait_for(lambda: not finding_codes(app, "app-ingress"), pilot, within=30)

        def states() -> list[str]:
            found = records(app.db_path, "ingress_finding")
            return [d["state"] for s, _t, d in found if s.endswith("#rewrite")]

        await wait_for(lambda: states() == ["rewrite-target-static", "ok"], pilot)
        await pilot.pause(0.5)
        assert states() == ["rewrite-target-static", "ok"]


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.close()


async def test_a_failing_probe_records_one_event_down_and_one_up(console, site: Site) -> None:
    site.health_status = 503
    endpoint = {"name": "shop health", "url": site.url("/health"), "interval": 1, "timeout": 2}
    app = console(endpoints=(endpoint,))
    async with app.run_test(size=(80, 24)) as pilot:
        probes = pane(app).probes

        def events() -> list[tuple[str, str, dict]]:
            return records(app.db_path, "probe_transition")

        await wait_for(lambda: len(events()) == 1, pilot, within=15)
        subject, text, data = events()[0]
        assert subject == "probe:shop health"
        assert data["state"] == "down" and data["status"] == 503
        assert text.startswith("shop health is DOWN: 503")
        await pilot.press("2", "v")
        assert pane(app).border_title == "2 Ingress · probes"
        state = probes.states["shop health"]
        assert state.up is False
        assert "DOWN 503" in probes.table.get_row("shop health")[2].plain
        assert "1 down" in pane(app).status_text
        await pilot.pause(2.5)  # more failed checks: still one event
        assert len(events()) == 1

        site.health_status = 200
        await wait_for(lambda: len(events()) == 2, pilot, within=15)
        subject, text, data = events()[1]
        assert subject == "probe:shop health" and data["state"] == "up"
        assert "back UP" in text
        await wait_for(lambda: probes.states["shop health"].up is True, pilot)
        assert "UP 200" in probes.table.get_row("shop health")[2].plain
        await pilot.pause(2.5)
        assert len(events()) == 2
        assert records(app.db_path, "ingress_finding") == []


async def test_without_a_cluster_the_ingress_view_says_so_and_probes_work(console, site) -> None:
    app = console(endpoints=(site.url("/health"),))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: "not connected" in pane(app).status_text, pilot)
        await pilot.press("2")
        assert "Kubernetes: not connected" in detail(app)
        assert "press v" in detail(app)
        await pilot.press("v")
        name = f"127.0.0.1:{site.port}/health"
        await wait_for(lambda: getattr(pane(app).probes.states.get(name), "up", None), pilot)
        await pilot.press("r")  # recheck now: nothing breaks, the probe stays up
        await pilot.pause(0.3)
        assert records(app.db_path, "probe_transition") == []


async def test_without_cert_manager_the_rest_still_works(start_drill, console) -> None:  # noqa: F811
    drill: Drill = start_drill("site-down")
    # As on a cluster without the CRDs: cert-manager's kinds answer 404.
    drill.call(drill.cluster.faults.fail, "certificates.cert-manager.io", 404)
    drill.call(drill.cluster.faults.fail, "challenges.acme.cert-manager.io", 404)
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(
            lambda: "backend-no-endpoints" in finding_codes(app, "app-ingress"), pilot, within=30
        )
        pods = app.console_screen.pane("pods")
        await wait_for(lambda: pods.status_text == "live", pilot)  # type: ignore[attr-defined]
        await wait_for(lambda: "cert-manager: absent" in pane(app).status_text, pilot)
        await pilot.press("2")
        assert "cert-manager is not installed here" in detail(app)
        row = next(r for r in pane(app).ingresses.rows.values() if r.name == "app-ingress")
        assert {"certificate", "expiry", "challenge"} <= row.unjudged


async def test_two_consoles_on_one_file_record_a_finding_once(
    start_drill,  # noqa: F811
    settings: Settings,
    make_incident: Callable[..., Path],
) -> None:
    drill: Drill = start_drill("www-missing")
    path = make_incident()
    tuned = replace(settings, kube=replace(settings.kube, update_seconds=0.1))

    def make(actor: str) -> WarRoomApp:
        return WarRoomApp(tuned, path, actor=actor, sampler_factory=FrozenSampler,
                          kube_options=options(drill))  # fmt: skip

    first, second = make("alice@bastion-1"), make("bob@bastion-1")
    async with first.run_test(size=(80, 24)) as one, second.run_test(size=(80, 24)) as two:
        for app, pilot in ((first, one), (second, two)):
            await wait_for(
                lambda app=app: "tls-host-missing" in finding_codes(app, "app-ingress"),
                pilot,
                within=30,
            )
        await wait_for(lambda: len(records(path, "ingress_finding")) >= 2, one)
        await one.pause(1.0)
        await two.pause(1.0)
    subjects = [s for s, _t, _d in records(path, "ingress_finding")]
    # One entry per ingress routing www without TLS, whoever saw it first.
    assert sorted(subjects) == [
        "ingress:warroom-drill/wilkenweb-prod/app-ingress#tls-hosts:www.seanwilken.com",
        "ingress:warroom-drill/wilkenweb-prod/app-redirects#tls-hosts:www.seanwilken.com",
    ]


async def test_prometheus_queries_are_shown_and_a_bad_one_is_not_fatal(console) -> None:
    stub = PrometheusStub()
    try:
        queries = (("up", "up"), ("broken", "sum("))
        app = console(prometheus_url=stub.url, prometheus_queries=queries)
        async with app.run_test(size=(160, 48)) as pilot:
            probes = pane(app).probes
            await wait_for(lambda: set(probes.results) == {"up", "broken"}, pilot, within=15)
            assert probes.results["up"].total == 2
            assert "parse error" in (probes.results["broken"].error or "")
            shown = str(probes.query_one("#prometheus").render())
            assert "up: 2" in shown and "1 down: 10.0.0.2:8080" in shown
            assert "broken: query rejected (bad_data)" in shown
    finally:
        stub.close()
