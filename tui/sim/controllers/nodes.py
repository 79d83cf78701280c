"""The node lifecycle controller: heartbeats, NotReady, taints, eviction.

A healthy node's kubelet posts its status every five minutes (sim time). When
a node's kubelet stops (`World.fail_node`), after the 40 s grace period the
node's conditions become Unknown ("Kubelet stopped posting node status."), it
gets the `node.kubernetes.io/unreachable` taints (NoSchedule: nothing new lands
there; NoExecute: its pods are evicted once their toleration, 300 s by
default, runs out), and its pods turn not Ready. Evicted pods cannot finish
terminating without their kubelet: they stay Terminating, shown as Unknown
(reason NodeLost), while their controllers replace them elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.objects import dig, is_deleting, set_condition
from tui.sim.resources import NODES, PODS

if TYPE_CHECKING:
    from tui.sim.world import World

GRACE = 40.0  # node-monitor-grace-period
HEARTBEAT = 300.0  # node status update frequency without changes
UNREACHABLE = "node.kubernetes.io/unreachable"
PRESSURES = (
    ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
)


def healthy_conditions(now: str) -> list[Obj]:
    conditions = [
        {
            "type": kind,
            "status": "False",
            "reason": reason,
            "message": message,
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }
        for kind, reason, message in PRESSURES
    ]
    conditions.append(
        {
            "type": "Ready",
            "status": "True",
            "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
        }
    )
    return conditions


class NodeLifecycle(WorldController):
    name = "node-lifecycle"
    component = "node-controller"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.dead: set[str] = set()
        self._heartbeats: Any = None

    def sync(self, key: Any) -> None:
        pass  # everything here is timer-driven

    # -- heartbeats ----------------------------------------------------------------------

    def start_heartbeats(self) -> None:
        if self._heartbeats is None:
            self._heartbeat()

    def _heartbeat(self) -> None:
        now = self.clock.stamp()
        for node in self.store.list(NODES):
            if node["metadata"]["name"] in self.dead:
                continue
            conditions = [
                {**c, "lastHeartbeatTime": now}
                for c in dig(node, "status", "conditions", default=[])
            ]
            self.world.set_status(NODES, node, {**node.get("status", {}), "conditions": conditions})
        self._heartbeats = self.engine.call_later(HEARTBEAT, self._heartbeat)

    # -- failure -------------------------------------------------------------------------

    def fail(self, name: str) -> None:
        if name in self.dead:
            return
        self.dead.add(name)
        self.world.kubelet.node_down(name)
        self.engine.call_later(GRACE, self._not_ready, name)

    def _not_ready(self, name: str) -> None:
        node = self.store.find(NODES, None, name)
        if node is None or name not in self.dead:
            return
        now = self.clock.stamp()
        conditions = dig(node, "status", "conditions", default=[])
        for kind in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready"):
            conditions = set_condition(
                conditions,
                kind,
                "Unknown",
                now,
                reason="NodeStatusUnknown",
                message="Kubelet stopped posting node status.",
            )
        taints = [t for t in dig(node, "spec", "taints", default=[]) if t.get("key") != UNREACHABLE]
        taints += [
            {"key": UNREACHABLE, "effect": "NoSchedule", "timeAdded": now},
            {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": now},
        ]
        node = self.world.update(
            NODES, {**node, "spec": {**node.get("spec", {}), "taints": taints}}
        )
        node = self.world.set_status(
            NODES, node, {**node.get("status", {}), "conditions": conditions}
        )
        self.event(
            node, NODES, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady"
        )
        for namespace, pod_name in sorted(self.index.pods_by_node.get(name, ())):
            pod = self.store.find(PODS, namespace, pod_name)
            if pod is None:
                continue
            self._mark_not_ready(pod, now)
            seconds = self._toleration(pod)
            if seconds is not None:
                self.engine.call_later(
                    seconds, self._evict, namespace, pod_name, pod["metadata"]["uid"]
                )

    def _mark_not_ready(self, pod: Obj, now: str) -> None:
        status = dict(pod.get("status") or {})
        conditions = status.get("conditions") or []
        for kind in ("Ready", "ContainersReady"):
            conditions = set_condition(conditions, kind, "False", now)
        status["conditions"] = conditions
        status["containerStatuses"] = [
            {**c, "ready": False} for c in status.get("containerStatuses") or []
        ]
        self.world.set_status(PODS, pod, status)
        self.event(pod, PODS, "Warning", "NodeNotReady", "Node is not ready")

    def _toleration(self, pod: Obj) -> float | None:
        """Seconds the pod tolerates an unreachable node; None: forever."""
        for toleration in dig(pod, "spec", "tolerations", default=[]):
            key = toleration.get("key")
            effect = toleration.get("effect")
            if (
                key in (UNREACHABLE, None, "")
                and toleration.get("operator") == "Exists"
                and effect in ("NoExecute", None, "")
            ):
                seconds = toleration.get("tolerationSeconds")
                return None if seconds is None else float(seconds)
        return 0.0

    def _evict(self, namespace: str, name: str, uid: str) -> None:
        pod = self.store.find(PODS, namespace, name)
        if pod is None or pod["metadata"]["uid"] != uid or is_deleting(pod):
            return
        node = dig(pod, "spec", "nodeName")
        if node not in self.dead:
            return
        self.event(
            pod,
            PODS,
            "Normal",
            "TaintManagerEviction",
            f"Marking for deletion Pod {namespace}/{name}",
            component="taint-eviction-controller",
        )
        status = {
            **pod.get("status", {}),
            "reason": "NodeLost",
            "message": f"Node {node} which was running pod {name} is unresponsive",
        }
        pod = self.world.set_status(PODS, pod, status)
        self.world.delete(PODS, pod, {})

    # -- recovery ------------------------------------------------------------------------

    def recover(self, name: str) -> None:
        if name not in self.dead:
            return
        self.dead.discard(name)
        node = self.store.find(NODES, None, name)
        if node is not None:
            now = self.clock.stamp()
            taints = [
                t for t in dig(node, "spec", "taints", default=[]) if t.get("key") != UNREACHABLE
            ]
            spec = {**node.get("spec", {}), "taints": taints}
            if not taints:
                spec.pop("taints")
            node = self.world.update(NODES, {**node, "spec": spec})
            self.world.set_status(
                NODES, node, {**node.get("status", {}), "conditions": healthy_conditions(now)}
            )
            self.event(node, NODES, "Normal", "NodeReady", f"Node {name} status is now: NodeReady")
        self.world.kubelet.node_up(name)
