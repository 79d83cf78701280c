"""Reading pods' JSON: their paths, container states, and the containers with a log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

Obj = dict[str, Any]


def _pod_path(namespace: str, pod: str) -> str:
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(pod, safe='')}"


def _container_statuses(pod: Obj) -> dict[str, Obj]:
    status = pod.get("status") or {}
    found: dict[str, Obj] = {}
    for field in ("initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses"):
        for item in status.get(field) or []:
            if isinstance(item, dict) and item.get("name"):
                found[item["name"]] = item
    return found


def _describe_state(state: Obj) -> str:
    if "terminated" in state:
        done = state["terminated"] or {}
        reason = done.get("reason") or "Completed"
        return f"exited with code {done.get('exitCode', '?')} ({reason})"
    if "waiting" in state:
        return f"waiting: {(state['waiting'] or {}).get('reason') or 'not started'}"
    return "not running"


def _log_containers(pod: Obj) -> list[str]:
    """Containers with a log: the app's, and init containers that have run."""
    spec = pod.get("spec") or {}
    statuses = _container_statuses(pod)
    names = []
    for item in spec.get("initContainers") or []:
        state = (statuses.get(item.get("name")) or {}).get("state") or {}
        if "running" in state or "terminated" in state:
            names.append(item["name"])
    names += [item["name"] for item in spec.get("containers") or [] if item.get("name")]
    return names


@dataclass(frozen=True, slots=True)
class _PodInfo:
    """What a workload's pod list keeps of each pod."""

    name: str
    uid: str
    containers: tuple[str, ...]
    default: str  # the container `kubectl logs` shows
    running: frozenset[str]
    logged: frozenset[str]  # containers with a log to read (running, or ran before)
    crashed: frozenset[str]  # containers with a previous instance

    @classmethod
    def of(cls, pod: Obj) -> _PodInfo:
        metadata = pod.get("metadata") or {}
        containers = tuple(
            c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []
        )
        annotations = metadata.get("annotations") or {}
        default = annotations.get("kubectl.kubernetes.io/default-container") or (
            containers[0] if containers else ""
        )
        running, logged, crashed = set(), set(), set()
        for name, status in _container_statuses(pod).items():
            state = status.get("state") or {}
            last = status.get("lastState") or {}
            if "running" in state:
                running.add(name)
            if "running" in state or "terminated" in state or "terminated" in last:
                logged.add(name)
            if "terminated" in last:
                crashed.add(name)
        return cls(
            metadata.get("name", ""),
            metadata.get("uid", ""),
            containers,
            default,
            frozenset(running),
            frozenset(logged),
            frozenset(crashed),
        )
