"""The ReplicaSet controller: as many live pods as spec.replicas, and the status."""

from __future__ import annotations

from tui.sim.controllers.base import Obj, WorldController, new_pod
from tui.sim.objects import (
    condition,
    condition_true,
    dig,
    is_deleting,
    parse_time,
    replicas_of,
    selector_matches,
)
from tui.sim.resources import PODS, REPLICASETS
from tui.sim.store import Change


def is_active(pod: Obj) -> bool:
    """Counts towards replicas: not being deleted, not finished."""
    return not is_deleting(pod) and dig(pod, "status", "phase") not in ("Succeeded", "Failed")


def is_ready(pod: Obj) -> bool:
    return condition_true(pod, "Ready")


def is_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    if not is_ready(pod):
        return False
    if min_ready_seconds <= 0:
        return True
    since = parse_time((condition(pod, "Ready") or {}).get("lastTransitionTime"))
    return since is not None and since + min_ready_seconds <= now


def deletion_rank(pod: Obj) -> tuple[int, int, int, int, str]:
    """Which pods go first when scaling down (controller.ActivePods ordering):
    unscheduled, then pending, then not ready, then most restarts, then newest."""
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(dig(pod, "status", "phase"), 0)
    restarts = sum(
        int(s.get("restartCount") or 0) for s in dig(pod, "status", "containerStatuses", default=[])
    )
    return (
        1 if dig(pod, "spec", "nodeName") else 0,
        phase_rank,
        1 if is_ready(pod) else 0,
        -restarts,
        # Newest first: invert the timestamp's sort order.
        "".join(chr(0x10FFFF - ord(c)) for c in pod["metadata"].get("creationTimestamp", "")),
    )


class ReplicaSetController(WorldController):
    name = "replicaset"
    primary = REPLICASETS
    component = "replicaset-controller"

    def observe(self, change: Change) -> None:
        if change.rtype is PODS:
            self.enqueue_controller(change.obj, "ReplicaSet")
            return
        super().observe(change)

    def sync(self, key: tuple[str, str]) -> None:
        rs = self.store.find(REPLICASETS, *key)
        if rs is None or is_deleting(rs):
            return
        pods = self.owned_pods(rs)
        active = [p for p in pods if is_active(p)]
        wanted = replicas_of(rs)
        if len(active) < wanted:
            for _ in range(wanted - len(active)):
                active.append(self._create(rs))
        elif len(active) > wanted:
            doomed = sorted(active, key=deletion_rank)[: len(active) - wanted]
            for pod in doomed:
                self.world.delete(PODS, pod, {})
                self.event(
                    rs,
                    REPLICASETS,
                    "Normal",
                    "SuccessfulDelete",
                    f"Deleted pod: {pod['metadata']['name']}",
                )
            gone = {id(p) for p in doomed}
            active = [p for p in active if id(p) not in gone]
        self._status(rs, active)

    def _create(self, rs: Obj) -> Obj:
        name = f"{rs['metadata']['name']}-{self.world.suffix()}"
        pod = new_pod(
            self.world,
            rs["spec"]["template"],
            rs,
            REPLICASETS,
            name,
            generate_name=f"{rs['metadata']['name']}-",
        )
        self.event(rs, REPLICASETS, "Normal", "SuccessfulCreate", f"Created pod: {name}")
        return pod

    def _status(self, rs: Obj, active: list[Obj]) -> None:
        min_ready = int(dig(rs, "spec", "minReadySeconds", default=0))
        now = self.clock.wall()
        selector = dig(rs, "spec", "selector")
        template_labels = dig(rs, "spec", "template", "metadata", "labels", default={})
        ready = sum(1 for p in active if is_ready(p))
        available = sum(1 for p in active if is_available(p, min_ready, now))
        status: Obj = {
            "replicas": len(active),
            "fullyLabeledReplicas": sum(
                1
                for p in active
                if selector_matches(selector, p["metadata"].get("labels") or {})
                and all(
                    p["metadata"].get("labels", {}).get(k) == v for k, v in template_labels.items()
                )
            ),
            "readyReplicas": ready,
            "availableReplicas": available,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        # kubectl omits zero counts; so does the API (omitempty).
        status = {k: v for k, v in status.items() if v or k == "replicas"}
        if min_ready > 0 and ready > available:
            self.after(min_ready, (rs["metadata"]["namespace"], rs["metadata"]["name"]))
        if status != rs.get("status"):
            self.world.set_status(REPLICASETS, rs, status)
