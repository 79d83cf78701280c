"""Questions scenario verdicts ask of the cluster, worded for a one-line summary."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tui.sim.objects import dig, is_deleting, replicas_of
from tui.sim.resources import DEPLOYMENTS, ENDPOINTS, PODS, STATEFULSETS
from tui.sources.podstatus import pod_status

if TYPE_CHECKING:
    from tui.sim.world import World

Obj = dict[str, Any]


def deployment_ready(world: World, namespace: str, name: str) -> bool:
    """Rolled out: every replica updated and available, no old pods left."""
    d = world.find(DEPLOYMENTS, namespace, name)
    if d is None:
        return False
    wanted = replicas_of(d)
    status = d.get("status") or {}
    return (
        status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1)
        and int(status.get("updatedReplicas", 0)) == wanted
        and int(status.get("availableReplicas", 0)) == wanted
        and int(status.get("replicas", 0)) == wanted
    )


def statefulset_ready(world: World, namespace: str, name: str) -> bool:
    sts = world.find(STATEFULSETS, namespace, name)
    if sts is None:
        return False
    wanted = replicas_of(sts)
    status = sts.get("status") or {}
    return int(status.get("readyReplicas", 0)) == wanted and status.get(
        "currentRevision"
    ) == status.get("updateRevision")


def unready_workloads(world: World, *, skip: tuple[str, ...] = ()) -> list[str]:
    """'ns/name 1/3 ready' for each Deployment or StatefulSet short of replicas."""
    short = []
    for rtype in (DEPLOYMENTS, STATEFULSETS):
        for obj in world.store.list(rtype):
            key = f"{obj['metadata']['namespace']}/{obj['metadata']['name']}"
            if key in skip:
                continue
            wanted = replicas_of(obj)
            ready = int(dig(obj, "status", "readyReplicas", default=0))
            if ready < wanted:
                short.append(f"{key} {ready}/{wanted} ready")
    return short


def pod_states(world: World, namespace: str, labels: dict[str, str]) -> Counter[str]:
    """STATUS column counts of the matching pods, as `kubectl get pods` shows them."""
    return Counter(pod_status(p) for p in world.pods_of(namespace, labels))


def states_text(states: Counter[str]) -> str:
    return ", ".join(f"{count} {state}" for state, count in sorted(states.items())) or "no pods"


def ready_endpoints(world: World, namespace: str, service: str) -> int:
    endpoints = world.find(ENDPOINTS, namespace, service)
    return sum(len(s.get("addresses") or []) for s in (endpoints or {}).get("subsets") or [])


def live_pods(world: World, namespace: str, labels: dict[str, str]) -> list[Obj]:
    return [p for p in world.pods_of(namespace, labels) if not is_deleting(p)]


def pending_pods(world: World) -> list[Obj]:
    found = []
    for namespace in sorted(world.index.pods_by_ns):
        for name in sorted(world.index.pods_by_ns[namespace]):
            pod = world.find(PODS, namespace, name)
            if pod is not None and not is_deleting(pod) and not dig(pod, "spec", "nodeName"):
                found.append(pod)
    return found
