"""Kubernetes objects as the API returns them, and the Deltas the real model makes of them.

Tests of the Kubernetes views feed these through the real `KubeModel` (and so the
real row builders), exactly as the app does with what the watches deliver.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from tests.helpers.fixed import T0
from tui.sources.kube.cache import Changes, Key
from tui.sources.kube.model import Delta, KubeModel
from tui.sources.kube.service import MetricsStore
from tui.sources.kube.watch import DEPLOYMENTS, EVENTS, HPAS, NODES, PODS, Kind, Scope, WatchState

Obj = dict[str, Any]
KINDS: dict[str, Kind] = {
    "Pod": PODS,
    "Event": EVENTS,
    "Deployment": DEPLOYMENTS,
    "Node": NODES,
    "HorizontalPodAutoscaler": HPAS,
}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def uid(*parts: str) -> str:
    digest = hashlib.sha1("/".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def pod(
    name: str,
    namespace: str = "prod",
    *,
    status: str = "Running",
    ready: bool = True,
    restarts: int = 0,
    last_restart: datetime | None = None,
    exit_code: int = 1,
    node: str = "node-1",
    labels: dict[str, str] | None = None,
    created: datetime | None = None,
    owner: str | None = None,
    image: str = "registry.local/web:1.4.2",
    message: str = "",
) -> Obj:
    """A one-container pod; `status` is what kubectl would print for it.

    'Running', 'Pending', 'ContainerCreating', 'CrashLoopBackOff', 'ImagePullBackOff',
    'OOMKilled' (terminated), 'Completed' (succeeded).
    """
    created = created or T0 - timedelta(hours=3)
    app = name.rsplit("-", 2)[0]
    owner = owner or f"{app}-5d9c7b"
    state: Obj
    phase = "Running"
    if status == "Running":
        state = {"running": {"startedAt": stamp(created + timedelta(seconds=20))}}
    elif status == "Completed":
        state = {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "finishedAt": stamp(created + timedelta(minutes=1)),
            }
        }
        phase = "Succeeded"
        ready = False
    elif status == "OOMKilled":
        state = {
            "terminated": {
                "exitCode": 137,
                "reason": "OOMKilled",
                "finishedAt": stamp(T0 - timedelta(seconds=30)),
            }
        }
        ready = False
    else:
        waiting: Obj = {"reason": status}
        if message:
            waiting["message"] = message
        state = {"waiting": waiting}
        ready = False
        if status in ("Pending", "ContainerCreating"):
            phase = "Pending"
    container_status: Obj = {
        "name": app,
        "image": image,
        "imageID": f"{image}@sha256:{'ab' * 32}",
        "containerID": f"containerd://{'cd' * 32}",
        "ready": ready,
        "started": ready,
        "restartCount": restarts,
        "state": state,
        "lastState": {},
    }
    if restarts:
        finished = last_restart or T0 - timedelta(minutes=2)
        container_status["lastState"] = {
            "terminated": {
                "exitCode": exit_code,
                "reason": "OOMKilled" if exit_code == 137 else "Error",
                "startedAt": stamp(finished - timedelta(seconds=15)),
                "finishedAt": stamp(finished),
            }
        }
    conditions = [
        {"type": "Initialized", "status": "True", "lastTransitionTime": stamp(created)},
        {"type": "Ready", "status": str(ready), "lastTransitionTime": stamp(created)},
        {"type": "ContainersReady", "status": str(ready), "lastTransitionTime": stamp(created)},
        {"type": "PodScheduled", "status": "True", "lastTransitionTime": stamp(created)},
    ]
    pod_status: Obj = {"phase": phase, "conditions": conditions, "qosClass": "Burstable"}
    if status == "Pending":
        pod_status = {
            "phase": "Pending",
            "qosClass": "Burstable",
            "conditions": [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": "0/3 nodes are available: 3 Insufficient cpu.",
                    "lastTransitionTime": stamp(created),
                }
            ],
        }
        node = ""
    else:
        pod_status.update(
            hostIP="10.114.0.2",
            podIP="10.244.1.17",
            startTime=stamp(created),
            containerStatuses=[container_status],
        )
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid("pod", namespace, name),
            "resourceVersion": "1",
            "creationTimestamp": stamp(created),
            "labels": labels if labels is not None else {"app": app, "pod-template-hash": "5d9c7b"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": owner,
                    "uid": uid("rs", namespace, owner),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "spec": {
            "nodeName": node,
            "containers": [
                {
                    "name": app,
                    "image": image,
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "128Mi"},
                        "limits": {"memory": "256Mi"},
                    },
                }
            ],
            "restartPolicy": "Always",
        },
        "status": pod_status,
    }


def event(
    name: str,
    namespace: str = "prod",
    *,
    reason: str = "BackOff",
    message: str = "Back-off restarting failed container",
    kind: str = "Pod",
    type: str = "Warning",
    count: int = 1,
    last_seen: datetime | None = None,
) -> Obj:
    last_seen = last_seen or T0 - timedelta(minutes=1)
    event_name = f"{name}.{uid('ev', name, reason)[:16]}"
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "name": event_name,
            "namespace": namespace,
            "uid": uid("event", namespace, event_name),
            "creationTimestamp": stamp(last_seen - timedelta(minutes=count)),
        },
        "involvedObject": {
            "kind": kind,
            "namespace": namespace,
            "name": name,
            "uid": uid(kind.lower(), namespace, name),
        },
        "reason": reason,
        "message": message,
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": stamp(last_seen - timedelta(minutes=count)),
        "lastTimestamp": stamp(last_seen),
        "count": count,
        "type": type,
    }


def deployment(
    name: str,
    namespace: str = "prod",
    *,
    replicas: int = 3,
    ready: int | None = None,
    revision: int = 4,
    image: str = "registry.local/web:1.4.2",
    stuck: bool = False,
) -> Obj:
    ready = replicas if ready is None else ready
    available = "True" if ready > 0 or replicas == 0 else "False"
    progressing = (
        ("False", "ProgressDeadlineExceeded") if stuck else ("True", "NewReplicaSetAvailable")
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid("deploy", namespace, name),
            "generation": revision,
            "creationTimestamp": stamp(T0 - timedelta(days=12)),
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "labels": {"app": name},
        },
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
        "status": {
            "observedGeneration": revision,
            "replicas": replicas,
            "updatedReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "conditions": [
                {
                    "type": "Available",
                    "status": available,
                    "reason": "MinimumReplicasAvailable"
                    if available == "True"
                    else "MinimumReplicasUnavailable",
                },
                {"type": "Progressing", "status": progressing[0], "reason": progressing[1]},
            ],
        },
    }


def node(
    name: str,
    *,
    ready: bool = True,
    unschedulable: bool = False,
    pressures: Iterable[str] = (),
    role: str | None = None,
) -> Obj:
    conditions = [
        {"type": kind, "status": "True" if kind in pressures else "False"}
        for kind in ("MemoryPressure", "DiskPressure", "PIDPressure")
    ]
    conditions.append(
        {
            "type": "Ready",
            "status": "True" if ready else "Unknown",
            "reason": "KubeletReady" if ready else "NodeStatusUnknown",
        }
    )
    labels = {"kubernetes.io/hostname": name}
    if role:
        labels[f"node-role.kubernetes.io/{role}"] = ""
    spec: Obj = {"providerID": f"digitalocean://{name}"}
    if unschedulable:
        spec["unschedulable"] = True
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "uid": uid("node", name),
            "labels": labels,
            "creationTimestamp": stamp(T0 - timedelta(days=40)),
        },
        "spec": spec,
        "status": {
            "capacity": {"cpu": "4", "memory": "8148160Ki", "pods": "110"},
            "allocatable": {"cpu": "3900m", "memory": "6963Mi", "pods": "110"},
            "conditions": conditions,
            "nodeInfo": {"kubeletVersion": "v1.31.1"},
        },
    }


def hpa(
    name: str,
    namespace: str = "prod",
    *,
    current: int = 3,
    minimum: int = 2,
    maximum: int = 10,
    cpu: int = 45,
    target: int = 60,
) -> Obj:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "uid": uid("hpa", namespace, name),
            "creationTimestamp": stamp(T0 - timedelta(days=12)),
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": minimum,
            "maxReplicas": maximum,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": target},
                    },
                }
            ],
        },
        "status": {
            "currentReplicas": current,
            "desiredReplicas": current,
            "currentMetrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "current": {"averageUtilization": cpu}},
                }
            ],
        },
    }


def key_of(obj: Obj, context: str = "prod") -> Key:
    return (context, KINDS[obj["kind"]].plural, obj["metadata"]["uid"])


def scope(kind: str = "Pod", context: str = "prod", namespace: str | None = None) -> Scope:
    return Scope(context, KINDS[kind], namespace)


def live(context: str = "prod") -> dict[Scope, WatchState]:
    """Every watch of `context` live."""
    return {scope(kind, context): WatchState(scope(kind, context), "live") for kind in KINDS}


class Cluster:
    """A KubeModel fed by hand: what the app's worker does with the watches' changes."""

    def __init__(self, context: str = "prod") -> None:
        self.context = context
        self.model = KubeModel()
        self.metrics = MetricsStore()

    def delta(
        self,
        objects: Iterable[Obj] = (),
        *,
        removed: Iterable[Obj] = (),
        states: dict[Scope, WatchState] | None = None,
        context: str | None = None,
    ) -> Delta:
        context = context or self.context
        changes = Changes(
            updated={key_of(obj, context): obj for obj in objects},
            removed={key_of(obj, context) for obj in removed},
            states=states or {},
        )
        return self.model.apply(changes, self.metrics, now=T0)

    def set_metrics(
        self,
        pods: dict[tuple[str, str], tuple[int, int]],
        *,
        problem: str = "",
        context: str | None = None,
    ) -> Delta:
        """Usage for (namespace, pod name): (millicores, bytes); a new metrics version."""
        context = context or self.context
        with self.metrics.lock:
            self.metrics.pods = {(context, ns, name): usage for (ns, name), usage in pods.items()}
            self.metrics.problems[context] = problem
            self.metrics.version += 1
        return self.model.apply(Changes(), self.metrics, now=T0)
