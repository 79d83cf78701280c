"""The DaemonSet controller: one pod per node, replaced one at a time on a new template."""

from __future__ import annotations

from tui.sim.controllers.base import Obj, WorldController, new_pod
from tui.sim.controllers.replicaset import is_ready
from tui.sim.objects import REVISION_LABEL, dig, is_deleting, template_hash
from tui.sim.resources import DAEMONSETS, NODES, PODS
from tui.sim.store import Change

# DaemonSet pods tolerate a node's trouble: they are the node's own.
DAEMON_TOLERATIONS = [
    {"key": f"node.kubernetes.io/{name}", "operator": "Exists", "effect": effect}
    for name, effect in (
        ("not-ready", "NoExecute"),
        ("unreachable", "NoExecute"),
        ("disk-pressure", "NoSchedule"),
        ("memory-pressure", "NoSchedule"),
        ("pid-pressure", "NoSchedule"),
        ("unschedulable", "NoSchedule"),
    )
]


class DaemonSetController(WorldController):
    name = "daemonset"
    primary = DAEMONSETS
    component = "daemonset-controller"

    def observe(self, change: Change) -> None:
        if change.rtype is PODS:
            self.enqueue_controller(change.obj, "DaemonSet")
        elif change.rtype is NODES:
            if change.event_type != "MODIFIED":
                for ds in self.store.items(DAEMONSETS):
                    self.enqueue((ds["metadata"]["namespace"], ds["metadata"]["name"]))
        else:
            super().observe(change)

    def sync(self, key: tuple[str, str]) -> None:
        ds = self.store.find(DAEMONSETS, *key)
        if ds is None or is_deleting(ds):
            return
        revision = template_hash(ds["spec"]["template"])
        nodes = [n["metadata"]["name"] for n in self.store.list(NODES)]
        pods = [p for p in self.owned_pods(ds) if not is_deleting(p)]
        by_node: dict[str, list[Obj]] = {}
        for pod in pods:
            by_node.setdefault(dig(pod, "spec", "nodeName", default=""), []).append(pod)
        for node in nodes:
            if not by_node.get(node):
                by_node[node] = [self._create(ds, node, revision)]
        for node, found in by_node.items():
            if node not in nodes:
                for pod in found:
                    self.world.delete(PODS, pod, {})
        # Rolling update, one pod at a time, only while every other pod is ready.
        stale = [p for p in pods if p["metadata"].get("labels", {}).get(REVISION_LABEL) != revision]
        if stale and all(is_ready(p) for p in pods):
            self.world.delete(PODS, sorted(stale, key=lambda p: p["metadata"]["name"])[0], {})
        self._status(ds, revision, len(nodes))

    def _create(self, ds: Obj, node: str, revision: str) -> Obj:
        name = f"{ds['metadata']['name']}-{self.world.suffix()}"
        template = ds["spec"]["template"]
        tolerations = list(dig(template, "spec", "tolerations", default=[]))
        for toleration in DAEMON_TOLERATIONS:
            if toleration not in tolerations:
                tolerations.append(toleration)
        pod = new_pod(
            self.world,
            template,
            ds,
            DAEMONSETS,
            name,
            labels={REVISION_LABEL: revision},
            generate_name=f"{ds['metadata']['name']}-",
            spec_extra={"nodeName": node, "tolerations": tolerations},
        )
        self.event(ds, DAEMONSETS, "Normal", "SuccessfulCreate", f"Created pod: {name}")
        return pod

    def _status(self, ds: Obj, revision: str, nodes: int) -> None:
        pods = [p for p in self.owned_pods(ds) if not is_deleting(p)]
        ready = sum(1 for p in pods if is_ready(p))
        updated = sum(
            1 for p in pods if p["metadata"].get("labels", {}).get(REVISION_LABEL) == revision
        )
        status: Obj = {
            "currentNumberScheduled": len(pods),
            "desiredNumberScheduled": nodes,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": max(0, nodes - ready),
            "updatedNumberScheduled": updated,
            "observedGeneration": ds["metadata"].get("generation", 1),
        }
        status = {
            k: v
            for k, v in status.items()
            if v
            or k
            in (
                "currentNumberScheduled",
                "desiredNumberScheduled",
                "numberMisscheduled",
                "numberReady",
            )
        }
        if status != ds.get("status"):
            self.world.set_status(DAEMONSETS, ds, status)
