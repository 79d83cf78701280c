"""The drill cluster's controllers, driven through a real ObjectStore on the virtual clock.

No server and no event loop: the World replays time synchronously
(`run_for`), so each test says "ten seconds later" and looks at the store.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from cryptography import x509

from tui.sim.behavior import ContainerPlan
from tui.sim.controllers.daemonset import DAEMONSETS
from tui.sim.objects import condition, dig, rfc3339
from tui.sim.resources import (
    CERTIFICATES,
    CHALLENGES,
    DEPLOYMENTS,
    ENDPOINTS,
    EVENTS,
    HPAS,
    INGRESSES,
    NODES,
    PODS,
    REPLICASETS,
    SECRETS,
    SERVICES,
    STATEFULSETS,
)
from tui.sim.scenarios import build as b
from tui.sim.scenarios.base import Scenario
from tui.sim.store import ObjectStore
from tui.sim.world import World
from tui.sources.podstatus import pod_status

Obj = dict[str, Any]
NS = "shop"


def make_world(*, nodes: int = 3, cpu: int = 4, seed: int = 1) -> World:
    world = World(ObjectStore(), seed=seed)
    world.clock.rewind(time.time() - 7200)  # two hours of virtual past to play in
    world.apply(b.namespace(NS), age=86400)
    for index in range(1, nodes + 1):
        world.apply(b.node(f"node-{index}", index, rfc3339(time.time() - 86400), cpu=cpu))
    return world


def web(replicas: int = 3, image: str = "shop/web:1.0", **kw: Any) -> Obj:
    container = b.container("web", image, port=3000, cpu="100m", memory="128Mi", probe="/health")
    return b.deployment(NS, "web", [container], replicas=replicas, **kw)


def pods(world: World, **labels: str) -> list[Obj]:
    return [p for p in world.pods_of(NS, labels) if not p["metadata"].get("deletionTimestamp")]


def replica_sets(world: World) -> list[Obj]:
    return world.store.list(REPLICASETS, NS)


def events(world: World, reason: str, name: str | None = None) -> list[Obj]:
    return [
        e
        for e in world.store.list(EVENTS, NS)
        if e["reason"] == reason and (name is None or e["involvedObject"]["name"] == name)
    ]


def set_image(world: World, image: str) -> None:
    def change(d: Obj) -> Obj:
        d["spec"]["template"]["spec"]["containers"][0]["image"] = image
        return d

    world.patch(DEPLOYMENTS, NS, "web", change)


class Custom(Scenario):
    """A scenario that only changes how one app's containers behave."""

    def __init__(self, **changes: Any) -> None:
        self.changes = changes

    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        if dig(pod, "metadata", "labels", "app") == "web":
            return plan.but(**self.changes)
        return plan


# -- deployments and replica sets ----------------------------------------------------------


