"""Ingress findings: from the drill scenarios' real objects, and from hand-made cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers.edge_objects import (
    certificate,
    challenge,
    endpoints,
    healthy_shop,
    ingress,
    service,
)
from tests.helpers.fixed import T0
from tests.kube.conftest import Drill
from tui.sources.kube.cache import Changes
from tui.sources.kube.client import KubeClient, object_path
from tui.sources.kube.ingress import Finding, IngressRow, ingress_row
from tui.sources.kube.ingress_findings import EdgeView, judge, judge_all, serves_static
from tui.sources.kube.ingress_index import FindingLedger, IngressIndex
from tui.sources.kube.watch import (
    CERTIFICATES,
    CHALLENGES,
    EDGE_KINDS,
    ENDPOINTS,
    INGRESSES,
    SERVICES,
    Scope,
    WatchState,
)

Obj = dict[str, Any]
PROD = "wilkenweb-prod"


def fetch_view(drill: Drill) -> EdgeView:
    """What the watches would hold: every kind listed through the real client."""
    client = KubeClient(str(drill.kubeconfig), "warroom-drill")
    try:
        lists = {
            kind.plural: client.get(object_path(kind.group, kind.version, kind.plural))["items"]
            for kind in EDGE_KINDS
        }
    finally:
        client.close()
    return EdgeView(
        lists["ingresses"], lists["services"], lists["endpoints"], lists["certificates"],
        lists["challenges"],
    )  # fmt: skip


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


@pytest.mark.parametrize(
    ("scenario", "code", "runbook"),
    [
        ("tls-expired", "tls-certificate-expired", "tls-certificate-expired"),
        ("www-missing", "tls-host-missing", "www-fails-apex-works"),
        ("mime-error", "rewrite-target-static", "js-bundle-mime-error"),
        ("site-down", "backend-no-endpoints", "site-down-502-503"),
    ],
)
def test_each_drill_scenario_gives_its_finding(
    start_drill, scenario: str, code: str, runbook: str
) -> None:
    drill = start_drill(scenario)
    # The drill's timestamps are real wall-clock time once it is live.
    judged = judge_all(fetch_view(drill), datetime.now(UTC))
    findings, unjudged = judged[(PROD, "app-ingress")]
    assert not unjudged
    found = [f for f in findings if f.code == code]
    assert found, f"{scenario}: no {code} in {codes(findings)}"
    assert {f.runbook for f in found} == {runbook}
    assert all(f.severity == "error" for f in found)


def test_the_expired_drill_also_explains_why(start_drill) -> None:
    findings, _ = judge_all(fetch_view(start_drill("tls-expired")), datetime.now(UTC))[
        (PROD, "app-ingress")
    ]
    assert {"acme-challenge-pending", "issuer-annotation-missing"} <= codes(findings)
    pending = [f for f in findings if f.code == "acme-challenge-pending"]
    assert {f.subject for f in pending} == {"challenge:seanwilken.com",
                                            "challenge:www.seanwilken.com"}  # fmt: skip
    assert "wrong status code '404'" in pending[0].text


def test_the_healthy_drill_has_no_findings(start_drill) -> None:
    judged = judge_all(fetch_view(start_drill("healthy")), datetime.now(UTC))
    assert judged, "the drill serves ingresses"
    assert {name: codes(f) for name, (f, _) in judged.items()} == {name: set() for name in judged}


# -- hand-made cases ---------------------------------------------------------------------


def judged(objects: list[Obj], name: str = "web", *, namespace: str = "shop") -> list[Finding]:
    view = EdgeView.of(objects)
    target = next(o for o in view.ingresses if o["metadata"]["name"] == name
                  and o["metadata"]["namespace"] == namespace)  # fmt: skip
    return judge(target, view, T0)[0]


def test_a_healthy_shop_has_no_findings() -> None:
    assert judged(healthy_shop()) == []


def test_two_ingresses_claiming_one_host_and_path_conflict_and_the_oldest_wins() -> None:
    objects = healthy_shop()
    objects.append(
        ingress("promo", rules={"shop.example.com": [("/", "promo", 80)]},
                created=T0 - timedelta(days=1))
    )  # fmt: skip
    objects += [service("promo"), endpoints("promo")]
    main = [f for f in judged(objects) if f.code == "ingress-path-conflict"]
    other = [f for f in judged(objects, "promo") if f.code == "ingress-path-conflict"]
    assert len(main) == len(other) == 1
    assert main[0].subject == "conflict:shop.example.com/"
    assert "also routed by shop/promo" in main[0].text
    assert "this ingress's rule is used" in main[0].text  # web is 30 days old, promo 1
    assert "only shop/web's rule is used" in other[0].text
    assert main[0].runbook == "www-fails-apex-works"


def test_exact_and_prefix_on_one_path_do_not_conflict() -> None:
    objects = healthy_shop()
    objects.append(
        ingress("exact", rules={"shop.example.com": [("/", "web", 80)]}, path_type="Exact")
    )
    assert "ingress-path-conflict" not in codes(judged(objects))


def test_a_missing_service_and_a_missing_port() -> None:
    objects = [o for o in healthy_shop() if o["metadata"]["name"] != "api"]
    objects.append(service("api", ports=[("grpc", 9000)]))
    found = {f.code: f for f in judged(objects)}
    assert "backend-port-missing" in found
    assert "no port http" in found["backend-port-missing"].text
    objects = [o for o in healthy_shop() if not (o["kind"] == "Service" and
                                                 o["metadata"]["name"] == "api")]  # fmt: skip
    found = {f.code: f for f in judged(objects)}
    assert found["backend-service-missing"].runbook == "site-down-502-503"
    assert "api does not exist in shop" in found["backend-service-missing"].text


def test_no_ready_endpoints_says_why() -> None:
    objects = [o for o in healthy_shop() if o["kind"] != "Endpoints"]
    objects += [endpoints("web", ready=0, not_ready=3), endpoints("api", ready=0)]
    found = {f.subject: f for f in judged(objects) if f.code == "backend-no-endpoints"}
    assert "3 not ready" in found["endpoints:web"].text
    assert "no pod matches its selector" in found["endpoints:api"].text


def test_a_pending_challenge_warns_and_an_expiring_certificate_warns() -> None:
    objects = [o for o in healthy_shop() if o["kind"] != "Certificate"]
    main = objects[0]
    hosts = ["shop.example.com", "www.shop.example.com"]
    objects += [
        certificate("shop-tls", hosts=hosts, owner=main, not_after=T0 + timedelta(days=5, hours=2)),
        challenge("www.shop.example.com", reason="Waiting for HTTP-01 challenge propagation"),
        challenge("shop.example.com", state="valid"),
    ]
    found = {f.code: f for f in judged(objects)}
    assert set(found) == {"tls-certificate-expiring", "acme-challenge-pending"}
    assert found["tls-certificate-expiring"].severity == "warn"
    assert "expires in 5 days" in found["tls-certificate-expiring"].text
    assert found["acme-challenge-pending"].severity == "warn"
    assert found["acme-challenge-pending"].subject == "challenge:www.shop.example.com"


def test_an_expired_certificate_makes_the_pending_challenge_urgent() -> None:
    objects = [o for o in healthy_shop() if o["kind"] != "Certificate"]
    objects += [
        certificate("shop-tls", not_after=T0 - timedelta(days=2), ready=False, reason="Expired"),
        challenge("shop.example.com"),
    ]
    found = {f.code: f for f in judged(objects)}
    assert found["tls-certificate-expired"].severity == "error"
    assert "expired 2 days ago" in found["tls-certificate-expired"].text
    assert "certificate-not-ready" not in found  # the expiry already says it
    assert found["acme-challenge-pending"].severity == "error"


def test_a_certificate_not_ready_for_another_reason() -> None:
    objects = [o for o in healthy_shop() if o["kind"] != "Certificate"]
    objects.append(certificate("shop-tls", ready=False, reason="Failed",
                               message="The certificate request has failed"))  # fmt: skip
    found = {f.code: f for f in judged(objects)}
    assert "(Failed): The certificate request has failed" in found["certificate-not-ready"].text


def test_www_missing_from_tls_hosts_points_at_the_www_runbook() -> None:
    objects = healthy_shop()
    objects[0]["spec"]["tls"][0]["hosts"] = ["shop.example.com"]
    found = [f for f in judged(objects) if f.code == "tls-host-missing"]
    assert [f.subject for f in found] == ["tls-hosts:www.shop.example.com"]
    assert found[0].runbook == "www-fails-apex-works"


def test_a_plain_http_ingress_and_a_wildcard_certificate_are_fine() -> None:
    plain = ingress("web", rules={"intranet.example.com": [("/", "web", 80)]})
    assert judged([plain, service("web"), endpoints("web")]) == []
    wildcard = ingress("web", rules={"a.example.com": [("/", "web", 80)]},
                       tls=[("wild", ["*.example.com"])])  # fmt: skip
    assert judged([wildcard, service("web"), endpoints("web")]) == []


def test_rewrite_target_on_static_paths() -> None:
    objects = healthy_shop()
    objects[0]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] = "/"
    (found,) = [f for f in judged(objects) if f.code == "rewrite-target-static"]
    assert found.severity == "error" and found.runbook == "js-bundle-mime-error"
    objects[0]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/rewrite-target"] = "/$2"
    (found,) = [f for f in judged(objects) if f.code == "rewrite-target-static"]
    assert found.severity == "warn"
    api_only = ingress(
        "api",
        rules={"api.example.com": [("/v1(/|$)(.*)", "api", 80)]},
        annotations={"nginx.ingress.kubernetes.io/rewrite-target": "/$2"},
    )
    assert judged([api_only, service("api"), endpoints("api")], "api") == []
    assert serves_static("/static/js") and serves_static("/") and not serves_static("/shop")


def test_no_address_is_news_only_after_a_grace_period() -> None:
    old = ingress("web", address=None)
    assert "no-address" in codes(judged([old, service("web"), endpoints("web")]))
    fresh = ingress("web", address=None, created=T0 - timedelta(seconds=30))
    assert judged([fresh, service("web"), endpoints("web")]) == []


def test_hostile_names_stay_on_one_line() -> None:
    objects = [ingress("web", rules={"shop.example.com": [("/", "[red]x\x1b[2J\nboom", 80)]})]
    (found,) = judged(objects)
    assert "\x1b" not in found.text and "\n" not in found.text
    assert "[red]x" in found.text


def test_kinds_not_listed_are_unjudged_not_fine() -> None:
    objects = [o for o in healthy_shop() if o["kind"] in ("Ingress",)]
    view = EdgeView.of(objects, listed=lambda kind, _ns: kind not in ("certificates", "services"))
    findings, unjudged = judge(view.ingresses[0], view, T0)
    assert "backend" in unjudged and "certificate" in unjudged and "expiry" in unjudged
    assert not [f for f in findings if f.subject.startswith(("backend", "certificate"))]


# -- the index and the ledger ------------------------------------------------------------


def keyed(objects: list[Obj], context: str = "prod") -> dict:
    kinds = {k.plural: k for k in EDGE_KINDS}
    plural = {"Ingress": "ingresses", "Service": "services", "Endpoints": "endpoints",
              "Certificate": "certificates", "Challenge": "challenges"}  # fmt: skip
    return {(context, kinds[plural[o["kind"]]].plural, o["metadata"]["uid"]): o for o in objects}


def live_states(kinds=EDGE_KINDS, context: str = "prod") -> dict[Scope, WatchState]:
    return {Scope(context, k, None): WatchState(Scope(context, k, None), "live") for k in kinds}


def test_the_index_judges_again_when_a_backend_changes() -> None:
    index = IngressIndex()
    objects = keyed(healthy_shop())
    first = index.apply(Changes(updated=objects), live_states(), T0)
    (row,) = first.updated.values()
    assert isinstance(row, IngressRow) and row.findings == () and not row.unjudged
    assert row.hosts == ("shop.example.com", "www.shop.example.com")
    assert row.tls_hosts == row.hosts and row.addresses == ("198.18.0.10",)
    broken = endpoints("web", ready=0, not_ready=2)
    again = index.apply(Changes(updated=keyed([broken])), {}, T0 + timedelta(seconds=1))
    (row,) = again.updated.values()
    assert [f.code for f in row.findings] == ["backend-no-endpoints"]
    quiet = index.apply(Changes(), {}, T0 + timedelta(seconds=2))
    assert not quiet  # nothing changed: no rows sent


def test_the_index_waits_for_a_kind_to_list_and_rejudges_with_time() -> None:
    index = IngressIndex()
    objects = healthy_shop()
    objects[-1]["status"]["notAfter"] = (T0 + timedelta(days=14, minutes=1)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    states = live_states((INGRESSES, SERVICES, ENDPOINTS))
    (row,) = index.apply(Changes(updated=keyed(objects)), states, T0).updated.values()
    assert {"certificate", "challenge"} <= row.unjudged
    (row,) = index.apply(Changes(), live_states((CERTIFICATES, CHALLENGES)), T0).updated.values()
    assert not row.unjudged and row.findings == ()
    later = index.apply(Changes(), {}, T0 + timedelta(minutes=2))
    (row,) = later.updated.values()
    assert [f.code for f in row.findings] == ["tls-certificate-expiring"]


def test_the_index_removes_deleted_ingresses_and_forgets_a_context() -> None:
    index = IngressIndex()
    objects = keyed(healthy_shop())
    index.apply(Changes(updated=objects), live_states(), T0)
    key = next(k for k in objects if k[1] == "ingresses")
    gone = index.apply(Changes(removed={key}), {}, T0)
    assert gone.removed == {key} and not index.rows
    index.apply(Changes(updated=objects), {}, T0)
    assert index.forget("prod") == {key}


def row_with(findings: list[Finding], unjudged: frozenset[str] = frozenset()) -> IngressRow:
    base = ingress_row(("prod", "ingresses", "u1"), ingress("web"), findings, unjudged)
    return base


def test_the_ledger_records_appearances_changes_and_clearings_once() -> None:
    ledger = FindingLedger()
    down = Finding("backend-no-endpoints", "error", "no endpoints", "site-down-502-503",
                   "endpoints:web")  # fmt: skip
    (appeared,) = ledger.update([row_with([down])])
    assert appeared.state == "backend-no-endpoints"
    assert appeared.subject == "ingress:prod/shop/web#endpoints:web"
    assert appeared.text == "Ingress shop/web: no endpoints"
    assert appeared.data["runbook"] == "site-down-502-503"
    assert ledger.update([row_with([down])]) == []
    (cleared,) = ledger.update([row_with([])])
    assert cleared.state == "ok" and cleared.text.startswith("Ingress shop/web: cleared:")


def test_the_ledger_keeps_unjudged_findings_open_and_ignores_removed_rows() -> None:
    ledger = FindingLedger()
    expired = Finding("tls-certificate-expired", "error", "expired", None, "expiry:shop-tls")
    ledger.update([row_with([expired])])
    assert ledger.update([row_with([], frozenset({"expiry"}))]) == []
    assert ledger.update([], removed=[("prod", "ingresses", "u1")]) == []
    (again,) = ledger.update([row_with([expired])])  # a fresh start after removal
    assert again.state == "tls-certificate-expired"
