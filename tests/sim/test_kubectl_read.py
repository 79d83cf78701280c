"""The real kubectl against the drill cluster: get, describe, watch, and the everyday
writes (create/apply -f with validation on, delete, label, annotate, patch), with
the output asserted as an operator reads it.

One cluster serves the module; the objects come from a manifest applied into a
namespace of the module's own, and the world's controllers may act on them
(the Deployment gets ReplicaSets and pods), so rows are looked up by name.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from tests.sim.conftest import Drill, kubectl_path, running_drill

READONLY = "warroom-drill-readonly"


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def manifest(ns: str) -> str:
    event = """
apiVersion: v1
kind: Event
metadata: {{name: {name}, namespace: {ns}}}
type: {type}
reason: {reason}
message: {message}
involvedObject: {{kind: Pod, name: solo, namespace: {ns}, fieldPath: "spec.containers{{app}}"}}
source: {{component: kubelet, host: node-x}}
firstTimestamp: "{first}"
lastTimestamp: "{last}"
count: {count}
"""
    events = "---".join(
        event.format(
            name=name,
            type=kind,
            reason=reason,
            message=message,
            ns=ns,
            first=ago(hours + 1),
            last=ago(hours),
            count=count,
        )
        for name, kind, reason, message, hours, count in [
            ("solo.1", "Normal", "Pulled", "image pulled", 3, 1),
            ("solo.2", "Warning", "BackOff", "Back-off restarting failed container", 1, 7),
            ("solo.3", "Normal", "Started", "Started container app", 2, 1),
        ]
    )
    return f"""
apiVersion: v1
kind: Namespace
metadata: {{name: {ns}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}, labels: {{app: web}}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports: [{{containerPort: 8080}}]
        env: [{{name: MODE, value: prod}}]
      - name: proxy
        image: envoy:1.30
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: legacy, namespace: {ns}}}
spec:
  replicas: 0
  selector: {{matchLabels: {{app: legacy}}}}
  template:
    metadata: {{labels: {{app: legacy}}}}
    spec:
      containers: [{{name: old, image: "legacy:0.9"}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: solo, namespace: {ns}, labels: {{app: solo, tier: tools}}}}
spec:
  nodeName: node-x
  containers: [{{name: app, image: "busybox:1.36"}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {ns}, labels: {{app: web}}}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80, targetPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: edge, namespace: {ns}}}
spec:
  type: LoadBalancer
  selector: {{app: web}}
  ports: [{{port: 443, targetPort: 8443}}]
---
apiVersion: v1
kind: Service
metadata: {{name: ext, namespace: {ns}}}
spec:
  ports: [{{port: 5432}}]
---
apiVersion: v1
kind: Endpoints
metadata: {{name: ext, namespace: {ns}}}
subsets:
- addresses: [{{ip: 10.1.2.3}}, {{ip: 10.1.2.4}}]
  ports: [{{port: 5432}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: shop, namespace: {ns}}}
spec:
  ingressClassName: nginx
  tls: [{{hosts: [shop.example.com], secretName: shop-tls}}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {{service: {{name: web, port: {{number: 80}}}}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: {ns}, labels: {{app: web}}}}
data: {{mode: prod, level: info}}
---
apiVersion: v1
kind: Secret
metadata: {{name: creds, namespace: {ns}}}
stringData: {{password: hunter2}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: web, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 80}}}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {{name: shop-tls, namespace: {ns}}}
spec:
  secretName: shop-tls
  dnsNames: [shop.example.com]
  issuerRef: {{name: letsencrypt, kind: ClusterIssuer}}
---
apiVersion: acme.cert-manager.io/v1
kind: Challenge
metadata: {{name: shop-tls-1, namespace: {ns}}}
spec:
  dnsName: shop.example.com
  type: HTTP-01
  url: https://acme.example.com/chall/1
  token: abc
  key: abc.def
  issuerRef: {{name: letsencrypt, kind: ClusterIssuer}}