def test_deployment_creates_a_replica_set_and_running_ready_pods() -> None:
    world = make_world()
    world.apply(web())
    world.run_for(30)
    [rs] = replica_sets(world)
    pod_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{pod_hash}"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_hash}
    found = pods(world, app="web")
    assert len(found) == 3
    for pod in found:
        assert pod_status(pod) == "Running"
        assert pod["metadata"]["ownerReferences"][0]["name"] == rs["metadata"]["name"]
        assert pod["status"]["podIP"].startswith("10.244.")
        assert pod["status"]["containerStatuses"][0]["containerID"].startswith("containerd://")
        assert {c["type"] for c in pod["status"]["conditions"]} >= {
            "PodScheduled",
            "Initialized",
            "ContainersReady",
            "Ready",
        }
    d = world.find(DEPLOYMENTS, NS, "web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    status = d["status"]
    assert (status["replicas"], status["updatedReplicas"], status["readyReplicas"]) == (3, 3, 3)
    assert status["availableReplicas"] == 3
    assert status["observedGeneration"] == d["metadata"]["generation"]
    assert condition(d, "Available")["status"] == "True"
    assert condition(d, "Progressing")["reason"] == "NewReplicaSetAvailable"
    assert events(world, "ScalingReplicaSet", "web")[0]["message"].startswith(
        f"Scaled up replica set web-{pod_hash} to 3"
    )
    assert len(events(world, "SuccessfulCreate")) == 3


def test_rolling_update_respects_surge_and_unavailability_then_retires_the_old_set() -> None:
    world = make_world()
    world.apply(web(replicas=4, annotations={"kubernetes.io/change-cause": "v2 rollout"}))
    world.run_for(30)
    set_image(world, "shop/web:2.0")
    # 25% of 4: at most 5 pods, at least 3 available, at every step of the way.
    for _ in range(60):
        world.run_for(0.5)
        live = pods(world, app="web")
        ready = [
            p for p in live if condition(p, "Ready") and condition(p, "Ready")["status"] == "True"
        ]
        assert len(live) <= 5
        assert len(ready) >= 3
    old, new = sorted(
        replica_sets(world),
        key=lambda r: r["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
    )
    assert new["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    assert new["metadata"]["annotations"]["kubernetes.io/change-cause"] == "v2 rollout"
    assert new["spec"]["replicas"] == 4 and old["spec"]["replicas"] == 0
    images = {p["spec"]["containers"][0]["image"] for p in pods(world, app="web")}
    assert images == {"shop/web:2.0"}
    messages = [e["message"] for e in events(world, "ScalingReplicaSet", "web")]
    assert any(m.startswith(f"Scaled down replica set {old['metadata']['name']}") for m in messages)


def test_returning_to_an_old_template_reuses_its_replica_set_with_the_next_revision() -> None:
    world = make_world()
    world.apply(web())
    world.run_for(30)
    [first] = replica_sets(world)
    set_image(world, "shop/web:2.0")
    world.run_for(60)
    set_image(world, "shop/web:1.0")  # what `kubectl rollout undo` patches back
    world.run_for(60)
    sets = {r["metadata"]["name"]: r for r in replica_sets(world)}
    assert len(sets) == 2
    reused = sets[first["metadata"]["name"]]
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    assert reused["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert reused["spec"]["replicas"] == 3
    d = world.find(DEPLOYMENTS, NS, "web")
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_a_template_sent_back_through_go_structs_still_matches_its_replica_set() -> None:
    """kubectl rollout undo sends the template with `creationTimestamp: null`,
    `resources: {}` and quantities in canonical form."""
    world = make_world()
    container = b.container("web", "shop/web:1.0", port=3000, cpu="0.1", memory="128Mi")
    world.apply(b.deployment(NS, "web", [container]))
    world.run_for(20)
    [rs] = replica_sets(world)

    def go_roundtrip(d: Obj) -> Obj:
        template = d["spec"]["template"]
        template["metadata"]["creationTimestamp"] = None
        template["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "100m"
        template["spec"]["containers"][0]["env"] = []
        return d

    world.patch(DEPLOYMENTS, NS, "web", go_roundtrip)
    world.run_for(20)
    assert [r["metadata"]["name"] for r in replica_sets(world)] == [rs["metadata"]["name"]]


def test_revision_history_limit_deletes_the_oldest_idle_replica_sets() -> None:
    world = make_world()
    world.apply(web(replicas=1))
    world.patch(
        DEPLOYMENTS, NS, "web", lambda d: {**d, "spec": {**d["spec"], "revisionHistoryLimit": 1}}
    )
    world.run_for(20)
    for tag in ("2.0", "3.0", "4.0"):
        set_image(world, f"shop/web:{tag}")
        world.run_for(40)
    revisions = sorted(
        int(r["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
        for r in replica_sets(world)
    )
    assert revisions == [3, 4]


def test_a_missing_image_stalls_the_rollout_until_the_progress_deadline() -> None:
    world = make_world()
    world.registry.missing.add("shop/web:9.9")
    world.apply(web(progress_deadline=120))
    world.run_for(30)
    set_image(world, "shop/web:9.9")
    world.run_for(30)
    stuck = [
        p for p in pods(world, app="web") if p["spec"]["containers"][0]["image"].endswith("9.9")
    ]
    assert [pod_status(p) for p in stuck] == ["ImagePullBackOff"]
    waiting = stuck[0]["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["message"] == 'Back-off pulling image "shop/web:9.9"'
    assert any(
        "not found" in e["message"] for e in events(world, "Failed", stuck[0]["metadata"]["name"])
    )
    assert len([p for p in pods(world, app="web") if pod_status(p) == "Running"]) == 3
    d = world.find(DEPLOYMENTS, NS, "web")
    assert condition(d, "Progressing")["reason"] != "ProgressDeadlineExceeded"
    world.run_for(120)
    d = world.find(DEPLOYMENTS, NS, "web")
    assert condition(d, "Progressing")["status"] == "False"
    assert condition(d, "Progressing")["reason"] == "ProgressDeadlineExceeded"


def test_scaling_down_deletes_pods_and_says_so() -> None:
    world = make_world()
    world.apply(web(replicas=4))
    world.run_for(30)
    world.patch(DEPLOYMENTS, NS, "web", lambda d: {**d, "spec": {**d["spec"], "replicas": 2}})
    world.run_for(0.3)
    [rs] = replica_sets(world)
    assert rs["spec"]["replicas"] == 2
    assert len(events(world, "SuccessfulDelete", rs["metadata"]["name"])) == 2
    terminating = [p for p in world.pods_of(NS, {"app": "web"}) if pod_status(p) == "Terminating"]
    assert len(terminating) == 2
    world.run_for(5)
    assert len(world.pods_of(NS, {"app": "web"})) == 2


def test_deleting_a_deployment_collects_its_replica_sets_and_pods() -> None:
    world = make_world()
    world.apply(web())
    world.run_for(30)
    world.delete_named(DEPLOYMENTS, NS, "web")
    world.run_for(10)
    assert replica_sets(world) == []
    assert world.pods_of(NS, {"app": "web"}) == []


def test_orphan_propagation_keeps_the_replica_set() -> None:
    world = make_world()
    world.apply(web())
    world.run_for(30)
    d = world.find(DEPLOYMENTS, NS, "web")
    world.delete(DEPLOYMENTS, d, {"propagationPolicy": "Orphan"})
    world.run_for(10)
    [rs] = replica_sets(world)
    assert "ownerReferences" not in rs["metadata"]
    assert len(pods(world, app="web")) == 3


# -- pods: kubelet -----------------------------------------------------------------------


def test_a_crashing_container_backs_off_longer_each_time() -> None:
    world = make_world()
    world.scenario = Custom(runs_for=2.0, exit_code=1, reason="Error", last_words=("boom",))
    world.apply(web(replicas=1))
    seen: list[str] = []
    for _ in range(200):
        world.run_for(0.5)
        [pod] = pods(world, app="web")
        waiting = dig(pod, "status", "containerStatuses", 0, "state", "waiting", default={})
        if waiting.get("reason") == "CrashLoopBackOff" and waiting["message"] not in seen:
            seen.append(waiting["message"])
    backoffs = [m.split(" restarting")[0] for m in seen]
    assert backoffs[:3] == ["back-off 10s", "back-off 20s", "back-off 40s"]
    status = pod["status"]["containerStatuses"][0]
    assert status["restartCount"] >= 4
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert status["lastState"]["terminated"]["reason"] == "Error"
    assert pod["status"]["phase"] == "Running"
    backoff_events = events(world, "BackOff", pod["metadata"]["name"])
    assert len(backoff_events) == 1 and backoff_events[0]["count"] >= 3  # aggregated


def test_a_working_set_above_the_memory_limit_is_oom_killed_with_137() -> None:
    world = make_world()
    world.scenario = Custom(memory_mi=700.0, warmup=30.0)
    container = b.container("web", "shop/web:1.0", cpu="100m", memory="128Mi", memory_limit="512Mi")
    world.apply(b.deployment(NS, "web", [container]))
    world.run_for(60)
    [pod] = pods(world, app="web")
    last = pod["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert (last["exitCode"], last["reason"]) == (137, "OOMKilled")
    # With room for its working set, the same program runs on.
    world.patch(DEPLOYMENTS, NS, "web", _memory_limit("1Gi"))
    world.run_for(120)
    [pod] = pods(world, app="web")
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 0
    assert pod_status(pod) == "Running"


def _memory_limit(value: str) -> Any:
    def change(d: Obj) -> Obj:
        d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"memory": value}
        return d

    return change


def test_a_failing_readiness_probe_keeps_the_pod_unready_and_reports_unhealthy() -> None:
    world = make_world()
    world.scenario = Custom(ready=False, probe_message="HTTP probe failed with statuscode: 503")
    world.apply(web(replicas=1))
    world.apply(b.service(NS, "web", {"app": "web"}, [("http", 80, 3000)]))
    world.run_for(60)
    [pod] = pods(world, app="web")
    assert pod_status(pod) == "Running"
    assert condition(pod, "Ready")["status"] == "False"
    [unhealthy] = events(world, "Unhealthy", pod["metadata"]["name"])
    assert unhealthy["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 503"
    assert unhealthy["count"] >= 4
    endpoints = world.find(ENDPOINTS, NS, "web")
    [subset] = endpoints["subsets"]
    assert "addresses" not in subset
    assert subset["notReadyAddresses"][0]["ip"] == pod["status"]["podIP"]
    assert subset["ports"] == [{"port": 3000, "protocol": "TCP", "name": "http"}]


def test_endpoint_slices_follow_the_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept once the API serves discovery.k8s.io (kubectl describe ingress reads them)."""
    from tui.sim.controllers import services
    from tui.sim.resources import ResourceType

    slices = ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True)
    monkeypatch.setattr(services, "ENDPOINTSLICES", slices)
    world = make_world()
    world.apply(web(replicas=2))
    world.apply(b.service(NS, "web", {"app": "web"}, [("http", 80, 3000)]))
    world.run_for(30)
    [found] = world.store.list(slices, NS)
    assert found["metadata"]["labels"]["kubernetes.io/service-name"] == "web"
    assert found["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert sorted(e["addresses"][0] for e in found["endpoints"]) == sorted(
        p["status"]["podIP"] for p in pods(world, app="web")
    )
    assert all(e["conditions"]["ready"] for e in found["endpoints"])
    world.delete_named(SERVICES, NS, "web")
    world.run_for(1)
    assert world.store.list(slices, NS) == []


def test_endpoints_list_ready_pods() -> None:
    world = make_world()
    world.apply(web())
    world.apply(b.service(NS, "web", {"app": "web"}, [("http", 80, 3000)]))
    world.run_for(30)
    [subset] = world.find(ENDPOINTS, NS, "web")["subsets"]
    assert sorted(a["ip"] for a in subset["addresses"]) == sorted(
        p["status"]["podIP"] for p in pods(world, app="web")
    )


def test_graceful_deletion_keeps_the_pod_terminating_for_a_moment() -> None:
    world = make_world()
    world.apply(web(replicas=1))
    world.run_for(30)
    [pod] = pods(world, app="web")
    marked = world.delete(PODS, pod, {})
    assert marked["metadata"]["deletionTimestamp"]
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    assert pod_status(world.find(PODS, NS, pod["metadata"]["name"])) == "Terminating"
    world.run_for(0.5)
    assert world.find(PODS, NS, pod["metadata"]["name"]) is not None
    world.run_for(2)
    assert world.find(PODS, NS, pod["metadata"]["name"]) is None
    assert (
        events(world, "Killing", pod["metadata"]["name"])[0]["message"] == "Stopping container web"
    )
    # ... and its ReplicaSet replaced it.
    [replacement] = pods(world, app="web")
    assert replacement["metadata"]["name"] != pod["metadata"]["name"]


def test_force_deletion_removes_the_pod_at_once() -> None:
    world = make_world()
    world.apply(web(replicas=1))
    world.run_for(30)
    [pod] = pods(world, app="web")
    world.delete(PODS, pod, {"gracePeriodSeconds": 0})
    assert world.find(PODS, NS, pod["metadata"]["name"]) is None


# -- scheduling and nodes ---------------------------------------------------------------


def test_pods_that_fit_nowhere_stay_pending_with_the_schedulers_reason() -> None:
    world = make_world(nodes=2, cpu=2)
    big = b.container("web", "shop/web:1.0", cpu="1500m", memory="128Mi")
    world.apply(b.deployment(NS, "web", [big], replicas=3))
    world.run_for(30)
    pending = [p for p in pods(world, app="web") if pod_status(p) == "Pending"]
    assert len(pending) == 1
    message = condition(pending[0], "PodScheduled")["message"]
    assert message.startswith("0/2 nodes are available: 2 Insufficient cpu.")
    assert "No preemption victims found for incoming pod" in message
    assert events(world, "FailedScheduling", pending[0]["metadata"]["name"])
    # Freeing room lets it in.
    world.patch(DEPLOYMENTS, NS, "web", lambda d: {**d, "spec": {**d["spec"], "replicas": 2}})
    world.run_for(30)
    assert all(pod_status(p) == "Running" for p in pods(world, app="web"))


def test_replicas_spread_over_nodes() -> None:
    world = make_world()
    world.apply(web())
    world.run_for(30)
    assert len({p["spec"]["nodeName"] for p in pods(world, app="web")}) == 3


def test_a_dead_node_goes_not_ready_and_its_pods_are_replaced_elsewhere() -> None:
    world = make_world()
    world.apply(web())
    world.run_for(30)
    victim = pods(world, app="web")[0]
    node = victim["spec"]["nodeName"]
    world.fail_node(node)
    world.run_for(45)
    dead = world.find(NODES, None, node)
    assert condition(dead, "Ready")["status"] == "Unknown"
    assert condition(dead, "Ready")["message"] == "Kubelet stopped posting node status."
    assert {(t["key"], t["effect"]) for t in dead["spec"]["taints"]} == {
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
    }
    assert condition(world.find(PODS, NS, victim["metadata"]["name"]), "Ready")["status"] == "False"
    world.run_for(310)  # the 300 s toleration runs out
    evicted = world.find(PODS, NS, victim["metadata"]["name"])
    assert evicted["status"]["reason"] == "NodeLost"
    assert pod_status(evicted) == "Unknown"  # it cannot finish terminating without its kubelet
    live = pods(world, app="web")
    assert len(live) == 3 and all(p["spec"]["nodeName"] != node for p in live)
    assert all(pod_status(p) == "Running" for p in live)


def test_daemonsets_run_one_pod_per_node() -> None:
    world = make_world()
    agent = b.container("agent", "shop/agent:1.0", cpu="10m")
    world.apply(b.daemonset(NS, "agent", [agent], labels={"app": "agent"}))
    world.run_for(30)
    found = pods(world, app="agent")
    assert sorted(p["spec"]["nodeName"] for p in found) == ["node-1", "node-2", "node-3"]
    ds = world.find(DAEMONSETS, NS, "agent")
    assert ds["status"]["numberReady"] == 3 and ds["status"]["desiredNumberScheduled"] == 3


def test_statefulset_pods_start_in_order_and_restart_from_the_top() -> None:
    world = make_world()
    db = b.container("db", "postgres:16.4", port=5432, cpu="100m", memory="256Mi", probe="tcp")
    world.apply(b.statefulset(NS, "db", [db], replicas=3))
    world.run_for(0.5)
    assert [p["metadata"]["name"] for p in pods(world, app="db")] == ["db-0"]
    world.run_for(60)
    names = [p["metadata"]["name"] for p in pods(world, app="db")]
    assert names == ["db-0", "db-1", "db-2"]
    created = {
        p["metadata"]["name"]: p["metadata"]["creationTimestamp"] for p in pods(world, app="db")
    }
    assert created["db-0"] <= created["db-1"] <= created["db-2"]
    world.rollout_restart(STATEFULSETS, NS, "db")
    world.run_for(1.2)
    assert pod_status(world.find(PODS, NS, "db-2")) in (
        "Terminating",
        "Pending",
        "ContainerCreating",
    )
    assert pod_status(world.find(PODS, NS, "db-0")) == "Running"
    world.run_for(90)
    sts = world.find(STATEFULSETS, NS, "db")
    assert sts["status"]["currentRevision"] == sts["status"]["updateRevision"]
    assert sts["status"]["updatedReplicas"] == 3 and sts["status"]["readyReplicas"] == 3
    restarted = {p["metadata"]["name"]: p["metadata"]["uid"] for p in pods(world, app="db")}
    assert len(restarted) == 3


# -- autoscaling ------------------------------------------------------------------------


class Busy(Scenario):
    """web needs 1.2 cores in total, shared by its ready pods."""

    def usage(self, world, run, c, instance, cpu, memory):  # type: ignore[no-untyped-def]
        if run.name.startswith("web-"):
            serving = [
                p for p in pods(world, app="web") if condition(p, "Ready")["status"] == "True"
            ]
            return 1200.0 / max(len(serving), 1), memory
        return cpu, memory


def test_hpa_scales_up_to_its_maximum_and_says_it_is_limited() -> None:
    world = make_world()
    world.scenario = Busy()
    world.apply(web(replicas=2))
    world.run_for(20)
    world.apply(b.hpa(NS, "web", "web", low=2, high=4, cpu=70))
    world.run_for(60)
    hpa = world.find(HPAS, NS, "web")
    assert hpa["status"]["currentReplicas"] == 4 and hpa["status"]["desiredReplicas"] == 4
    limited = condition(hpa, "ScalingLimited")
    assert (limited["status"], limited["reason"]) == ("True", "TooManyReplicas")
    [metric] = hpa["status"]["currentMetrics"]
    assert metric["resource"]["current"]["averageUtilization"] == 300  # 1200m / 4 pods / 100m
    world.patch(HPAS, NS, "web", lambda h: {**h, "spec": {**h["spec"], "maxReplicas": 20}})
    world.run_for(60)
    hpa = world.find(HPAS, NS, "web")
    assert hpa["status"]["desiredReplicas"] == 18
    assert condition(hpa, "ScalingLimited")["status"] == "False"


# -- cert-manager -----------------------------------------------------------------------


def _issuer_world(annotated: bool) -> World:
    world = make_world()
    world.apply(b.cluster_issuer("letsencrypt-prod", "ops@example.com"))
    annotations = {"cert-manager.io/cluster-issuer": "letsencrypt-prod"} if annotated else {}
    world.apply(
        b.ingress(
            NS,
            "shop",
            [
                ("shop.example.com", [("/", "web", 80)]),
                ("www.shop.example.com", [("/", "web", 80)]),
            ],
            tls=[("shop-tls", ["shop.example.com", "www.shop.example.com"])],
            annotations=annotations,
        )
    )
    return world


def test_cert_manager_issues_a_real_certificate_for_an_annotated_ingress() -> None:
    world = _issuer_world(annotated=True)
    world.run_for(1)
    assert {c["spec"]["dnsName"] for c in world.store.list(CHALLENGES, NS)} == {
        "shop.example.com",
        "www.shop.example.com",
    }
    world.run_for(30)
    cert = world.find(CERTIFICATES, NS, "shop-tls")
    assert condition(cert, "Ready")["status"] == "True"
    secret = world.find(SECRETS, NS, "shop-tls")
    assert secret["type"] == "kubernetes.io/tls"
    pem = base64.b64decode(secret["data"]["tls.crt"])
    parsed = x509.load_pem_x509_certificate(pem)
    names = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sorted(names.get_values_for_type(x509.DNSName)) == [
        "shop.example.com",
        "www.shop.example.com",
    ]
    days = (parsed.not_valid_after_utc - parsed.not_valid_before_utc).days
    assert days == 90
    assert cert["status"]["notAfter"] == parsed.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert world.store.list(CHALLENGES, NS) == []  # cleaned up after the order


def test_without_the_issuer_annotation_challenges_stay_pending() -> None:
    world = _issuer_world(annotated=False)
    ingress = world.find(INGRESSES, NS, "shop")
    from tui.sim.objects import owner_reference

    world.apply(
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": {
                "name": "shop-tls",
                "namespace": NS,
                "ownerReferences": [owner_reference(ingress, INGRESSES)],
            },
            "spec": {
                "secretName": "shop-tls",
                "dnsNames": ["shop.example.com"],
                "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"},
            },
        }
    )
    world.run_for(120)
    [challenge] = world.store.list(CHALLENGES, NS)
    assert challenge["status"]["state"] == "pending"
    assert "wrong status code '404'" in challenge["status"]["reason"]
    assert condition(world.find(CERTIFICATES, NS, "shop-tls"), "Ready")["reason"] == "DoesNotExist"

    def annotate(obj: Obj) -> Obj:
        obj["metadata"]["annotations"] = {"cert-manager.io/cluster-issuer": "letsencrypt-prod"}
        return obj

    world.patch(INGRESSES, NS, "shop", annotate)
    world.run_for(30)
    assert condition(world.find(CERTIFICATES, NS, "shop-tls"), "Ready")["status"] == "True"


# -- events -------------------------------------------------------------------------------


def test_repeated_events_are_counted_not_duplicated() -> None:
    world = make_world()
    pod = world.apply(
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "namespace": NS},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
        }
    )
    for _ in range(3):
        world.events.record(
            pod, PODS, "Warning", "BackOff", "Back-off restarting", component="kubelet"
        )
        world.run_for(5)
    [event] = events(world, "BackOff", "p")
    assert event["count"] == 3
    assert event["firstTimestamp"] < event["lastTimestamp"]
    assert event["involvedObject"]["uid"] == pod["metadata"]["uid"]


def test_unknown_scenario_names_the_valid_ones() -> None:
    world = World(ObjectStore())
    with pytest.raises(ValueError, match="site-down") as info:
        world.load_scenario("no-such-thing")
    assert "no-such-thing" in str(info.value)
