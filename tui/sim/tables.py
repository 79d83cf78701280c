"""Server-side printing: the Table responses `kubectl get` asks for.

kubectl sends `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` and prints
whatever columns the server describes; these follow the real API server's
printers for each kind (pkg/printers/internalversion), and for cert-manager's
kinds the additionalPrinterColumns of their CustomResourceDefinitions. The
server always sends every column; kubectl shows priority-1 columns only with
`-o wide`. A cell the server has no value for is null (kubectl prints nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tui.sim.resources import ResourceType
from tui.sources.podstatus import age, pod_status, ready_counts, restarts_text

Obj = dict[str, Any]
Cell = Callable[[Obj, datetime], Any]
Column = tuple[str, str, int, Cell]  # name, type, priority, cell


def _g(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def _at(*path: str, default: Any = None) -> Cell:
    """A cell that reads one field."""
    return lambda obj, _now: _g(obj, *path, default=default)


def _name(obj: Obj, _now: datetime) -> str:
    return obj["metadata"]["name"]


def _age(obj: Obj, now: datetime) -> str:
    return age(_g(obj, "metadata", "creationTimestamp"), now)


def _labels_text(labels: dict[str, str] | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


def label_selector_text(selector: Obj | None) -> str:
    """A LabelSelector as kubectl prints it: `app=web,tier in (a,b)`."""
    if not selector:
        return "<none>"
    labels = selector.get("matchLabels") or {}
    terms = [f"{k}={v}" for k, v in labels.items()]
    for expression in selector.get("matchExpressions") or []:
        key, op = expression.get("key", ""), expression.get("operator", "")
        values = ",".join(sorted(expression.get("values") or []))
        terms.append(
            {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
             "Exists": key, "DoesNotExist": f"!{key}"}.get(op, key)
        )  # fmt: skip
    return ",".join(sorted(terms)) or "<none>"


def _template_containers(obj: Obj) -> list[Obj]:
    return _g(obj, "spec", "template", "spec", "containers", default=[])


def _containers(obj: Obj, _now: datetime) -> str:
    return ",".join(c.get("name", "") for c in _template_containers(obj))


def _images(obj: Obj, _now: datetime) -> str:
    return ",".join(c.get("image", "") for c in _template_containers(obj))


def _workload_selector(obj: Obj, _now: datetime) -> str:
    return label_selector_text(_g(obj, "spec", "selector"))


# -- pods and nodes ------------------------------------------------------------------


def _readiness_gates(pod: Obj, _now: datetime) -> str:
    gates = _g(pod, "spec", "readinessGates", default=[])
    if not gates:
        return "<none>"
    conditions = {
        c.get("type"): c.get("status") for c in _g(pod, "status", "conditions", default=[])
    }
    ready = sum(1 for gate in gates if conditions.get(gate.get("conditionType")) == "True")
    return f"{ready}/{len(gates)}"


def _node_status(node: Obj, _now: datetime) -> str:
    states = []
    for condition in _g(node, "status", "conditions", default=[]):
        if condition.get("type") == "Ready":
            states = ["Ready" if condition.get("status") == "True" else "NotReady"]
    states = states or ["Unknown"]
    if _g(node, "spec", "unschedulable"):
        states.append("SchedulingDisabled")
    return ",".join(states)


def _node_roles(node: Obj, _now: datetime) -> str:
    prefix = "node-role.kubernetes.io/"
    labels = _g(node, "metadata", "labels", default={})
    roles = {k[len(prefix) :] for k in labels if k.startswith(prefix) and k != prefix}
    if labels.get("kubernetes.io/role"):
        roles.add(labels["kubernetes.io/role"])
    return ",".join(sorted(roles)) or "<none>"


def _node_address(kind: str) -> Cell:
    def cell(node: Obj, _now: datetime) -> str:
        for address in _g(node, "status", "addresses", default=[]):
            if address.get("type") == kind:
                return address.get("address", "<none>")
        return "<none>"

    return cell


def _node_info(field: str) -> Cell:
    return lambda node, _now: _g(node, "status", "nodeInfo", field) or "<unknown>"


# -- services and networking --------------------------------------------------------


def _external_ip(service: Obj, _now: datetime) -> str:
    spec = _g(service, "spec", default={})
    kind = spec.get("type", "ClusterIP")
    external = list(spec.get("externalIPs") or [])
    if kind == "ExternalName":
        return spec.get("externalName", "<none>")
    if kind == "LoadBalancer":
        ingress = _g(service, "status", "loadBalancer", "ingress", default=[])
        found = [e.get("ip") or e.get("hostname", "") for e in ingress] + external
        return ",".join(found) or "<pending>"
    return ",".join(external) or "<none>"


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
    hosts = [r.get("host") or "*" for r in _g(ingress, "spec", "rules", default=[])]
    return ",".join(hosts) or "*"


def _ingress_address(ingress: Obj, _now: datetime) -> str:
    entries = _g(ingress, "status", "loadBalancer", "ingress", default=[])
    return ",".join(e.get("ip") or e.get("hostname", "") for e in entries)


def _ingress_ports(ingress: Obj, _now: datetime) -> str:
    return "80, 443" if _g(ingress, "spec", "tls") else "80"


def _class_parameters(ingress_class: Obj, _now: datetime) -> str:
    parameters = _g(ingress_class, "spec", "parameters")
    if not parameters:
        return "<none>"
    group = parameters.get("apiGroup")
    kind = f"{parameters.get('kind', '')}.{group}" if group else parameters.get("kind", "")
    return f"{kind}/{parameters.get('name', '')}"


# -- events ----------------------------------------------------------------------


def _event_first_seen(event: Obj, now: datetime) -> str:
    return age(event.get("firstTimestamp") or event.get("eventTime"), now)


def _event_last_seen(event: Obj, now: datetime) -> str:
    if observed := _g(event, "series", "lastObservedTime"):
        return age(observed, now)
    if event.get("lastTimestamp"):
        return age(event["lastTimestamp"], now)
    return _event_first_seen(event, now)


def _event_object(event: Obj, _now: datetime) -> str:
    involved = event.get("involvedObject", {})
    kind = involved.get("kind", "").lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def _event_source(event: Obj, _now: datetime) -> str:
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingController", "")
    host = source.get("host") or event.get("reportingInstance", "")
    return f"{component}, {host}" if host else component


def _event_count(event: Obj, _now: datetime) -> int:
    if series := event.get("series"):
        return int(series.get("count", 1))
    return int(event.get("count") or 1)


# -- autoscaling and custom resources ---------------------------------------------


def _hpa_targets(hpa: Obj, _now: datetime) -> str:
    parts = []
    statuses = _g(hpa, "status", "currentMetrics", default=[])
    for index, metric in enumerate(_g(hpa, "spec", "metrics", default=[])):
        if metric.get("type") not in (None, "Resource"):
            parts.append("<unknown>")
            continue
        name = _g(metric, "resource", "name")
        current = statuses[index] if index < len(statuses) else {}
        average = _g(metric, "resource", "target", "averageValue")
        if average is not None:
            value = _g(current, "resource", "current", "averageValue", default="<unknown>")
            parts.append(f"{value}/{average}")
            continue
        target = _g(metric, "resource", "target", "averageUtilization")
        value = _g(current, "resource", "current", "averageUtilization")
        shown = "<unknown>" if value is None else f"{value}%"
        parts.append(f"{name}: {shown}/{'<auto>' if target is None else f'{target}%'}")
    return ", ".join(parts) or "<none>"


def _condition(field: str, kind: str = "Ready") -> Cell:
    """`.status.conditions[?(@.type=="Ready")].<field>`, as a CRD column reads it."""

    def cell(obj: Obj, _now: datetime) -> Any:
        for condition in _g(obj, "status", "conditions", default=[]):
            if condition.get("type") == kind:
                return condition.get(field)
        return None

    return cell


def _custom_age(obj: Obj, now: datetime) -> str:
    return age(_g(obj, "metadata", "creationTimestamp"), now)


NAME: Column = ("Name", "string", 0, _name)
AGE: Column = ("Age", "string", 0, _age)
# CustomResourceDefinitions print the creation time as a "date" column.
CUSTOM_AGE: Column = ("Age", "date", 0, _custom_age)

COLUMNS: dict[str, list[Column]] = {
    "Pod": [
        NAME,
        ("Ready", "string", 0, lambda p, _n: "{}/{}".format(*ready_counts(p))),
        ("Status", "string", 0, lambda p, _n: pod_status(p)),
        ("Restarts", "string", 0, lambda p, n: restarts_text(p, n)),
        AGE,
        ("IP", "string", 1, _at("status", "podIP", default="<none>")),
        ("Node", "string", 1, _at("spec", "nodeName", default="<none>")),
        ("Nominated Node", "string", 1, _at("status", "nominatedNodeName", default="<none>")),
        ("Readiness Gates", "string", 1, _readiness_gates),
    ],
    "Node": [
        NAME,
        ("Status", "string", 0, _node_status),
        ("Roles", "string", 0, _node_roles),
        AGE,
        ("Version", "string", 0, _at("status", "nodeInfo", "kubeletVersion", default="")),
        ("Internal-IP", "string", 1, _node_address("InternalIP")),
        ("External-IP", "string", 1, _node_address("ExternalIP")),
        ("OS-Image", "string", 1, _node_info("osImage")),
        ("Kernel-Version", "string", 1, _node_info("kernelVersion")),
        ("Container-Runtime", "string", 1, _node_info("containerRuntimeVersion")),
    ],
    "Deployment": [
        NAME,
        ("Ready", "string", 0, lambda d, _n: f"{_g(d, 'status', 'readyReplicas', default=0)}/{_g(d, 'spec', 'replicas', default=1)}"),  # noqa: E501
        ("Up-to-date", "integer", 0, _at("status", "updatedReplicas", default=0)),
        ("Available", "integer", 0, _at("status", "availableReplicas", default=0)),
        AGE,
        ("Containers", "string", 1, _containers),
        ("Images", "string", 1, _images),
        ("Selector", "string", 1, _workload_selector),
    ],
    "ReplicaSet": [
        NAME,
        ("Desired", "integer", 0, _at("spec", "replicas", default=0)),
        ("Current", "integer", 0, _at("status", "replicas", default=0)),
        ("Ready", "integer", 0, _at("status", "readyReplicas", default=0)),
        AGE,
        ("Containers", "string", 1, _containers),
        ("Images", "string", 1, _images),
        ("Selector", "string", 1, _workload_selector),
    ],
    "StatefulSet": [
        NAME,
        ("Ready", "string", 0, lambda s, _n: f"{_g(s, 'status', 'readyReplicas', default=0)}/{_g(s, 'spec', 'replicas', default=1)}"),  # noqa: E501
        AGE,
        ("Containers", "string", 1, _containers),
        ("Images", "string", 1, _images),
    ],
    "DaemonSet": [
        NAME,
        ("Desired", "integer", 0, _at("status", "desiredNumberScheduled", default=0)),
        ("Current", "integer", 0, _at("status", "currentNumberScheduled", default=0)),
        ("Ready", "integer", 0, _at("status", "numberReady", default=0)),
        ("Up-to-date", "integer", 0, _at("status", "updatedNumberScheduled", default=0)),
        ("Available", "integer", 0, _at("status", "numberAvailable", default=0)),
        ("Node Selector", "string", 0, lambda d, _n: _labels_text(_g(d, "spec", "template", "spec", "nodeSelector"))),  # noqa: E501
        AGE,
        ("Containers", "string", 1, _containers),
        ("Images", "string", 1, _images),
        ("Selector", "string", 1, _workload_selector),
    ],
    "Service": [
        NAME,
        ("Type", "string", 0, _at("spec", "type", default="ClusterIP")),
        ("Cluster-IP", "string", 0, _at("spec", "clusterIP", default="<none>")),
        ("External-IP", "string", 0, _external_ip),
        ("Port(s)", "string", 0, _ports),
        AGE,
        ("Selector", "string", 1, lambda s, _n: _labels_text(_g(s, "spec", "selector"))),
    ],
    "Endpoints": [NAME, ("Endpoints", "string", 0, _endpoints), AGE],
    "Ingress": [
        NAME,
        ("Class", "string", 0, _at("spec", "ingressClassName", default="<none>")),
        ("Hosts", "string", 0, _ingress_hosts),
        ("Address", "string", 0, _ingress_address),
        ("Ports", "string", 0, _ingress_ports),
        AGE,
    ],
    "IngressClass": [
        NAME,
        ("Controller", "string", 0, _at("spec", "controller", default="")),
        ("Parameters", "string", 0, _class_parameters),
        AGE,
    ],
    "Event": [
        ("Last Seen", "string", 0, _event_last_seen),
        ("Type", "string", 0, lambda e, _n: e.get("type", "")),
        ("Reason", "string", 0, lambda e, _n: e.get("reason", "")),
        ("Object", "string", 0, _event_object),
        ("Subobject", "string", 1, _at("involvedObject", "fieldPath", default="")),
        ("Source", "string", 1, _event_source),
        ("Message", "string", 0, lambda e, _n: (e.get("message") or "").strip()),
        ("First Seen", "string", 1, _event_first_seen),
        ("Count", "string", 1, _event_count),
        ("Name", "string", 1, _name),
    ],
    "Namespace": [NAME, ("Status", "string", 0, _at("status", "phase", default="Active")), AGE],
    "ConfigMap": [
        NAME,
        ("Data", "integer", 0, lambda c, _n: len(c.get("data") or {}) + len(c.get("binaryData") or {})),  # noqa: E501
        AGE,
    ],
    "Secret": [
        NAME,
        ("Type", "string", 0, lambda s, _n: s.get("type", "Opaque")),
        ("Data", "integer", 0, lambda s, _n: len(s.get("data") or {})),
        AGE,
    ],
    "ServiceAccount": [
        NAME, ("Secrets", "integer", 0, lambda s, _n: len(s.get("secrets") or [])), AGE,
    ],
    "Lease": [NAME, ("Holder", "string", 0, _at("spec", "holderIdentity", default="")), AGE],
    "HorizontalPodAutoscaler": [
        NAME,
        ("Reference", "string", 0, lambda h, _n: "{}/{}".format(
            _g(h, "spec", "scaleTargetRef", "kind", default=""), _g(h, "spec", "scaleTargetRef", "name", default=""))),  # noqa: E501
        ("Targets", "string", 0, _hpa_targets),
        ("MinPods", "string", 0, _at("spec", "minReplicas", default=1)),
        ("MaxPods", "integer", 0, _at("spec", "maxReplicas", default=0)),
        ("Replicas", "integer", 0, _at("status", "currentReplicas", default=0)),
        AGE,
    ],
    # cert-manager's CustomResourceDefinitions: their additionalPrinterColumns.
    "Certificate": [
        NAME,
        ("Ready", "string", 0, _condition("status")),
        ("Secret", "string", 0, _at("spec", "secretName")),
        ("Issuer", "string", 1, _at("spec", "issuerRef", "name")),
        ("Status", "string", 1, _condition("message")),
        CUSTOM_AGE,
    ],
    "ClusterIssuer": [
        NAME,
        ("Ready", "string", 0, _condition("status")),
        ("Status", "string", 1, _condition("message")),
        CUSTOM_AGE,
    ],
    "Challenge": [
        NAME,
        ("State", "string", 0, _at("status", "state")),
        ("Domain", "string", 0, _at("spec", "dnsName")),
        ("Reason", "string", 1, _at("status", "reason")),
        CUSTOM_AGE,
    ],
}  # fmt: skip

DEFAULT_COLUMNS: list[Column] = [NAME, AGE]


def partial_metadata(obj: Obj) -> Obj:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj.get("metadata", {}),
    }


def columns_for(rtype: ResourceType) -> list[Column]:
    return COLUMNS.get(rtype.kind, [NAME, CUSTOM_AGE] if rtype.custom else DEFAULT_COLUMNS)


def column_definitions(rtype: ResourceType) -> list[Obj]:
    return [
        {
            "name": name,
            "type": kind,
            "format": "name" if name == "Name" and index == 0 else "",
            "description": name,
            "priority": priority,
        }
        for index, (name, kind, priority, _) in enumerate(columns_for(rtype))
    ]


def rows(
    rtype: ResourceType, objects: list[Obj], include_object: str, now: datetime | None = None
) -> list[Obj]:
    columns = columns_for(rtype)
    moment = now or datetime.now(UTC)
    found = []
    for obj in objects:
        row: Obj = {"cells": [cell(obj, moment) for _, _, _, cell in columns]}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = partial_metadata(obj)
        found.append(row)
    return found


def table(
    rtype: ResourceType,
    objects: list[Obj],
    *,
    resource_version: str,
    include_object: str = "Metadata",
    continue_token: str = "",
    remaining: int | None = None,
    now: datetime | None = None,
    headers: bool = True,
) -> Obj:
    """A meta.k8s.io/v1 Table. `headers` False leaves out the column definitions,
    as the API server does after the first event of a watch."""
    metadata: Obj = {"resourceVersion": resource_version}
    if continue_token:
        metadata["continue"] = continue_token
    if remaining is not None:
        metadata["remainingItemCount"] = remaining
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": column_definitions(rtype) if headers else None,
        "rows": rows(rtype, objects, include_object, now),
    }