---{events}"""


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    folder = tmp_path_factory.mktemp("kubectl")
    # kubectl caches discovery per host:port; a private cache never serves a stale one.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KUBECACHEDIR", str(folder / "cache"))
        with running_drill(folder / "kubeconfig") as started:
            yield started


@pytest.fixture(scope="module")
def kubectl_minor(drill: Drill) -> int:
    """kubectl's minor version: where kubectl is missing, the test command installs
    Debian's (1.20), whose describe and auth commands say less."""
    version = json.loads(drill.kubectl("version", "--client", "-o", "json").stdout)
    return int(re.match(r"\d+", version["clientVersion"]["minor"]).group())


@pytest.fixture(scope="module")
def shop(drill: Drill, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A namespace with one of everything, created with `kubectl create -f` (validation on)."""
    ns = f"shop-{uuid.uuid4().hex[:6]}"
    path = tmp_path_factory.mktemp("manifests") / "shop.yaml"
    path.write_text(manifest(ns))
    result = drill.kubectl("create", "-f", str(path))
    assert result.stderr == ""
    assert "deployment.apps/web created\n" in result.stdout
    assert "certificate.cert-manager.io/shop-tls created" in result.stdout
    return ns


def table(text: str) -> list[dict[str, str]]:
    """kubectl's aligned columns, cut where the header's columns start."""
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+(?: \S+)*", header)]
    names = [header[s:e].strip() for s, e in zip(starts, [*starts[1:], None], strict=True)]
    rows = []
    for line in lines[1:]:
        cells = [line[s:e].strip() for s, e in zip(starts, [*starts[1:], None], strict=True)]
        rows.append(dict(zip(names, cells, strict=True)))
    return rows


def headers(text: str) -> list[str]:
    first = text.splitlines()[0]
    return [m.group() for m in re.finditer(r"\S+(?: \S+)*", first)]


def row(rows: list[dict[str, str]], name: str, column: str = "NAME") -> dict[str, str]:
    return next(r for r in rows if r[column] == name)


# -- get ---------------------------------------------------------------------------------

# kind -> (default columns, -o wide columns): priority-1 columns show in place.
COLUMNS = {
    "pods": (
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        [
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
        ],
    ),
    "nodes": (
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        [
            "NAME",
            "STATUS",
            "ROLES",
            "AGE",
            "VERSION",
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
        ],
    ),
    "services": (
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE", "SELECTOR"],
    ),
    "endpoints": (["NAME", "ENDPOINTS", "AGE"], ["NAME", "ENDPOINTS", "AGE"]),
    "ingress": (
        ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
        ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
    ),
    "deployments": (
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
    ),
    "replicasets": (
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"],
    ),
    "configmaps": (["NAME", "DATA", "AGE"], ["NAME", "DATA", "AGE"]),
    "secrets": (["NAME", "TYPE", "DATA", "AGE"], ["NAME", "TYPE", "DATA", "AGE"]),
    "namespaces": (["NAME", "STATUS", "AGE"], ["NAME", "STATUS", "AGE"]),
    "hpa": (
        ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
    ),
    "certificates": (
        ["NAME", "READY", "SECRET", "AGE"],
        ["NAME", "READY", "SECRET", "ISSUER", "STATUS", "AGE"],
    ),
    "challenges": (
        ["NAME", "STATE", "DOMAIN", "AGE"],
        ["NAME", "STATE", "DOMAIN", "REASON", "AGE"],
    ),
}


# kind -> (the objects' kind, how `-o name` prefixes them)
KINDS = {
    "pods": ("Pod", "pod"), "nodes": ("Node", "node"), "services": ("Service", "service"),
    "endpoints": ("Endpoints", "endpoints"),
    "ingress": ("Ingress", "ingress.networking.k8s.io"),
    "deployments": ("Deployment", "deployment.apps"),
    "replicasets": ("ReplicaSet", "replicaset.apps"), "configmaps": ("ConfigMap", "configmap"),
    "secrets": ("Secret", "secret"), "namespaces": ("Namespace", "namespace"),
    "hpa": ("HorizontalPodAutoscaler", "horizontalpodautoscaler.autoscaling"),
    "certificates": ("Certificate", "certificate.cert-manager.io"),
    "challenges": ("Challenge", "challenge.acme.cert-manager.io"),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_get_prints_the_familiar_columns(drill: Drill, shop: str, kind: str) -> None:
    plain, wide_columns = COLUMNS[kind]
    scope = [] if kind in ("nodes", "namespaces") else ["-n", shop]
    default = drill.kubectl("get", kind, *scope)
    assert headers(default.stdout) == plain
    wide = drill.kubectl("get", kind, *scope, "-o", "wide")
    assert headers(wide.stdout) == wide_columns
    everywhere = drill.kubectl("get", kind, "-A")
    expected = plain if kind in ("nodes", "namespaces") else ["NAMESPACE", *plain]
    assert headers(everywhere.stdout) == expected
    kind_name, prefix = KINDS[kind]
    names = drill.kubectl("get", kind, *scope, "-o", "name").stdout.split()
    assert names and all(name.startswith(prefix + "/") for name in names)
    listed = json.loads(drill.kubectl("get", kind, *scope, "-o", "json").stdout)
    assert listed["kind"] == "List" and {i["kind"] for i in listed["items"]} == {kind_name}
    assert [f"{prefix}/{i['metadata']['name']}" for i in listed["items"]] == names


def test_get_rows_read_as_on_a_real_cluster(drill: Drill, shop: str) -> None:
    def rows(*args: str) -> list[dict[str, str]]:
        return table(drill.kubectl("get", *args, "-n", shop).stdout)

    web = row(rows("services", "-o", "wide"), "web")
    assert (web["TYPE"], web["EXTERNAL-IP"], web["PORT(S)"], web["SELECTOR"]) == (
        "ClusterIP",
        "<none>",
        "80/TCP",
        "app=web",
    )
    assert re.fullmatch(r"10\.\d+\.\d+\.\d+", web["CLUSTER-IP"])
    edge = row(rows("services"), "edge")
    assert edge["TYPE"] == "LoadBalancer" and re.fullmatch(r"443:3\d{4}/TCP", edge["PORT(S)"])
    assert row(rows("endpoints"), "ext")["ENDPOINTS"] == "10.1.2.3:5432,10.1.2.4:5432"
    shop_ingress = row(rows("ingress"), "shop")
    assert (shop_ingress["CLASS"], shop_ingress["HOSTS"], shop_ingress["PORTS"]) == (
        "nginx",
        "shop.example.com",
        "80, 443",
    )
    deployment = row(rows("deployments", "-o", "wide"), "web")
    assert (deployment["CONTAINERS"], deployment["IMAGES"], deployment["SELECTOR"]) == (
        "web,proxy",
        "nginx:1.25,envoy:1.30",
        "app=web",
    )
    assert deployment["READY"].endswith("/2")
    legacy = row(rows("replicasets", "-o", "wide"), "legacy")
    assert (legacy["DESIRED"], legacy["IMAGES"], legacy["SELECTOR"]) == (
        "0",
        "legacy:0.9",
        "app=legacy",
    )
    assert row(rows("configmaps"), "settings")["DATA"] == "2"
    creds = row(rows("secrets"), "creds")
    assert (creds["TYPE"], creds["DATA"]) == ("Opaque", "1")
    hpa = row(rows("hpa"), "web")
    assert (hpa["REFERENCE"], hpa["MINPODS"], hpa["MAXPODS"]) == ("Deployment/web", "2", "5")
    assert re.fullmatch(r"cpu: (<unknown>|\d+%)/80%", hpa["TARGETS"])
    certificate = row(rows("certificates", "-o", "wide"), "shop-tls")
    assert (certificate["SECRET"], certificate["ISSUER"]) == ("shop-tls", "letsencrypt")
    challenge = row(rows("challenges", "-o", "wide"), "shop-tls-1")
    assert challenge["DOMAIN"] == "shop.example.com" and challenge["STATE"]
    solo = row(rows("pods", "-o", "wide"), "solo")
    assert solo["NODE"] == "node-x" and solo["READY"] in ("0/1", "1/1")
    namespace = row(table(drill.kubectl("get", "namespaces").stdout), shop)
    assert namespace["STATUS"] == "Active"


def test_get_events_wide_and_sorted_by_last_timestamp(drill: Drill, shop: str) -> None:
    result = drill.kubectl("get", "events", "-n", shop, "--sort-by=.lastTimestamp", "-o", "wide")
    ours = [r for r in table(result.stdout) if r["NAME"] in ("solo.1", "solo.2", "solo.3")]
    assert [r["REASON"] for r in ours] == ["Pulled", "Started", "BackOff"]
    assert [r["LAST SEEN"] for r in ours] == ["3h", "120m", "60m"]  # kubectl's HumanDuration
    wide = table(drill.kubectl("get", "events", "-n", shop, "-o", "wide").stdout)
    backoff = row(wide, "solo.2")
    assert (backoff["TYPE"], backoff["SUBOBJECT"], backoff["SOURCE"], backoff["COUNT"]) == (
        "Warning",
        "spec.containers{app}",
        "kubelet, node-x",
        "7",
    )
    assert backoff["MESSAGE"] == "Back-off restarting failed container"
    assert backoff["FIRST SEEN"] == "120m"


@pytest.mark.parametrize("output", ["yaml", "json"])
def test_get_as_yaml_and_json(drill: Drill, shop: str, output: str) -> None:
    one = drill.kubectl("get", "deployment", "web", "-n", shop, "-o", output).stdout
    obj = yaml.safe_load(one) if output == "yaml" else json.loads(one)
    assert (obj["kind"], obj["apiVersion"], obj["metadata"]["name"]) == (
        "Deployment",
        "apps/v1",
        "web",
    )
    assert obj["spec"]["strategy"]["type"] == "RollingUpdate"  # defaulted by the server
    listed = drill.kubectl("get", "configmaps", "-n", shop, "-l", "app=web", "-o", output).stdout
    items = yaml.safe_load(listed) if output == "yaml" else json.loads(listed)
    assert items["kind"] == "List"
    assert [i["metadata"]["name"] for i in items["items"]] == ["settings"]
    secret = drill.kubectl("get", "secret", "creds", "-n", shop, "-o", output).stdout
    assert "hunter2" not in secret and "aHVudGVyMg==" in secret  # stringData folded into data


def test_get_names_selectors_and_field_selectors(drill: Drill, shop: str) -> None:
    names = drill.kubectl("get", "services", "-n", shop, "-o", "name").stdout.split()
    assert names == ["service/edge", "service/ext", "service/web"]
    labelled = drill.kubectl(
        "get", "pods", "-n", shop, "-l", "app=solo,tier in (tools)", "-o", "name"
    )
    assert labelled.stdout.split() == ["pod/solo"]
    on_node = drill.kubectl("get", "pods", "-A", "--field-selector", "spec.nodeName=node-x")
    assert [(r["NAMESPACE"], r["NAME"]) for r in table(on_node.stdout)] == [(shop, "solo")]
    warnings = drill.kubectl(
        "get",
        "events",
        "-n",
        shop,
        "--field-selector",
        "type=Warning,involvedObject.name=solo",
        "-o",
        "name",
    )
    assert warnings.stdout.split() == ["event/solo.2"]
    refused = drill.kubectl(
        "get", "pods", "-n", shop, "--field-selector", "spec.image=x", check=False
    )
    assert refused.returncode == 1
    assert "field label not supported: spec.image" in refused.stderr
    nothing = drill.kubectl("get", "pods", "-n", shop, "-l", "app=nothing")
    assert nothing.stdout == "" and f"No resources found in {shop} namespace." in nothing.stderr


def test_get_watch_prints_changes_as_they_happen(drill: Drill, shop: str) -> None:
    env = {**os.environ, "KUBECONFIG": str(drill.kubeconfig)}
    argv = [kubectl_path(), "get", "configmaps", "-n", shop, "-w", "-l", "watched=yes"]
    lines: list[str] = []
    with subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")))
        reader.start()
        try:
            time.sleep(0.5)  # let the watch open; events before it are listed anyway
            drill.kubectl("create", "configmap", "seen", "-n", shop)
            drill.kubectl("label", "configmap", "seen", "-n", shop, "watched=yes")
            drill.kubectl("annotate", "configmap", "seen", "-n", shop, "x=1")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and sum("seen" in line for line in lines) < 2:
                time.sleep(0.05)
        finally:
            process.terminate()
            reader.join(5)
    shown = [line.split()[:2] for line in lines if "seen" in line]
    assert shown[:2] == [["seen", "0"], ["seen", "0"]]  # NAME, DATA: added, then changed


# -- describe -----------------------------------------------------------------------------


def test_describe_pod(drill: Drill, shop: str) -> None:
    text = drill.kubectl("describe", "pod", "solo", "-n", shop).stdout
    assert re.search(r"^Name:\s+solo$", text, re.M)
    assert re.search(rf"^Namespace:\s+{shop}$", text, re.M)
    assert re.search(r"^Node:\s+node-x", text, re.M)
    assert re.search(r"^\s+Image:\s+busybox:1.36$", text, re.M)
    assert "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s" in text
    assert re.search(r"^QoS Class:\s+BestEffort$", text, re.M)
    assert re.search(r"^Events:", text, re.M)


def test_describe_deployment(drill: Drill, shop: str) -> None:
    text = drill.kubectl("describe", "deployment", "web", "-n", shop).stdout
    assert re.search(r"^Replicas:\s+2 desired \|", text, re.M)
    assert re.search(r"^StrategyType:\s+RollingUpdate$", text, re.M)
    assert re.search(r"^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$", text, re.M)
    assert re.search(r"^\s+Image:\s+nginx:1.25$", text, re.M)
    assert re.search(r"^\s+Port:\s+8080/TCP$", text, re.M)
    assert re.search(r"^\s+MODE:\s+prod$", text, re.M)


def test_describe_service_and_ingress(drill: Drill, shop: str, kubectl_minor: int) -> None:
    service = drill.kubectl("describe", "service", "web", "-n", shop).stdout
    assert re.search(r"^Type:\s+ClusterIP$", service, re.M)
    assert re.search(r"^IP:\s+10\.\d+\.\d+\.\d+$", service, re.M)
    assert re.search(r"^Port:\s+<unset>\s+80/TCP$", service, re.M)
    assert re.search(r"^TargetPort:\s+8080/TCP$", service, re.M)
    assert re.search(r"^Session Affinity:\s+None$", service, re.M)
    ingress = drill.kubectl("describe", "ingress", "shop", "-n", shop).stdout
    if kubectl_minor >= 21:
        assert re.search(r"^Ingress Class:\s+nginx$", ingress, re.M)
    assert re.search(r"^\s+shop-tls terminates shop.example.com$", ingress, re.M)
    assert re.search(r"^\s+shop.example.com\s*$", ingress, re.M)
    assert re.search(r"^\s+/\s+web:80 \(", ingress, re.M)


def test_describe_node(drill: Drill) -> None:
    name = drill.kubectl("get", "nodes", "-o", "name").stdout.split()[0].split("/")[1]
    text = drill.kubectl("describe", "node", name).stdout
    assert re.search(rf"^Name:\s+{name}$", text, re.M)
    assert re.search(rf"^\s+HolderIdentity:\s+{name}$", text, re.M)  # its heartbeat Lease
    assert "Failed to get lease" not in text
    assert re.search(r"^Conditions:$", text, re.M) and re.search(r"^System Info:$", text, re.M)


# -- writes ----------------------------------------------------------------------------


def test_apply_configures_then_leaves_unchanged(drill: Drill, shop: str, tmp_path: Path) -> None:
    path = tmp_path / "app.yaml"
    config = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "applied", "namespace": shop},
        "data": {"a": "1"},
    }
    path.write_text(yaml.safe_dump(config))
    assert drill.kubectl("apply", "-f", str(path)).stdout == "configmap/applied created\n"
    config["data"] = {"a": "2", "b": "3"}
    path.write_text(yaml.safe_dump(config))
    assert drill.kubectl("apply", "-f", str(path)).stdout == "configmap/applied configured\n"
    assert drill.kubectl("apply", "-f", str(path)).stdout == "configmap/applied unchanged\n"
    data = drill.kubectl("get", "cm", "applied", "-n", shop, "-o", "jsonpath={.data}").stdout
    assert json.loads(data) == {"a": "2", "b": "3"}
    again = drill.kubectl("create", "-f", str(path), check=False)
    assert again.returncode == 1
    assert "Error from server (AlreadyExists): error when creating" in again.stderr
    assert 'configmaps "applied" already exists' in again.stderr


def test_apply_refuses_an_invalid_object_with_the_servers_reason(
    drill: Drill, shop: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "bad", "namespace": shop},
                "spec": {
                    "selector": {"matchLabels": {"app": "x"}},
                    "template": {
                        "metadata": {"labels": {"app": "y"}},
                        "spec": {"containers": [{"name": "c", "image": "i:1"}]},
                    },
                },
            }
        )
    )
    result = drill.kubectl("apply", "-f", str(path), check=False)
    assert result.returncode == 1
    assert 'The Deployment "bad" is invalid' in result.stderr
    assert "`selector` does not match template `labels`" in result.stderr


def test_label_annotate_and_delete(drill: Drill, shop: str) -> None:
    drill.kubectl("create", "configmap", "tagged", "-n", shop, "--from-literal=k=v")
    assert drill.kubectl("label", "cm", "tagged", "-n", shop, "team=sre").stdout == (
        "configmap/tagged labeled\n"
    )
    assert "annotated" in drill.kubectl("annotate", "cm", "tagged", "-n", shop, "note=x").stdout
    listed = drill.kubectl("get", "cm", "-n", shop, "-l", "team=sre", "-o", "name").stdout
    assert listed.split() == ["configmap/tagged"]
    drill.kubectl("label", "cm", "tagged", "-n", shop, "team-")
    labels = drill.kubectl("get", "cm", "tagged", "-n", shop, "-o", "jsonpath={.metadata.labels}")
    assert "team" not in labels.stdout
    overwrite = drill.kubectl("annotate", "cm", "tagged", "-n", shop, "note=y", check=False)
    assert overwrite.returncode == 1 and "--overwrite is false" in overwrite.stderr
    assert drill.kubectl("delete", "cm", "tagged", "-n", shop).stdout == (
        'configmap "tagged" deleted\n'
    )
    missing = drill.kubectl("delete", "cm", "tagged", "-n", shop, check=False)
    assert missing.returncode == 1
    assert 'Error from server (NotFound): configmaps "tagged" not found' in missing.stderr


def test_patch_with_each_type(drill: Drill, shop: str) -> None:
    def containers() -> list[dict[str, object]]:
        out = drill.kubectl("get", "deploy", "web", "-n", shop, "-o", "json").stdout
        return json.loads(out)["spec"]["template"]["spec"]["containers"]

    strategic = (
        '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}}}'
    )
    assert drill.kubectl("patch", "deploy", "web", "-n", shop, "-p", strategic).stdout == (
        "deployment.apps/web patched\n"
    )
    assert [(c["name"], c["image"]) for c in containers()] == [
        ("web", "nginx:1.26"),
        ("proxy", "envoy:1.30"),
    ]
    json_patch = '[{"op":"add","path":"/metadata/labels/patched","value":"json"}]'
    drill.kubectl("patch", "deploy", "web", "-n", shop, "--type=json", "-p", json_patch)
    merge = '{"metadata":{"annotations":{"patched":"merge"}}}'
    drill.kubectl("patch", "deploy", "web", "-n", shop, "--type=merge", "-p", merge)
    meta = json.loads(drill.kubectl("get", "deploy", "web", "-n", shop, "-o", "json").stdout)
    assert meta["metadata"]["labels"]["patched"] == "json"
    assert meta["metadata"]["annotations"]["patched"] == "merge"
    failing = drill.kubectl(
        "patch",
        "deploy",
        "web",
        "-n",
        shop,
        "--type=json",
        "-p",
        '[{"op":"test","path":"/spec/replicas","value":42}]',
        check=False,
    )
    assert failing.returncode == 1
    assert "The request is invalid" in failing.stderr and "test failed" in failing.stderr


def test_scale_through_the_scale_subresource(drill: Drill, shop: str) -> None:
    drill.kubectl("create", "deployment", "scaled", "-n", shop, "--image=app:1", "--replicas=1")
    assert drill.kubectl("scale", "deploy", "scaled", "-n", shop, "--replicas=3").stdout == (
        "deployment.apps/scaled scaled\n"
    )
    replicas = drill.kubectl(
        "get", "deploy", "scaled", "-n", shop, "-o", "jsonpath={.spec.replicas}"
    )
    assert replicas.stdout == "3"


# -- discovery, access, metrics ---------------------------------------------------------


def test_api_resources(drill: Drill) -> None:
    rows = table(drill.kubectl("api-resources").stdout)
    kinds = {(r["NAME"], r["APIVERSION"]): r for r in rows}
    for name, version in [
        ("pods", "v1"),
        ("deployments", "apps/v1"),
        ("ingresses", "networking.k8s.io/v1"),
        ("horizontalpodautoscalers", "autoscaling/v2"),
        ("certificates", "cert-manager.io/v1"),
        ("challenges", "acme.cert-manager.io/v1"),
        ("pods", "metrics.k8s.io/v1beta1"),
    ]:
        assert (name, version) in kinds
    assert kinds[("certificates", "cert-manager.io/v1")]["SHORTNAMES"] == "cert,certs"
    assert kinds[("nodes", "v1")]["NAMESPACED"] == "false"


def test_auth_can_i_answers_per_user(drill: Drill, shop: str, kubectl_minor: int) -> None:
    def can(*args: str, context: str | None = None) -> tuple[int, str]:
        result = drill.kubectl("auth", "can-i", *args, "-n", shop, context=context, check=False)
        return result.returncode, result.stdout.strip()

    assert can("delete", "deployments") == (0, "yes")
    assert can("list", "secrets") == (0, "yes")
    assert can("list", "pods", context=READONLY) == (0, "yes")
    assert can("get", "pods", "--subresource=log", context=READONLY) == (0, "yes")
    assert can("create", "pods", context=READONLY) == (1, "no")
    assert can("get", "secrets", context=READONLY) == (1, "no")
    if kubectl_minor >= 27:  # SelfSubjectReview
        who = drill.kubectl("auth", "whoami", context=READONLY).stdout
        assert re.search(r"^Username\s+drill-readonly$", who, re.M)


def test_readonly_kubectl_is_refused_with_the_rbac_message(drill: Drill, shop: str) -> None:
    denied = drill.kubectl("delete", "cm", "settings", "-n", shop, context=READONLY, check=False)
    assert denied.returncode == 1
    assert (
        f'Error from server (Forbidden): configmaps "settings" is forbidden: User "drill-readonly"'
        f' cannot delete resource "configmaps" in API group "" in the namespace "{shop}"'
    ) in denied.stderr
    secrets = drill.kubectl("get", "secrets", "-n", shop, context=READONLY, check=False)
    assert secrets.returncode == 1 and 'cannot list resource "secrets"' in secrets.stderr
    assert "settings" in drill.kubectl("get", "cm", "-n", shop, context=READONLY).stdout


def test_top_finds_the_metrics_api(drill: Drill, shop: str) -> None:
    result = drill.kubectl("top", "pods", "-n", shop, check=False)
    assert "Metrics API not available" not in result.stderr
    assert result.returncode == 0, result.stderr
