"""The scheduler: binds pending pods to nodes that fit, or says why none does.

Filters, in kube-scheduler's order: NodeUnschedulable, TaintToleration,
NodeAffinity (nodeSelector), NodeResourcesFit (cpu, memory, pod count against
allocatable). Among feasible nodes it prefers the one with fewest pods of the
same owner (spreading), then the least allocated. What each node has
allocated is kept incrementally from pod changes, never recounted.

A pod that fits nowhere gets PodScheduled=False/Unschedulable and a
FailedScheduling event worded as kube-scheduler words it, and is retried when
capacity frees up (a pod goes, a node changes) or after a minute.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.objects import (
    controller_of,
    cpu_millis,
    dig,
    is_deleting,
    memory_bytes,
    pod_requests,
    set_condition,
)
from tui.sim.resources import NODES, PODS
from tui.sim.store import Change

if TYPE_CHECKING:
    from tui.sim.world import World

RETRY = 60.0  # sim seconds between attempts for a pod that fits nowhere


def node_allocatable(node: Obj) -> tuple[int, int, int]:
    allocatable = dig(node, "status", "allocatable", default={})
    return (
        cpu_millis(allocatable.get("cpu", "0")),
        memory_bytes(allocatable.get("memory", "0")),
        int(allocatable.get("pods", "110")),
    )


def tolerates(tolerations: list[Obj], taint: Obj) -> bool:
    for toleration in tolerations:
        if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
            continue
        key = toleration.get("key")
        if toleration.get("operator") == "Exists":
            if not key or key == taint.get("key"):
                return True
        elif key == taint.get("key") and toleration.get("value", "") == taint.get("value", ""):
            return True
    return False


def untolerated(pod: Obj, node: Obj, effects: tuple[str, ...]) -> Obj | None:
    tolerations = dig(pod, "spec", "tolerations", default=[])
    for taint in dig(node, "spec", "taints", default=[]):
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            return taint
    return None


class Scheduler(WorldController):
    name = "scheduler"
    component = "default-scheduler"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        # node -> [cpu m, memory bytes, pods] requested by pods bound there
        self.allocated: dict[str, list[int]] = {}
        self._placed: dict[tuple[str, str], tuple[str, int, int, str]] = {}
        self._owners: Counter[tuple[str, str]] = Counter()  # (owner uid, node) -> pods
        self.unschedulable: set[tuple[str, str]] = set()
        self._retry: Any = None

    # -- accounting ------------------------------------------------------------------

    def observe(self, change: Change) -> None:
        if change.rtype is NODES:
            self._retry_unschedulable()  # a node came, went, or changed its taints
            return
        if change.rtype is not PODS:
            return
        pod = change.obj
        key = (pod["metadata"].get("namespace", ""), pod["metadata"]["name"])
        node = dig(pod, "spec", "nodeName")
        holds = (
            change.event_type != "DELETED"
            and node
            and dig(pod, "status", "phase") not in ("Succeeded", "Failed")
        )
        freed = self._account(key, pod, node if holds else None)
        if change.event_type == "DELETED":
            self.unschedulable.discard(key)
        elif not node and not is_deleting(pod) and key not in self.unschedulable:
            self.enqueue(key)
        if freed:
            self._retry_unschedulable()

    def _account(self, key: tuple[str, str], pod: Obj, node: str | None) -> bool:
        """Keep what `pod` holds on `node` current. True when capacity was freed."""
        before = self._placed.get(key)
        if before is not None and before[0] == node:
            return False
        freed = False
        if before is not None:
            old_node, cpu, mem, owner = before
            slot = self.allocated.setdefault(old_node, [0, 0, 0])
            slot[0] -= cpu
            slot[1] -= mem
            slot[2] -= 1
            self._owners[(owner, old_node)] -= 1
            if self._owners[(owner, old_node)] <= 0:
                del self._owners[(owner, old_node)]
            del self._placed[key]
            freed = True
        if node is not None:
            cpu, mem = pod_requests(pod)
            ref = controller_of(pod)
            owner = ref.get("uid", "") if ref else ""
            slot = self.allocated.setdefault(node, [0, 0, 0])
            slot[0] += cpu
            slot[1] += mem
            slot[2] += 1
            self._owners[(owner, node)] += 1
            self._placed[key] = (node, cpu, mem, owner)
        return freed

    def _retry_unschedulable(self) -> None:
        for key in sorted(self.unschedulable):
            self.enqueue(key)
        self.unschedulable.clear()

    # -- scheduling --------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> None:
        pod = self.store.find(PODS, *key)
        if pod is None or dig(pod, "spec", "nodeName") or is_deleting(pod):
            return
        if dig(pod, "spec", "schedulerName", default="default-scheduler") != "default-scheduler":
            return
        nodes = self.store.list(NODES)
        feasible, reasons, not_helpful = self._filter(pod, nodes)
        if feasible:
            self._bind(pod, self._best(pod, feasible))
            return
        self._unschedulable(pod, len(nodes), reasons, not_helpful)

    def _filter(self, pod: Obj, nodes: list[Obj]) -> tuple[list[Obj], Counter[str], int]:
        cpu, mem = pod_requests(pod)
        selector = dig(pod, "spec", "nodeSelector", default={})
        feasible: list[Obj] = []
        reasons: Counter[str] = Counter()
        not_helpful = 0
        for node in nodes:
            if dig(node, "spec", "unschedulable") and not any(
                t.get("key") == "node.kubernetes.io/unschedulable"
                for t in dig(pod, "spec", "tolerations", default=[])
            ):
                reasons["node(s) were unschedulable"] += 1
                not_helpful += 1
                continue
            taint = untolerated(pod, node, ("NoSchedule", "NoExecute"))
            if taint is not None:
                shown = f"{{{taint.get('key')}: {taint.get('value', '')}}}"
                reasons[f"node(s) had untolerated taint {shown}"] += 1
                not_helpful += 1
                continue
            labels = node["metadata"].get("labels") or {}
            if any(labels.get(k) != v for k, v in selector.items()):
                reasons["node(s) didn't match Pod's node affinity/selector"] += 1
                not_helpful += 1
                continue
            cap_cpu, cap_mem, cap_pods = node_allocatable(node)
            used = self.allocated.get(node["metadata"]["name"], [0, 0, 0])
            short = []
            if used[2] + 1 > cap_pods:
                short.append("Too many pods")
            if cpu and used[0] + cpu > cap_cpu:
                short.append("Insufficient cpu")
            if mem and used[1] + mem > cap_mem:
                short.append("Insufficient memory")
            if short:
                for reason in short:
                    reasons[reason] += 1
                continue
            feasible.append(node)
        return feasible, reasons, not_helpful

    def _best(self, pod: Obj, nodes: list[Obj]) -> Obj:
        ref = controller_of(pod)
        owner = ref.get("uid", "") if ref else ""

        def score(node: Obj) -> tuple[int, float, str]:
            name = node["metadata"]["name"]
            cap_cpu, cap_mem, _ = node_allocatable(node)
            used = self.allocated.get(name, [0, 0, 0])
            load = max(used[0] / max(cap_cpu, 1), used[1] / max(cap_mem, 1))
            return (self._owners[(owner, name)] if owner else 0, round(load, 3), name)

        return min(nodes, key=score)

    def _bind(self, pod: Obj, node: Obj) -> None:
        name = node["metadata"]["name"]
        now = self.clock.stamp()
        status = dict(pod.get("status") or {})
        status["conditions"] = set_condition(status.get("conditions"), "PodScheduled", "True", now)
        status.pop("nominatedNodeName", None)
        bound = {**pod, "spec": {**pod["spec"], "nodeName": name}, "status": status}
        bound = self.world.update(PODS, bound)
        self.unschedulable.discard((pod["metadata"]["namespace"], pod["metadata"]["name"]))
        self.event(
            bound,
            PODS,
            "Normal",
            "Scheduled",
            f"Successfully assigned {pod['metadata']['namespace']}/"
            f"{pod['metadata']['name']} to {name}",
        )

    def _unschedulable(self, pod: Obj, total: int, reasons: Counter[str], not_helpful: int) -> None:
        parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
        message = f"0/{total} nodes are available: {', '.join(parts)}."
        if total:
            preemption = []
            if not_helpful:
                preemption.append(f"{not_helpful} Preemption is not helpful for scheduling")
            if total - not_helpful:
                preemption.append(
                    f"{total - not_helpful} No preemption victims found for incoming pod"
                )
            message += f" preemption: 0/{total} nodes are available: {', '.join(preemption)}."
        now = self.clock.stamp()
        # Parked before the status write, so our own change does not queue it again.
        self.unschedulable.add((pod["metadata"]["namespace"], pod["metadata"]["name"]))
        status = dict(pod.get("status") or {})
        status["phase"] = "Pending"
        status["conditions"] = set_condition(
            status.get("conditions"),
            "PodScheduled",
            "False",
            now,
            reason="Unschedulable",
            message=message,
        )
        pod = self.world.set_status(PODS, pod, status)
        self.event(pod, PODS, "Warning", "FailedScheduling", message)
        if self._retry is None:
            self._retry = self.engine.call_later(RETRY, self._periodic_retry)

    def _periodic_retry(self) -> None:
        self._retry = None
        if self.unschedulable:
            self._retry_unschedulable()
