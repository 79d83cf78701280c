"""Server-side printing: the Table responses `kubectl get` asks for.

kubectl sends `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` and prints
whatever columns the server describes; these follow the real API server's
printers for each kind (priority-1 columns appear with `-o wide`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tui.sim.resources import ResourceType
from tui.sources.podstatus import age, pod_status, ready_counts, restarts_text

Obj = dict[str, Any]
Column = tuple[str, str, int, Callable[[Obj, datetime], Any]]  # name, type, priority, cell


def _g(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def _name(obj: Obj, _now: datetime) -> str:
    return obj["metadata"]["name"]


def _age(obj: Obj, now: datetime) -> str:
    return age(_g(obj, "metadata", "creationTimestamp"), now)


def _labels(obj: Obj) -> str:
    labels = _g(obj, "metadata", "labels", default={})
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"


def _node_status(node: Obj, _now: datetime) -> str:
    ready = "Unknown"
    for condition in _g(node, "status", "conditions", default=[]):
        if condition.get("type") == "Ready":
            ready = "Ready" if condition.get("status") == "True" else "NotReady"
    if _g(node, "spec", "unschedulable"):
        ready += ",SchedulingDisabled"
    return ready


def _node_roles(node: Obj, _now: datetime) -> str:
    prefix = "node-role.kubernetes.io/"
    roles = [
        k[len(prefix) :] for k in _g(node, "metadata", "labels", default={}) if k.startswith(prefix)
    ]
    return ",".join(sorted(roles)) or "<none>"


def _images(containers: list[Obj]) -> str:
    return ",".join(c.get("image", "") for c in containers)


def _container_names(containers: list[Obj]) -> str:
    return ",".join(c.get("name", "") for c in containers)


def _selector(obj: Obj) -> str:
    labels = _g(obj, "spec", "selector", "matchLabels", default=None)
    if labels is None:
        labels = _g(obj, "spec", "selector", default={})
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "<none>"


def _ports(service: Obj, _now: datetime) -> str:
    parts = []
    for port in _g(service, "spec", "ports", default=[]):
        text = f"{port.get('port')}"
        if port.get("nodePort"):
            text += f":{port['nodePort']}"
        parts.append(f"{text}/{port.get('protocol', 'TCP')}")
    return ",".join(parts) or "<none>"


def _endpoints(endpoints: Obj, _now: datetime) -> str:
    found = []
    for subset in _g(endpoints, "subsets", default=[]):
        ports = [p.get("port") for p in subset.get("ports", [])] or [None]
        for address in subset.get("addresses", []):
            for port in ports:
                found.append(f"{address.get('ip')}:{port}" if port else address.get("ip"))
    if not found:
        return "<none>"
    shown = ",".join(found[:3])
    return shown + (f" + {len(found) - 3} more..." if len(found) > 3 else "")


def _ingress_hosts(ingress: Obj, _now: datetime) -> str:
    hosts = [r.get("host", "*") for r in _g(ingress, "spec", "rules", default=[])]
    return ",".join(hosts) or "*"


def _ingress_address(ingress: Obj, _now: datetime) -> str:
    entries = _g(ingress, "status", "loadBalancer", "ingress", default=[])
    return ",".join(e.get("ip") or e.get("hostname", "") for e in entries)


def _ingress_ports(ingress: Obj, _now: datetime) -> str:
    return "80, 443" if _g(ingress, "spec", "tls") else "80"


def _event_object(event: Obj, _now: datetime) -> str:
    involved = event.get("involvedObject", {})
    return f"{involved.get('kind', '').lower()}/{involved.get('name', '')}"


def _event_last_seen(event: Obj, now: datetime) -> str:
    return age(event.get("lastTimestamp") or event.get("eventTime"), now)


def _condition(obj: Obj, kind: str) -> str:
    for condition in _g(obj, "status", "conditions", default=[]):
        if condition.get("type") == kind:
            return condition.get("status", "Unknown")
    return "Unknown"


def _hpa_targets(hpa: Obj, _now: datetime) -> str:
    parts = []
    current = {
        _g(m, "resource", "name"): _g(m, "resource", "current", "averageUtilization")
        for m in _g(hpa, "status", "currentMetrics", default=[])
    }
    for metric in _g(hpa, "spec", "metrics", default=[]):
        name = _g(metric, "resource", "name")
        target = _g(metric, "resource", "target", "averageUtilization")
        value = current.get(name)
        shown = "<unknown>" if value is None else f"{value}%"
        parts.append(f"{name}: {shown}/{target}%")
    return ", ".join(parts) or "<none>"


COLUMNS: dict[str, list[Column]] = {
    "Pod": [
        ("Name", "string", 0, _name),
        ("Ready", "string", 0, lambda p, _n: "{}/{}".format(*ready_counts(p))),
        ("Status", "string", 0, lambda p, _n: pod_status(p)),
        ("Restarts", "string", 0, lambda p, n: restarts_text(p, n)),
        ("Age", "string", 0, _age),
        ("IP", "string", 1, lambda p, _n: _g(p, "status", "podIP", default="<none>")),
        ("Node", "string", 1, lambda p, _n: _g(p, "spec", "nodeName", default="<none>")),
        ("Nominated Node", "string", 1, lambda _p, _n: "<none>"),
        ("Readiness Gates", "string", 1, lambda _p, _n: "<none>"),
    ],
    "Node": [
        ("Name", "string", 0, _name),
        ("Status", "string", 0, _node_status),
        ("Roles", "string", 0, _node_roles),
        ("Age", "string", 0, _age),
        ("Version", "string", 0, lambda n, _n: _g(n, "status", "nodeInfo", "kubeletVersion", default="")),  # noqa: E501
        ("Internal-IP", "string", 1, lambda n, _n: next(
            (a["address"] for a in _g(n, "status", "addresses", default=[]) if a.get("type") == "InternalIP"),  # noqa: E501
            "<none>")),
        ("OS-Image", "string", 1, lambda n, _n: _g(n, "status", "nodeInfo", "osImage", default="")),
    ],
    "Deployment": [
        ("Name", "string", 0, _name),
        ("Ready", "string", 0, lambda d, _n: f"{_g(d, 'status', 'readyReplicas', default=0)}/{_g(d, 'spec', 'replicas', default=1)}"),  # noqa: E501
        ("Up-to-date", "integer", 0, lambda d, _n: _g(d, "status", "updatedReplicas", default=0)),
        ("Available", "integer", 0, lambda d, _n: _g(d, "status", "availableReplicas", default=0)),
        ("Age", "string", 0, _age),
        ("Containers", "string", 1, lambda d, _n: _container_names(_g(d, "spec", "template", "spec", "containers", default=[]))),  # noqa: E501
        ("Images", "string", 1, lambda d, _n: _images(_g(d, "spec", "template", "spec", "containers", default=[]))),  # noqa: E501
        ("Selector", "string", 1, lambda d, _n: _selector(d)),
    ],
    "ReplicaSet": [
        ("Name", "string", 0, _name),
        ("Desired", "integer", 0, lambda r, _n: _g(r, "spec", "replicas", default=0)),
        ("Current", "integer", 0, lambda r, _n: _g(r, "status", "replicas", default=0)),
        ("Ready", "integer", 0, lambda r, _n: _g(r, "status", "readyReplicas", default=0)),
        ("Age", "string", 0, _age),
        ("Containers", "string", 1, lambda r, _n: _container_names(_g(r, "spec", "template", "spec", "containers", default=[]))),  # noqa: E501
        ("Images", "string", 1, lambda r, _n: _images(_g(r, "spec", "template", "spec", "containers", default=[]))),  # noqa: E501
        ("Selector", "string", 1, lambda r, _n: _selector(r)),
    ],
    "StatefulSet": [
        ("Name", "string", 0, _name),
        ("Ready", "string", 0, lambda s, _n: f"{_g(s, 'status', 'readyReplicas', default=0)}/{_g(s, 'spec', 'replicas', default=1)}"),  # noqa: E501
        ("Age", "string", 0, _age),
    ],
    "Service": [
        ("Name", "string", 0, _name),
        ("Type", "string", 0, lambda s, _n: _g(s, "spec", "type", default="ClusterIP")),
        ("Cluster-IP", "string", 0, lambda s, _n: _g(s, "spec", "clusterIP", default="<none>")),
        ("External-IP", "string", 0, lambda s, _n: ",".join(
            e.get("ip", "") for e in _g(s, "status", "loadBalancer", "ingress", default=[])) or "<none>"),  # noqa: E501
        ("Port(s)", "string", 0, _ports),
        ("Age", "string", 0, _age),
        ("Selector", "string", 1, lambda s, _n: ",".join(
            f"{k}={v}" for k, v in sorted(_g(s, "spec", "selector", default={}).items())) or "<none>"),  # noqa: E501
    ],
    "Endpoints": [
        ("Name", "string", 0, _name),
        ("Endpoints", "string", 0, _endpoints),
        ("Age", "string", 0, _age),
    ],
    "Ingress": [
        ("Name", "string", 0, _name),
        ("Class", "string", 0, lambda i, _n: _g(i, "spec", "ingressClassName", default="<none>")),
        ("Hosts", "string", 0, _ingress_hosts),
        ("Address", "string", 0, _ingress_address),
        ("Ports", "string", 0, _ingress_ports),
        ("Age", "string", 0, _age),
    ],
    "Event": [
        ("Last Seen", "string", 0, _event_last_seen),
        ("Type", "string", 0, lambda e, _n: e.get("type", "")),
        ("Reason", "string", 0, lambda e, _n: e.get("reason", "")),
        ("Object", "string", 0, _event_object),
        ("Message", "string", 0, lambda e, _n: e.get("message", "")),
        ("Count", "integer", 1, lambda e, _n: e.get("count", 1)),
    ],
    "Namespace": [
        ("Name", "string", 0, _name),
        ("Status", "string", 0, lambda n, _n: _g(n, "status", "phase", default="Active")),
        ("Age", "string", 0, _age),
    ],
    "ConfigMap": [
        ("Name", "string", 0, _name),
        ("Data", "integer", 0, lambda c, _n: len(c.get("data") or {}) + len(c.get("binaryData") or {})),  # noqa: E501
        ("Age", "string", 0, _age),
    ],
    "Secret": [
        ("Name", "string", 0, _name),
        ("Type", "string", 0, lambda s, _n: s.get("type", "Opaque")),
        ("Data", "integer", 0, lambda s, _n: len(s.get("data") or {})),
        ("Age", "string", 0, _age),
    ],
    "HorizontalPodAutoscaler": [
        ("Name", "string", 0, _name),
        ("Reference", "string", 0, lambda h, _n: "{}/{}".format(
            _g(h, "spec", "scaleTargetRef", "kind", default=""), _g(h, "spec", "scaleTargetRef", "name", default=""))),  # noqa: E501
        ("Targets", "string", 0, _hpa_targets),
        ("MinPods", "integer", 0, lambda h, _n: _g(h, "spec", "minReplicas", default=1)),
        ("MaxPods", "integer", 0, lambda h, _n: _g(h, "spec", "maxReplicas", default=0)),
        ("Replicas", "integer", 0, lambda h, _n: _g(h, "status", "currentReplicas", default=0)),
        ("Age", "string", 0, _age),
    ],
    "Certificate": [
        ("Name", "string", 0, _name),
        ("Ready", "string", 0, lambda c, _n: _condition(c, "Ready")),
        ("Secret", "string", 0, lambda c, _n: _g(c, "spec", "secretName", default="")),
        ("Age", "string", 0, _age),
    ],
    "Challenge": [
        ("Name", "string", 0, _name),
        ("State", "string", 0, lambda c, _n: _g(c, "status", "state", default="")),
        ("Domain", "string", 0, lambda c, _n: _g(c, "spec", "dnsName", default="")),
        ("Age", "string", 0, _age),
    ],
}  # fmt: skip

DEFAULT_COLUMNS: list[Column] = [("Name", "string", 0, _name), ("Age", "string", 0, _age)]


def partial_metadata(obj: Obj) -> Obj:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata", {}),
    }


def table(
    rtype: ResourceType,
    objects: list[Obj],
    *,
    resource_version: str,
    include_object: str = "Metadata",
    continue_token: str = "",
    remaining: int | None = None,
    now: datetime | None = None,
) -> Obj:
    columns = COLUMNS.get(rtype.kind, DEFAULT_COLUMNS)
    moment = now or datetime.now(UTC)
    rows = []
    for obj in objects:
        row: Obj = {"cells": [cell(obj, moment) for _, _, _, cell in columns]}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = partial_metadata(obj)
        rows.append(row)
    metadata: Obj = {"resourceVersion": resource_version}
    if continue_token:
        metadata["continue"] = continue_token
    if remaining is not None:
        metadata["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": [
            {
                "name": name,
                "type": kind,
                "format": "name" if name == "Name" else "",
                "description": name,
                "priority": priority,
            }
            for name, kind, priority, _ in columns
        ],
        "rows": rows,
    }
