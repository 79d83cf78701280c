"""Everyday kubectl against the drill cluster's workloads: the real kubectl, real HTTPS."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.sim.conftest import Drill, kubectl_path
from tests.sim.helpers import rows, wait_for
from tui.sim.manifests import ManifestError

WEB = "wilkenweb-prod"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z ")


def app_pods(drill: Drill) -> list[dict[str, Any]]:
    out = drill.kubectl("get", "pods", "-n", WEB, "-l", "app=app", "-o", "json").stdout
    return [p for p in json.loads(out)["items"] if not p["metadata"].get("deletionTimestamp")]


def ready_app_pods(drill: Drill) -> list[dict[str, Any]]:
    return [
        p
        for p in app_pods(drill)
        if all(s.get("ready") for s in p["status"].get("containerStatuses") or [{}])
    ]


@pytest.fixture
def healthy(start_drill: Callable[..., Drill]) -> Drill:
    return start_drill("healthy", speed=40)


def test_get_pods_deployments_replicasets(healthy: Drill) -> None:
    [deploy] = rows(healthy, "get", "deployments", "-n", WEB)
    assert deploy[:4] == ["app", "3/3", "3", "3"]
    [rs] = rows(healthy, "get", "replicasets", "-n", WEB)
    assert re.fullmatch(r"app-[bcdfghjklmnpqrstvwxz2456789]{6,10}", rs[0]) and rs[1:4] == [
        "3",
        "3",
        "3",
    ]
    wide = rows(healthy, "get", "pods", "-n", WEB, "-l", "app=app", "-o", "wide")
    assert len(wide) == 3
    for row in wide:
        assert row[0].startswith(rs[0] + "-") and row[1:3] == ["1/1", "Running"]
        assert re.fullmatch(r"10\.244\.\d+\.\d+", row[5]) and row[6].startswith("pool-prod-")
    everything = rows(healthy, "get", "all", "-n", WEB)
    assert any(r[0] == "service/app" for r in everything)
    assert any(r[0] == "statefulset.apps/mongo" for r in everything)


def test_scale_and_events(healthy: Drill) -> None:
    healthy.kubectl("scale", "deployment", "app", "-n", WEB, "--replicas=5")
    wait_for(lambda: len(ready_app_pods(healthy)) == 5, "5 ready pods")
    assert rows(healthy, "get", "deployment", "app", "-n", WEB)[0][1] == "5/5"
    healthy.kubectl("scale", "deployment/app", "-n", WEB, "--replicas=2")
    wait_for(lambda: len(app_pods(healthy)) == 2, "2 pods")
    events = rows(healthy, "get", "events", "-n", WEB, "--sort-by=.lastTimestamp")
    reasons = {e[2] for e in events}
    assert {
        "ScalingReplicaSet",
        "SuccessfulCreate",
        "SuccessfulDelete",
        "Scheduled",
        "Started",
        "Killing",
    } <= reasons
    messages = [e[4] for e in events if e[2] == "ScalingReplicaSet"]
    assert any(re.fullmatch(r"Scaled up replica set app-\w+ to 5 from 3", m) for m in messages)
    assert any(re.fullmatch(r"Scaled down replica set app-\w+ to 2 from 5", m) for m in messages)


def test_delete_pod_is_recreated_and_describe_shows_its_events(healthy: Drill) -> None:
    before = {p["metadata"]["name"] for p in app_pods(healthy)}
    victim = sorted(before)[0]
    out = healthy.kubectl("delete", "pod", victim, "-n", WEB).stdout  # waits until it is gone
    assert out.strip() == f'pod "{victim}" deleted'
    assert healthy.kubectl("get", "pod", victim, "-n", WEB, check=False).returncode == 1
    fresh = wait_for(
        lambda: [p for p in ready_app_pods(healthy) if p["metadata"]["name"] not in before],
        "a replacement pod",
    )
    described = healthy.kubectl("describe", "pod", fresh[0]["metadata"]["name"], "-n", WEB).stdout
    assert "Status:           Running" in described
    assert "Controlled By:  ReplicaSet/app-" in described
    for reason in ("Scheduled", "Pulled", "Created", "Started"):
        assert re.search(rf"Normal\s+{reason}\s+\S+\s+(default-scheduler|kubelet)", described)
    assert "Successfully assigned wilkenweb-prod/" in described
    assert len(app_pods(healthy)) == 3


def test_deleting_a_deployment_takes_its_replica_sets_and_pods(healthy: Drill) -> None:
    out = healthy.kubectl("delete", "deployment", "app", "-n", WEB).stdout
    assert out.strip() == 'deployment.apps "app" deleted'
    wait_for(
        lambda: not app_pods(healthy) and not rows(healthy, "get", "rs", "-n", WEB),
        "the replica set and its pods to be collected",
    )
    assert [r[0] for r in rows(healthy, "get", "pods", "-n", WEB)] == [
        "mongo-0",
        "mongo-1",
        "mongo-2",
    ]
    [ingress] = rows(healthy, "get", "ingress", "app-ingress", "-n", WEB)
    assert ingress[3] == "203.0.113.10"  # published by ingress-nginx from its load balancer


def test_rollout_restart_status_history_and_undo(healthy: Drill) -> None:
    names = {p["metadata"]["name"] for p in app_pods(healthy)}
    assert healthy.kubectl("rollout", "restart", "deployment", "app", "-n", WEB).stdout.strip() == (
        "deployment.apps/app restarted"
    )
    status = healthy.kubectl("rollout", "status", "deployment/app", "-n", WEB, "--timeout=60s")
    assert 'deployment "app" successfully rolled out' in status.stdout
    wait_for(lambda: len(app_pods(healthy)) == 3, "old pods to be gone")
    assert not names & {p["metadata"]["name"] for p in app_pods(healthy)}
    history = healthy.kubectl("rollout", "history", "deployment", "app", "-n", WEB).stdout
    assert re.findall(r"^(\d+)\s+<none>$", history, re.M) == ["1", "2"]
    second = healthy.kubectl("rollout", "history", "deployment", "app", "-n", WEB, "--revision=2")
    assert "kubectl.kubernetes.io/restartedAt:" in second.stdout
    healthy.kubectl("rollout", "undo", "deployment", "app", "-n", WEB)
    healthy.kubectl("rollout", "status", "deployment/app", "-n", WEB, "--timeout=60s")
    history = healthy.kubectl("rollout", "history", "deployment", "app", "-n", WEB).stdout
    assert re.findall(r"^(\d+)\s+<none>$", history, re.M) == ["2", "3"]
    sets = rows(healthy, "get", "rs", "-n", WEB)
    assert len(sets) == 2 and sorted(r[1] for r in sets) == ["0", "3"]
    undone = healthy.kubectl(
        "get",
        "deployment",
        "app",
        "-n",
        WEB,
        "-o",
        "jsonpath={.spec.template.metadata.annotations}",
    ).stdout
    assert "restartedAt" not in undone


def test_set_image_and_set_resources_roll_out(healthy: Drill) -> None:
    image = "registry.digitalocean.com/wilkenweb/app:1.14.3"
    out = healthy.kubectl("set", "image", "deployment/app", f"app={image}", "-n", WEB).stdout
    assert out.strip() == "deployment.apps/app image updated"
    healthy.kubectl("rollout", "status", "deployment/app", "-n", WEB, "--timeout=60s")
    wait_for(
        lambda: {p["spec"]["containers"][0]["image"] for p in app_pods(healthy)} == {image},
        "every pod on the new image",
    )
    healthy.kubectl("set", "resources", "deployment", "app", "-n", WEB, "--limits=memory=1Gi")
    healthy.kubectl("rollout", "status", "deployment/app", "-n", WEB, "--timeout=60s")
    limits = {
        p["spec"]["containers"][0]["resources"]["limits"]["memory"] for p in app_pods(healthy)
    }
    assert limits == {"1Gi"}
    assert len(rows(healthy, "get", "rs", "-n", WEB)) == 3
    healthy.kubectl("rollout", "undo", "deployment/app", "-n", WEB, "--to-revision=1")
    healthy.kubectl("rollout", "status", "deployment/app", "-n", WEB, "--timeout=60s")
    images = {p["spec"]["containers"][0]["image"] for p in app_pods(healthy)}
    assert images == {"registry.digitalocean.com/wilkenweb/app:1.14.2"}


def test_logs_plain_tail_timestamps_since(healthy: Drill) -> None:
    pod = app_pods(healthy)[0]["metadata"]["name"]
    plain = healthy.kubectl("logs", pod, "-n", WEB).stdout.splitlines()
    assert len(plain) > 100
    tail = healthy.kubectl("logs", pod, "-n", WEB, "--tail=5").stdout.splitlines()
    assert len(tail) == 5
    stamped = healthy.kubectl(
        "logs", pod, "-n", WEB, "--tail=5", "--timestamps"
    ).stdout.splitlines()
    assert len(stamped) == 5 and all(STAMP.match(line) for line in stamped)
    stamps = [line.split(" ", 1)[0] for line in stamped]
    assert stamps == sorted(stamps) and all(STAMP.sub("", line) for line in stamped)
    recent = healthy.kubectl("logs", pod, "-n", WEB, "--since=2s").stdout.splitlines()
    assert len(recent) < len(plain)
    limited = healthy.kubectl("logs", pod, "-n", WEB, "--limit-bytes=500").stdout
    assert 0 < len(limited.encode()) <= 500
    by_deployment = healthy.kubectl("logs", "deployment/app", "-n", WEB, "--tail=3")
    assert len(by_deployment.stdout.splitlines()) == 3
    mongo = healthy.kubectl("logs", "mongo-0", "-n", WEB, "--tail=20").stdout.splitlines()
    assert all(json.loads(line)["t"]["$date"] for line in mongo if line.startswith("{"))


def test_logs_follow_streams_new_lines(healthy: Drill) -> None:
    pod = app_pods(healthy)[0]["metadata"]["name"]
    env = {**os.environ, "KUBECONFIG": str(healthy.kubeconfig)}
    argv = [kubectl_path(), "logs", "-f", pod, "-n", WEB, "--tail=1", "--timestamps"]
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True) as process:
        lines: list[str] = []
        try:
            assert process.stdout is not None
            deadline = time.monotonic() + 10
            while len(lines) < 15 and time.monotonic() < deadline:
                line = process.stdout.readline()
                if not line:
                    break
                lines.append(line)
        finally:
            process.kill()
    assert len(lines) >= 15, lines
    stamps = [line.split(" ", 1)[0] for line in lines]
    assert stamps == sorted(stamps)  # arriving in time order, as they are written


def test_logs_previous_of_a_crash_looping_pod(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("site-down", speed=40)
    pod = app_pods(drill)[0]["metadata"]["name"]
    previous = drill.kubectl("logs", pod, "-n", WEB, "--previous").stdout
    assert "connect ECONNREFUSED" in previous
    # Following a container that has exited ends with the container.
    env = {**os.environ, "KUBECONFIG": str(drill.kubeconfig)}
    waiting = wait_for(
        lambda: [
            p
            for p in app_pods(drill)
            if (p["status"]["containerStatuses"][0]["state"].get("waiting") or {}).get("reason")
            == "CrashLoopBackOff"
        ],
        "a pod in back-off",
    )
    done = subprocess.run(
        [kubectl_path(), "logs", "-f", waiting[0]["metadata"]["name"], "-n", WEB, "--tail=2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.returncode == 0 and done.stdout.rstrip().endswith("Node.js v20.18.0")
    never = drill.kubectl("logs", "mongo-1", "-n", WEB, "--previous", check=False)
    assert never.returncode == 1
    assert 'previous terminated container "mongo" in pod "mongo-1" not found' in never.stderr


def test_top_pods_and_nodes(healthy: Drill) -> None:
    pods = rows(healthy, "top", "pods", "-A")
    assert len(pods) >= 15
    for row in pods:
        assert re.fullmatch(r"\d+m", row[2]) and re.fullmatch(r"\d+Mi", row[3])
    mongo = [r for r in pods if r[1].startswith("mongo-")]
    assert all(int(r[3].removesuffix("Mi")) > 300 for r in mongo)
    nodes = rows(healthy, "top", "nodes")
    assert [r[0] for r in nodes] == ["pool-prod-1", "pool-prod-2", "pool-prod-3"]
    for row in nodes:
        assert re.fullmatch(r"\d+m", row[1]) and re.fullmatch(r"\d+%", row[2])
        assert re.fullmatch(r"\d+Mi", row[3]) and re.fullmatch(r"\d+%", row[4])


def test_the_kubernetes_client_sees_the_same_workloads(healthy: Drill) -> None:
    api = k8s.CoreV1Api(k8s_config.new_client_from_config(str(healthy.kubeconfig)))
    found = api.list_namespaced_pod(WEB, label_selector="app=app").items
    assert len(found) == 3 and all(p.status.phase == "Running" for p in found)
    assert all(p.status.container_statuses[0].ready for p in found)
    log = api.read_namespaced_pod_log(found[0].metadata.name, WEB, tail_lines=4)
    assert len(log.splitlines()) == 4
    apps = k8s.AppsV1Api(api.api_client)
    deployment = apps.read_namespaced_deployment("app", WEB)
    assert deployment.status.available_replicas == 3
    assert deployment.metadata.annotations["deployment.kubernetes.io/revision"] == "1"


MANIFESTS = """\
apiVersion: v1
kind: Namespace
metadata:
  name: drill-extra
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
  namespace: drill-extra
