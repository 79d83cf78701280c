"""How kubectl words a pod's state: STATUS, READY and RESTARTS as `kubectl get pods`.

The same derivation serves the drill cluster's server-side tables and the Pods
pane, so both read exactly like the kubectl an operator knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def human_duration(seconds: float) -> str:
    """kubectl's HumanDuration: 45s, 5m30s, 3h, 2d4h, 400d."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        days, rest = divmod(hours, 24)
        return f"{days}d" if rest == 0 else f"{days}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    years, days = divmod(hours // 24, 365)
    return f"{years}y{days}d" if years < 8 else f"{years}y"


def age(timestamp: str | None, now: datetime | None = None) -> str:
    moment = parse_time(timestamp)
    if moment is None:
        return "<unknown>"
    return human_duration(((now or datetime.now(UTC)) - moment).total_seconds())


def _get(obj: Mapping[str, Any] | None, *path: str) -> Any:
    node: Any = obj
    for part in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def pod_status(pod: Mapping[str, Any]) -> str:
    """The STATUS column, following kubectl's printPod."""
    status = pod.get("status") or {}
    reason = status.get("reason") or status.get("phase") or "Unknown"

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    init_total = len(_get(pod, "spec", "initContainers") or init_statuses)
    for index, container in enumerate(init_statuses):
        terminated = _get(container, "state", "terminated")
        waiting = _get(container, "state", "waiting")
        if terminated and terminated.get("exitCode") == 0:
            continue
        if terminated:
            if terminated.get("reason"):
                reason = f"Init:{terminated['reason']}"
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode')}"
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{index}/{init_total}"
        initializing = True
        break

    if not initializing:
        has_running = False
        for container in reversed(status.get("containerStatuses") or []):
            waiting = _get(container, "state", "waiting")
            terminated = _get(container, "state", "terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated:
                if terminated.get("signal"):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{terminated.get('exitCode')}"
            elif container.get("ready") and _get(container, "state", "running") is not None:
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if pod_is_ready(pod) else "NotReady"

    if _get(pod, "metadata", "deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    return reason


def pod_is_ready(pod: Mapping[str, Any]) -> bool:
    for condition in _get(pod, "status", "conditions") or []:
        if condition.get("type") == "Ready":
            return condition.get("status") == "True"
    return False


def ready_counts(pod: Mapping[str, Any]) -> tuple[int, int]:
    containers = _get(pod, "spec", "containers") or []
    statuses = _get(pod, "status", "containerStatuses") or []
    return sum(1 for c in statuses if c.get("ready")), len(containers)


def restarts(pod: Mapping[str, Any]) -> tuple[int, datetime | None]:
    """Total restarts and when the latest one happened (the last termination's end)."""
    total = 0
    latest: datetime | None = None
    for container in _get(pod, "status", "containerStatuses") or []:
        total += int(container.get("restartCount") or 0)
        finished = parse_time(_get(container, "lastState", "terminated", "finishedAt"))
        if finished and (latest is None or finished > latest):
            latest = finished
    return total, latest


def restarts_text(pod: Mapping[str, Any], now: datetime | None = None) -> str:
    total, latest = restarts(pod)
    if total and latest is not None:
        return (
            f"{total} ({human_duration(((now or datetime.now(UTC)) - latest).total_seconds())} ago)"
        )
    return str(total)
