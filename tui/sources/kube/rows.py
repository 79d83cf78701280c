"""Kubernetes objects as the rows the panes show, and how bad each one is.

Rows are frozen dataclasses built from the raw objects; they carry times, not
ages, so a row changes only when its object does (the pane formats the age).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tui.sources.kube.cache import Key
from tui.sources.podstatus import parse_time, pod_status, ready_counts, restarts

Obj = Mapping[str, Any]

# Worst first: what an operator must look at now sorts to the top.
STATUS_RANK: dict[str, int] = {
    "CrashLoopBackOff": 0,
    "OOMKilled": 0,
    "Error": 0,
    "RunContainerError": 0,
    "CreateContainerConfigError": 0,
    "CreateContainerError": 0,
    "ImagePullBackOff": 1,
    "ErrImagePull": 1,
    "InvalidImageName": 1,
    "Evicted": 2,
    "Unknown": 2,
    "NodeLost": 2,
    "Pending": 2,
    "NotReady": 2,
    "ContainerCreating": 3,
    "PodInitializing": 3,
    "Terminating": 3,
    "Completed": 8,
    "Succeeded": 8,
    "Running": 9,
}
HEALTHY_RANK = 8


def _get(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, Mapping):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def status_rank(status: str) -> int:
    if status in STATUS_RANK:
        return STATUS_RANK[status]
    if status.startswith(("Init:CrashLoopBackOff", "Init:Error", "Init:ErrImagePull",
                          "Init:ImagePullBackOff", "ExitCode:", "Signal:")):  # fmt: skip
        return 0
    if status.startswith("Init:"):
        return 3
    return 2  # anything kubectl prints that we do not know is worth a look


@dataclass(frozen=True, slots=True)
class PodRow:
    key: Key
    context: str
    namespace: str
    name: str
    ready: int
    containers: int
    status: str
    restarts: int
    last_restart: datetime | None
    created: datetime | None
    node: str
    owner_kind: str
    owner_name: str
    labels: tuple[tuple[str, str], ...]
    container_names: tuple[str, ...]
    cpu_millicores: int | None = None
    memory_bytes: int | None = None

    @property
    def rank(self) -> int:
        rank = status_rank(self.status)
        if rank >= HEALTHY_RANK and self.status == "Running" and self.ready < self.containers:
            return 2  # running but not ready: traffic is not reaching it
        return rank

    @property
    def problem(self) -> bool:
        return self.rank < HEALTHY_RANK

    @property
    def state(self) -> str:
        """The status as the timeline tracks it: the problem, or 'ok'."""
        if not self.problem:
            return "ok"
        if self.status == "Running":
            return "NotReady"
        return self.status

    def matches_labels(self, wanted: Mapping[str, str]) -> bool:
        labels = dict(self.labels)
        return all(labels.get(k) == v for k, v in wanted.items())


def pod_row(key: Key, pod: Obj) -> PodRow:
    ready, total = ready_counts(pod)
    count, last = restarts(pod)
    owners = _get(pod, "metadata", "ownerReferences", default=[])
    owner = next((o for o in owners if o.get("controller")), owners[0] if owners else {})
    return PodRow(
        key=key,
        context=key[0],
        namespace=_get(pod, "metadata", "namespace", default=""),
        name=_get(pod, "metadata", "name", default=""),
        ready=ready,
        containers=total,
        status=pod_status(pod),
        restarts=count,
        last_restart=last,
        created=parse_time(_get(pod, "metadata", "creationTimestamp")),
        node=_get(pod, "spec", "nodeName", default=""),
        owner_kind=owner.get("kind", ""),
        owner_name=owner.get("name", ""),
        labels=tuple(sorted((_get(pod, "metadata", "labels", default={}) or {}).items())),
        container_names=tuple(
            c.get("name", "") for c in _get(pod, "spec", "containers", default=[])
        ),
    )


@dataclass(frozen=True, slots=True)
class EventRow:
    key: Key
    context: str
    namespace: str
    type: str
    reason: str
    object_kind: str
    object_name: str
    message: str
    count: int
    last_seen: datetime | None

    @property
    def warning(self) -> bool:
        return self.type != "Normal"


def event_row(key: Key, event: Obj) -> EventRow:
    involved = event.get("involvedObject") or {}
    last = (
        event.get("lastTimestamp")
        or _get(event, "series", "lastObservedTime")
        or event.get("eventTime")
        or _get(event, "metadata", "creationTimestamp")
    )
    return EventRow(
        key=key,
        context=key[0],
        namespace=_get(event, "metadata", "namespace", default=""),
        type=event.get("type") or "Normal",
        reason=event.get("reason") or "",
        object_kind=involved.get("kind") or "",
        object_name=involved.get("name") or "",
        message=(event.get("message") or "").strip(),
        count=int(event.get("count") or _get(event, "series", "count", default=1) or 1),
        last_seen=parse_time(last),
    )


def _condition(obj: Obj, kind: str) -> Mapping[str, Any]:
    for condition in _get(obj, "status", "conditions", default=[]):
        if condition.get("type") == kind:
            return condition
    return {}


@dataclass(frozen=True, slots=True)
class DeploymentRow:
    key: Key
    context: str
    namespace: str
    name: str
    desired: int
    ready: int
    updated: int
    available: int
    revision: str
    images: tuple[str, ...]
    available_condition: str  # True / False / Unknown
    progressing_reason: str
    created: datetime | None

    @property
    def state(self) -> str:
        if self.available_condition == "False" or (self.desired and self.available == 0):
            return "unavailable"
        if self.progressing_reason == "ProgressDeadlineExceeded":
            return "rollout stuck"
        return "ok"

    @property
    def problem(self) -> bool:
        return self.state != "ok" or self.ready < self.desired


def deployment_row(key: Key, deployment: Obj) -> DeploymentRow:
    containers = _get(deployment, "spec", "template", "spec", "containers", default=[])
    return DeploymentRow(
        key=key,
        context=key[0],
        namespace=_get(deployment, "metadata", "namespace", default=""),
        name=_get(deployment, "metadata", "name", default=""),
        desired=int(_get(deployment, "spec", "replicas", default=1)),
        ready=int(_get(deployment, "status", "readyReplicas", default=0)),
        updated=int(_get(deployment, "status", "updatedReplicas", default=0)),
        available=int(_get(deployment, "status", "availableReplicas", default=0)),
        revision=_get(deployment, "metadata", "annotations", default={}).get(
            "deployment.kubernetes.io/revision", ""
        ),
        images=tuple(c.get("image", "") for c in containers),
        available_condition=_condition(deployment, "Available").get("status", "Unknown"),
        progressing_reason=_condition(deployment, "Progressing").get("reason", ""),
        created=parse_time(_get(deployment, "metadata", "creationTimestamp")),
    )


@dataclass(frozen=True, slots=True)
class NodeRow:
    key: Key
    context: str
    name: str
    ready: str  # True / False / Unknown
    unschedulable: bool
    pressures: tuple[str, ...]  # MemoryPressure, DiskPressure, PIDPressure that are True
    roles: str
    version: str
    created: datetime | None
    cpu_millicores: int | None = None
    cpu_capacity: int | None = None
    memory_bytes: int | None = None
    memory_capacity: int | None = None

    @property
    def status(self) -> str:
        text = {"True": "Ready", "False": "NotReady"}.get(self.ready, "Unknown")
        return f"{text},SchedulingDisabled" if self.unschedulable else text

    @property
    def state(self) -> str:
        return "ok" if self.ready == "True" else "NotReady"

    @property
    def problem(self) -> bool:
        return self.ready != "True" or bool(self.pressures)


def node_row(key: Key, node: Obj) -> NodeRow:
    labels = _get(node, "metadata", "labels", default={})
    prefix = "node-role.kubernetes.io/"
    roles = ",".join(sorted(k[len(prefix) :] for k in labels if k.startswith(prefix))) or "<none>"
    pressures = tuple(
        c["type"]
        for c in _get(node, "status", "conditions", default=[])
        if c.get("type", "").endswith("Pressure") and c.get("status") == "True"
    )
    capacity = _get(node, "status", "allocatable", default={}) or _get(
        node, "status", "capacity", default={}
    )
    return NodeRow(
        key=key,
        context=key[0],
        name=_get(node, "metadata", "name", default=""),
        ready=_condition(node, "Ready").get("status", "Unknown"),
        unschedulable=bool(_get(node, "spec", "unschedulable", default=False)),
        pressures=pressures,
        roles=roles,
        version=_get(node, "status", "nodeInfo", "kubeletVersion", default=""),
        created=parse_time(_get(node, "metadata", "creationTimestamp")),
        cpu_capacity=cpu_millicores(capacity.get("cpu")),
        memory_capacity=memory_bytes(capacity.get("memory")),
    )


@dataclass(frozen=True, slots=True)
class HpaRow:
    key: Key
    context: str
    namespace: str
    name: str
    target: str
    current: int
    desired: int
    minimum: int
    maximum: int
    metrics: str  # "cpu: 140%/60%"

    @property
    def limited(self) -> bool:
        return self.current >= self.maximum > 0

    @property
    def problem(self) -> bool:
        return self.limited


def hpa_row(key: Key, hpa: Obj) -> HpaRow:
    current = {
        _get(m, "resource", "name"): _get(m, "resource", "current", "averageUtilization")
        for m in _get(hpa, "status", "currentMetrics", default=[])
    }
    parts = []
    for metric in _get(hpa, "spec", "metrics", default=[]):
        name = _get(metric, "resource", "name", default="?")
        target = _get(metric, "resource", "target", "averageUtilization")
        value = current.get(name)
        parts.append(f"{name}: {'?' if value is None else value}%/{target}%")
    ref = _get(hpa, "spec", "scaleTargetRef", default={})
    return HpaRow(
        key=key,
        context=key[0],
        namespace=_get(hpa, "metadata", "namespace", default=""),
        name=_get(hpa, "metadata", "name", default=""),
        target=f"{ref.get('kind', '')}/{ref.get('name', '')}",
        current=int(_get(hpa, "status", "currentReplicas", default=0)),
        desired=int(_get(hpa, "status", "desiredReplicas", default=0)),
        minimum=int(_get(hpa, "spec", "minReplicas", default=1)),
        maximum=int(_get(hpa, "spec", "maxReplicas", default=0)),
        metrics=", ".join(parts) or "-",
    )


# -- quantities --------------------------------------------------------------------

_BINARY = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4, "Pi": 1024**5}
_DECIMAL = {"n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15}


def quantity(value: Any) -> float | None:
    """A Kubernetes quantity ('250m', '1Gi', '2') as a number of base units."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        for suffix, factor in _BINARY.items():
            if text.endswith(suffix):
                return float(text[: -len(suffix)]) * factor
        if text and text[-1] in _DECIMAL:
            return float(text[:-1]) * _DECIMAL[text[-1]]
        return float(text)
    except ValueError:
        return None


def cpu_millicores(value: Any) -> int | None:
    amount = quantity(value)
    return None if amount is None else round(amount * 1000)


def memory_bytes(value: Any) -> int | None:
    amount = quantity(value)
    return None if amount is None else round(amount)