spec:
  replicas: 2
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
    spec:
      containers:
      - name: echo
        image: nginx:1.27
        ports: [{containerPort: 80}]
        resources:
          requests: {cpu: 20m, memory: 32Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: drill-extra
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 80}]
"""


def test_manifests_are_loaded_and_run(start_drill: Callable[..., Drill], tmp_path: Path) -> None:
    folder = tmp_path / "manifests"
    folder.mkdir()
    (folder / "echo.yaml").write_text(MANIFESTS)
    (folder / "config.yml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: echo-config, namespace: drill-extra}\n"
        "data: {greeting: hello}\n"
    )
    drill = start_drill("healthy", speed=40, manifests=folder)
    wait_for(
        lambda: (
            [r for r in rows(drill, "get", "pods", "-n", "drill-extra") if r[2] == "Running"]
            and len(rows(drill, "get", "pods", "-n", "drill-extra")) == 2
        ),
        "the echo pods",
    )
    wait_for(
        lambda: (
            len(rows(drill, "get", "endpoints", "echo", "-n", "drill-extra")[0][1].split(",")) == 2
        ),
        "the echo endpoints",
    )
    assert rows(drill, "get", "configmap", "echo-config", "-n", "drill-extra")[0][1] == "1"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n", "not valid YAML"),
        (
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
            "unknown kind example.com/v1 Widget",
        ),
        ("- just\n- a list\n", "expected a Kubernetes object"),
    ],
)
def test_bad_manifests_are_refused_naming_the_file(
    start_drill: Callable[..., Drill], tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(ManifestError) as info:
        start_drill("healthy", manifests=tmp_path)
    assert str(tmp_path / "bad.yaml") in str(info.value)
    assert problem in str(info.value)
