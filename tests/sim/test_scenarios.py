"""Every scenario, over real HTTPS with the real kubectl (and the kubernetes client):
it shows the seeds' symptoms, it evolves, the runbook's fix resolves it and a
plausible wrong action does not."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.sim.conftest import Drill
from tests.sim.helpers import rows as table
from tests.sim.helpers import wait_for
from tui.sim.scenarios import SCENARIOS

WEB = "wilkenweb-prod"
SPEED = 40.0


def resolved(drill: Drill) -> bool:
    return drill.call(drill.cluster.world.resolved)


def summary(drill: Drill) -> str:
    return drill.call(drill.cluster.world.summary)


def pods(drill: Drill, namespace: str, selector: str) -> list[dict[str, Any]]:
    out = drill.kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "json").stdout
    return json.loads(out)["items"]


def restart_ingress_controller(drill: Drill) -> None:
    """The wrong fix the TLS and routing scenarios share: restart ingress-nginx and wait."""
    deployment = ("deployment", "ingress-nginx-controller", "-n", "ingress-nginx")
    drill.kubectl("rollout", "restart", *deployment)
    drill.kubectl("rollout", "status", *deployment, "--timeout=60s")


def restarts(pod: dict[str, Any]) -> int:
    return sum(s.get("restartCount", 0) for s in pod["status"].get("containerStatuses") or [])


def secret_certificate(drill: Drill, namespace: str, name: str) -> x509.Certificate:
    api = k8s.CoreV1Api(k8s_config.new_client_from_config(str(drill.kubeconfig)))
    secret = api.read_namespaced_secret(name, namespace)
    return x509.load_pem_x509_certificate(base64.b64decode(secret.data["tls.crt"]))


def sans(cert: x509.Certificate) -> list[str]:
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return sorted(names.get_values_for_type(x509.DNSName))


def errors(drill: Drill) -> list[str]:
    return drill.call(lambda: list(drill.cluster.world.engine.errors))


# -- the registry ------------------------------------------------------------------------


def test_every_seed_scenario_is_registered_with_a_description() -> None:
    expected = {
        "site-down",
        "oom",
        "bad-deploy",
        "tls-expired",
        "www-missing",
        "mime-error",
        "db-pool",
        "node-not-ready",
        "hpa-maxed",
        "healthy",
    }
    assert set(SCENARIOS) == expected
    assert all(len(text) > 30 and "\n" not in text for text in SCENARIOS.values())


def test_an_unknown_scenario_is_refused_with_the_valid_names(
    start_drill: Callable[..., Drill],
) -> None:
    with pytest.raises(ValueError, match=r"unknown scenario 'sitedown'.*site-down"):
        start_drill("sitedown")


def test_healthy(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("healthy", speed=SPEED)
    rows = table(drill, "get", "pods", "-A")
    assert len(rows) >= 15
    assert {row[3] for row in rows} == {"Running"}
    assert all(row[2].split("/")[0] == row[2].split("/")[1] for row in rows)
    assert [row[1] for row in table(drill, "get", "nodes")] == ["Ready"] * 3
    assert resolved(drill) and summary(drill) == "all workloads ready"
    assert errors(drill) == []


# -- site-down -----------------------------------------------------------------------------


def test_site_down(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("site-down", speed=SPEED)
    app = pods(drill, WEB, "app=app")
    assert len(app) == 3
    assert all(not p["status"]["containerStatuses"][0]["ready"] for p in app)
    assert all(restarts(p) >= 3 for p in app)
    wait_for(
        lambda: (
            "CrashLoopBackOff"
            in {row[2] for row in table(drill, "get", "pods", "-n", WEB, "-l", "app=app")}
        ),
        "a pod in CrashLoopBackOff",
    )
    logs = drill.kubectl("logs", "deploy/app", "-n", WEB).stdout
    assert re.search(r"Error: connect ECONNREFUSED 10\.244\.\d+\.\d+:27017", logs)
    previous = drill.kubectl("logs", app[0]["metadata"]["name"], "-n", WEB, "--previous").stdout
    assert previous.rstrip().endswith("Node.js v20.18.0")
    assert "MongoServerSelectionError" in previous
    assert table(drill, "get", "endpoints", "app", "-n", WEB)[0][1] == "<none>"
    assert not resolved(drill) and "ECONNREFUSED" in summary(drill)
    ingress_log = drill.kubectl(
        "logs", "-n", "ingress-nginx", "deploy/ingress-nginx-controller", "--tail=400"
    ).stdout
    assert (
        '"GET / HTTP/2.0" 503' in ingress_log or "does not have any active Endpoint" in ingress_log
    )

    # Wrong: deleting a pod. Its replacement, from the same ReplicaSet, crashes too.
    victim = app[0]["metadata"]["name"]
    drill.kubectl("delete", "pod", victim, "-n", WEB)

    def replacement_crashing() -> list[dict[str, Any]]:
        fresh = [
            p
            for p in pods(drill, WEB, "app=app")
            if p["metadata"]["name"] not in {q["metadata"]["name"] for q in app}
        ]
        return [p for p in fresh if restarts(p) >= 2]

    wait_for(replacement_crashing, "the replacement pod to crash-loop (restarts climbing)")
    assert not resolved(drill)

    # The runbook's fix.
    drill.kubectl("rollout", "restart", "deployment", "app", "-n", WEB)
    status = drill.kubectl("rollout", "status", "deployment", "app", "-n", WEB, "--timeout=60s")
    assert 'deployment "app" successfully rolled out' in status.stdout
    wait_for(lambda: resolved(drill), "site-down to be resolved")
    endpoints = table(drill, "get", "endpoints", "app", "-n", WEB)[0][1]
    assert len(endpoints.split(",")) == 3
    assert errors(drill) == []


# -- oom ---------------------------------------------------------------------------------


def test_oom(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("oom", speed=SPEED)
    backend = pods(drill, "default", "app=dhakacart-backend")
    total = sum(restarts(p) for p in backend)
    assert total >= 6
    name = backend[0]["metadata"]["name"]
    described = drill.kubectl("describe", "pod", name).stdout
    assert re.search(
        r"Last State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137", described
    )
    assert "memory:  512Mi" in described
    previous = drill.kubectl("logs", name, "--previous").stdout
    assert "memory usage rss=" in previous and "(limit 512Mi)" in previous
    top = table(drill, "top", "pods", "-l", "app=dhakacart-backend")
    assert all(int(row[2].removesuffix("Mi")) > 250 for row in top if row[2].endswith("Mi"))
    wait_for(
        lambda: sum(restarts(p) for p in pods(drill, "default", "app=dhakacart-backend")) > total,
        "restarts to climb",
    )
    assert not resolved(drill)

    # Wrong: a restart brings new pods with the same limit; they are OOM-killed too.
    drill.kubectl("rollout", "restart", "deployment", "dhakacart-backend")
    drill.kubectl("rollout", "status", "deployment", "dhakacart-backend", "--timeout=60s")

    def new_pods_oom_killed() -> bool:
        current = pods(drill, "default", "app=dhakacart-backend")
        hashes = {p["metadata"]["labels"]["pod-template-hash"] for p in backend}
        fresh = [p for p in current if p["metadata"]["labels"]["pod-template-hash"] not in hashes]
        return any(
            (s.get("lastState", {}).get("terminated") or {}).get("reason") == "OOMKilled"
            for p in fresh
            for s in p["status"].get("containerStatuses") or []
        )

    wait_for(new_pods_oom_killed, "the restarted pods to be OOM-killed as well")
    assert not resolved(drill)

    # The runbook's fix: more memory.
    drill.kubectl("set", "resources", "deployment", "dhakacart-backend", "--limits=memory=1Gi")
    drill.kubectl("rollout", "status", "deployment", "dhakacart-backend", "--timeout=60s")
    wait_for(lambda: resolved(drill), "oom to be resolved")
    assert "1024Mi" in summary(drill)
    assert errors(drill) == []


# -- bad-deploy --------------------------------------------------------------------------


def test_bad_deploy_is_fixed_by_rollout_undo(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("bad-deploy", speed=SPEED)
    rows = table(drill, "get", "pods", "-n", WEB, "-l", "app=app")
    assert {row[2] for row in rows} & {"ImagePullBackOff", "ErrImagePull"}
    assert sum(row[2] == "Running" for row in rows) == 3  # the old pods still serve
    stuck = drill.kubectl(
        "rollout", "status", "deployment", "app", "-n", WEB, "--timeout=30s", check=False
    )
    assert stuck.returncode != 0
    assert 'deployment "app" exceeded its progress deadline' in stuck.stderr
    history = drill.kubectl("rollout", "history", "deployment", "app", "-n", WEB).stdout
    assert re.search(r"^2\s+kubectl set image deployment/app app=\S+:1\.14\.2", history, re.M)
    assert re.search(r"^3\s+kubectl set image deployment/app app=\S+:1\.15\.0", history, re.M)
    bad = next(
        p
        for p in pods(drill, WEB, "app=app")
        if p["spec"]["containers"][0]["image"].endswith("1.15.0")
    )
    events = drill.kubectl("describe", "pod", bad["metadata"]["name"], "-n", WEB).stdout
    assert "Failed to pull image" in events and "not found" in events
    assert not resolved(drill)

    drill.kubectl("rollout", "undo", "deployment", "app", "-n", WEB)
    drill.kubectl("rollout", "status", "deployment", "app", "-n", WEB, "--timeout=60s")
    wait_for(lambda: resolved(drill), "bad-deploy to be resolved")
    history = drill.kubectl("rollout", "history", "deployment", "app", "-n", WEB).stdout
    assert re.search(r"^4\s+kubectl set image deployment/app app=\S+:1\.14\.2", history, re.M)
    assert not re.search(r"^2\s", history, re.M)  # revision 2 became 4
    images = {p["spec"]["containers"][0]["image"] for p in pods(drill, WEB, "app=app")}
    assert images == {"registry.digitalocean.com/wilkenweb/app:1.14.2"}


def test_bad_deploy_is_not_fixed_by_a_restart(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("bad-deploy", speed=SPEED)
    drill.kubectl("rollout", "restart", "deployment", "app", "-n", WEB)

    def restarted_pod_stuck() -> bool:
        return any(
            p["metadata"].get("annotations", {}).get("kubectl.kubernetes.io/restartedAt")
            and (p["status"].get("containerStatuses") or [{}])[0]
            .get("state", {})
            .get("waiting", {})
            .get("reason")
            in ("ErrImagePull", "ImagePullBackOff")
            for p in pods(drill, WEB, "app=app")
        )

    wait_for(restarted_pod_stuck, "the restarted revision to fail pulling too")
    assert not resolved(drill)
    assert "1.15.0" in summary(drill)


# -- TLS ---------------------------------------------------------------------------------


def test_tls_expired(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("tls-expired", speed=SPEED)
    assert table(drill, "get", "certificate", "-n", WEB)[0][1] == "False"
    described = drill.kubectl("describe", "certificate", "seanwilken-com-tls", "-n", WEB).stdout
    assert "Certificate expired on" in described
    challenges = drill.kubectl("describe", "challenge", "-n", WEB).stdout
    assert "wrong status code '404', expected '200'" in challenges
    assert {row[1] for row in table(drill, "get", "challenge", "-n", WEB)} == {"pending"}
    cert = secret_certificate(drill, WEB, "seanwilken-com-tls")
    assert cert.not_valid_after_utc < datetime.now(UTC)
    annotations = drill.kubectl(
        "get", "ingress", "app-ingress", "-n", WEB, "-o", "jsonpath={.metadata.annotations}"
    ).stdout
    assert "cert-manager.io/cluster-issuer" not in annotations

    # Wrong: restarting the ingress controller; deleting the challenges (they come back).
    restart_ingress_controller(drill)
    before = {row[0] for row in table(drill, "get", "challenge", "-n", WEB)}
    drill.kubectl("delete", "challenge", "--all", "-n", WEB)
    after = wait_for(
        lambda: {row[0] for row in table(drill, "get", "challenge", "-n", WEB)} - before,
        "the challenges to be recreated",
    )
    assert len(after) == 2
    wait_for(
        lambda: {r[1] for r in table(drill, "get", "challenge", "-n", WEB)} == {"pending"},
        "the new challenges to be pending",
    )
    assert not resolved(drill)

    # The runbook's fix.
    drill.kubectl(
        "annotate",
        "ingress",
        "app-ingress",
        "-n",
        WEB,
        "cert-manager.io/cluster-issuer=letsencrypt-prod",
    )
    wait_for(lambda: resolved(drill), "a fresh certificate")
    assert table(drill, "get", "certificate", "-n", WEB)[0][1] == "True"
    cert = secret_certificate(drill, WEB, "seanwilken-com-tls")
    assert (cert.not_valid_after_utc - datetime.now(UTC)).days >= 89
    assert sans(cert) == ["seanwilken.com", "www.seanwilken.com"]


def test_www_missing(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("www-missing", speed=SPEED)
    hosts = drill.kubectl(
        "get", "ingress", "app-ingress", "-n", WEB, "-o", "jsonpath={.spec.tls[0].hosts}"
    ).stdout
    assert json.loads(hosts) == ["seanwilken.com"]
    assert "www.seanwilken.com" in table(drill, "get", "ingress", "app-ingress", "-n", WEB)[0][2]
    assert sans(secret_certificate(drill, WEB, "seanwilken-com-tls")) == ["seanwilken.com"]
    controller_log = drill.kubectl(
        "logs", "-n", "ingress-nginx", "deploy/ingress-nginx-controller", "--tail=1000"
    ).stdout
    assert "x509: certificate is valid for seanwilken.com, not www.seanwilken.com" in controller_log

    # Wrong: restarting the ingress controller.
    restart_ingress_controller(drill)
    assert not resolved(drill)

    patch = '[{"op":"add","path":"/spec/tls/0/hosts/-","value":"www.seanwilken.com"}]'
    drill.kubectl("patch", "ingress", "app-ingress", "-n", WEB, "--type=json", "-p", patch)
    wait_for(lambda: resolved(drill), "a certificate covering www")
    assert sans(secret_certificate(drill, WEB, "seanwilken-com-tls")) == [
        "seanwilken.com",
        "www.seanwilken.com",
    ]


def test_mime_error(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("mime-error", speed=SPEED)
    described = drill.kubectl("describe", "ingress", "app-ingress", "-n", WEB).stdout
    assert "nginx.ingress.kubernetes.io/rewrite-target: /" in described
    assert re.search(r"/shop\s+app:80", described)
    controller_log = drill.kubectl(
        "logs", "-n", "ingress-nginx", "deploy/ingress-nginx-controller", "--tail=2000"
    ).stdout
    js = [line for line in controller_log.splitlines() if "GET /static/js/" in line]
    assert js and all(' 200 2019 "' in line for line in js)  # every bundle is the index page
    app_log = drill.kubectl("logs", "deploy/app", "-n", WEB, "--tail=2000").stdout
    assert "because its MIME type ('text/html') is not executable" in app_log
    assert table(drill, "get", "pods", "-n", WEB, "-l", "app=app")[0][2] == "Running"

    restart_ingress_controller(drill)
    assert not resolved(drill)

    drill.kubectl(
        "annotate",
        "ingress",
        "app-ingress",
        "-n",
        WEB,
        "nginx.ingress.kubernetes.io/rewrite-target-",
    )
    wait_for(lambda: resolved(drill), "the rewrite to be gone")


# -- db-pool -------------------------------------------------------------------------------


def test_db_pool(start_drill: Callable[..., Drill]) -> None:
    ns = "akaind-platform"
    drill = start_drill("db-pool", speed=SPEED)
    api_log = drill.kubectl("logs", "deploy/api", "-n", ns).stdout
    assert "remaining connection slots are reserved for non-replication superuser" in api_log
    assert "too many" in api_log
    slow = [int(m) for m in re.findall(r"slow request GET \S+ took (\d+)ms", api_log)]
    assert len(slow) > 40
    assert sum(slow[-20:]) / 20 > sum(slow[:20]) / 20  # latency rising while it lasts
    pg_log = drill.kubectl("logs", "postgres-0", "-n", ns, "--tail=50").stdout
    assert "FATAL:  sorry, too many clients already" in pg_log
    assert "max_connections=100" in summary(drill)

    # Wrong: restarting postgres (here by deleting its pod) without the new setting.
    drill.kubectl("delete", "pod", "postgres-0", "-n", ns)
    drill.kubectl("rollout", "status", "statefulset/postgres", "-n", ns, "--timeout=60s")
    wait_for(lambda: "max_connections=100" in summary(drill), "postgres to be back")
    assert not resolved(drill)

    # The runbook's fix: more connections, then a restart so postgres reads them.
    drill.kubectl(
        "patch",
        "configmap",
        "postgres-config",
        "-n",
        ns,
        "-p",
        '{"data":{"max_connections":"300"}}',
    )
    assert not resolved(drill)  # postgres reads its settings when it starts
    drill.kubectl("rollout", "restart", "statefulset/postgres", "-n", ns)
    drill.kubectl("rollout", "status", "statefulset/postgres", "-n", ns, "--timeout=60s")
    wait_for(lambda: resolved(drill), "db-pool to be resolved")
    assert "max_connections=300" in summary(drill)


# -- node-not-ready --------------------------------------------------------------------


def test_node_not_ready(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("node-not-ready", speed=SPEED)
    nodes = {row[0]: row[1] for row in table(drill, "get", "nodes")}
    assert sorted(nodes.values()) == ["NotReady", "Ready", "Ready"]
    dead = next(name for name, state in nodes.items() if state == "NotReady")
    assert (
        "node.kubernetes.io/unreachable:NoSchedule"
        in drill.kubectl("describe", "node", dead).stdout
    )

    def pending() -> list[list[str]]:
        return [row for row in table(drill, "get", "pods", "-A") if row[3] == "Pending"]

    def unschedulable() -> list[list[str]]:
        return table(drill, "get", "events", "-A", "--field-selector", "reason=FailedScheduling")

    event = wait_for(unschedulable, "replacement pods to fail scheduling")[0]
    stuck = [[event[0], event[4].removeprefix("pod/")]]
    assert stuck[0] in [row[:2] for row in pending()]
    unknown = [
        row for row in table(drill, "get", "pods", "-A", "-o", "wide") if row[3] == "Unknown"
    ]
    assert unknown and all(row[7] == dead for row in unknown)
    described = drill.kubectl("describe", "pod", stuck[0][1], "-n", stuck[0][0]).stdout
    assert re.search(
        r"FailedScheduling .* 0/3 nodes are available: 1 node\(s\) had untolerated"
        r" taint \{node.kubernetes.io/unreachable: \}, 2 Insufficient cpu",
        described,
    )

    # Wrong: deleting a Pending pod; it comes back Pending.
    drill.kubectl("delete", "pod", stuck[0][1], "-n", stuck[0][0])
    wait_for(lambda: [r for r in pending() if r[1] != stuck[0][1]], "a new Pending replacement")
    assert not resolved(drill)

    drill.kubectl("scale", "deployment", "report-batch", "--replicas=0")
    wait_for(lambda: resolved(drill), "capacity for the replacements")
    assert pending() == []


# -- hpa-maxed ---------------------------------------------------------------------------


def test_hpa_maxed(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("hpa-maxed", speed=SPEED)
    [row] = table(drill, "get", "hpa")
    target = re.match(r"cpu: (\d+)%/70%", row[2])
    assert target and int(target.group(1)) > 110
    assert (row[4], row[5]) == ("4", "4")
    assert re.search(
        r"ScalingLimited\s+True\s+TooManyReplicas",
        drill.kubectl("describe", "hpa", "backend-hpa").stdout,
    )
    top = table(drill, "top", "pods", "-l", "app=dhakacart-backend")
    assert len(top) == 4 and all(int(r[1].removesuffix("m")) > 250 for r in top)

    # Wrong: scaling the deployment by hand. The HPA owns the count and puts it back.
    drill.kubectl("scale", "deployment", "dhakacart-backend", "--replicas=8")

    def reverted() -> bool:
        described = drill.kubectl("describe", "hpa", "backend-hpa").stdout
        return "New size: 4; reason: All metrics below target" in described

    wait_for(reverted, "the HPA to scale back to its maximum")
    replicas = drill.kubectl(
        "get", "deployment", "dhakacart-backend", "-o", "jsonpath={.spec.replicas}"
    ).stdout
    assert replicas == "4"
    assert not resolved(drill)

    drill.kubectl("patch", "hpa", "backend-hpa", "-p", '{"spec":{"maxReplicas":10}}')
    wait_for(lambda: resolved(drill), "the HPA to scale freely")
    [row] = table(drill, "get", "hpa")
    assert int(row[5]) >= 7
    assert errors(drill) == []
