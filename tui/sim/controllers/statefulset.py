"""The StatefulSet controller: pods name-0..N-1, one at a time, in order.

OrderedReady: pod i+1 is created only once pod i is Running and Ready; a
template change (`kubectl rollout restart statefulset/x`) replaces pods from
the highest ordinal down, each after the previous one is back and Ready.
Revisions are `<name>-<hash>` in the `controller-revision-hash` label.
"""

from __future__ import annotations

from tui.sim.controllers.base import Obj, WorldController, new_pod
from tui.sim.controllers.replicaset import is_ready
from tui.sim.objects import REVISION_LABEL, dig, is_deleting, replicas_of, template_hash
from tui.sim.resources import PODS, STATEFULSETS
from tui.sim.store import Change


def ordinal(sts: Obj, pod: Obj) -> int:
    name, prefix = pod["metadata"]["name"], sts["metadata"]["name"] + "-"
    try:
        return int(name[len(prefix) :]) if name.startswith(prefix) else -1
    except ValueError:
        return -1


class StatefulSetController(WorldController):
    name = "statefulset"
    primary = STATEFULSETS
    component = "statefulset-controller"

    def observe(self, change: Change) -> None:
        if change.rtype is PODS:
            self.enqueue_controller(change.obj, "StatefulSet")
            return
        super().observe(change)

    def sync(self, key: tuple[str, str]) -> None:
        sts = self.store.find(STATEFULSETS, *key)
        if sts is None or is_deleting(sts):
            return
        update_revision = f"{sts['metadata']['name']}-{template_hash(sts['spec']['template'])}"
        pods = {ordinal(sts, p): p for p in self.owned_pods(sts)}
        wanted = replicas_of(sts)
        parallel = dig(sts, "spec", "podManagementPolicy") == "Parallel"
        self._reconcile(sts, pods, wanted, update_revision, parallel)
        self._status(sts, self.owned_pods(sts), update_revision)

    def _reconcile(
        self, sts: Obj, pods: dict[int, Obj], wanted: int, revision: str, parallel: bool
    ) -> None:
        # Create missing pods in order; stop at the first that is not yet Ready.
        for i in range(wanted):
            pod = pods.get(i)
            if pod is None:
                pods[i] = self._create(sts, i, revision)
                if not parallel:
                    return
                continue
            if is_deleting(pod):
                if not parallel:
                    return
                continue
            if dig(pod, "status", "phase") == "Failed":
                self.world.delete(PODS, pod, {})
                return
            if not parallel and not (is_ready(pod) and dig(pod, "status", "phase") == "Running"):
                return
        # Scale down from the highest ordinal, one at a time.
        extra = sorted((i for i in pods if i >= wanted or i < 0), reverse=True)
        for i in extra:
            pod = pods[i]
            if not is_deleting(pod):
                self._delete(sts, pod)
            return
        # Rolling update: replace the highest ordinal still on an old revision.
        strategy = dig(sts, "spec", "updateStrategy", "type", default="RollingUpdate")
        if strategy != "RollingUpdate":
            return
        partition = int(dig(sts, "spec", "updateStrategy", "rollingUpdate", "partition", default=0))
        for i in sorted(pods, reverse=True):
            pod = pods[i]
            if i < partition:
                break
            if pod["metadata"].get("labels", {}).get(REVISION_LABEL) != revision:
                if not is_deleting(pod):
                    self._delete(sts, pod)
                return

    def _create(self, sts: Obj, i: int, revision: str) -> Obj:
        name = f"{sts['metadata']['name']}-{i}"
        spec_extra = {"hostname": name}
        if sts["spec"].get("serviceName"):
            spec_extra["subdomain"] = sts["spec"]["serviceName"]
        pod = new_pod(
            self.world,
            sts["spec"]["template"],
            sts,
            STATEFULSETS,
            name,
            labels={
                REVISION_LABEL: revision,
                "statefulset.kubernetes.io/pod-name": name,
                "apps.kubernetes.io/pod-index": str(i),
            },
            spec_extra=spec_extra,
        )
        self.event(
            sts,
            STATEFULSETS,
            "Normal",
            "SuccessfulCreate",
            f"create Pod {name} in StatefulSet {sts['metadata']['name']} successful",
        )
        return pod

    def _delete(self, sts: Obj, pod: Obj) -> None:
        self.world.delete(PODS, pod, {})
        self.event(
            sts,
            STATEFULSETS,
            "Normal",
            "SuccessfulDelete",
            f"delete Pod {pod['metadata']['name']} in StatefulSet"
            f" {sts['metadata']['name']} successful",
        )

    def _status(self, sts: Obj, pods: list[Obj], revision: str) -> None:
        live = [p for p in pods if not is_deleting(p)]
        before = sts.get("status") or {}
        current_revision = before.get("currentRevision") or revision
        updated = sum(
            1 for p in live if p["metadata"].get("labels", {}).get(REVISION_LABEL) == revision
        )
        wanted = replicas_of(sts)
        if updated == wanted and len(live) == wanted:
            current_revision = revision
        ready = sum(1 for p in live if is_ready(p))
        status: Obj = {
            "observedGeneration": sts["metadata"].get("generation", 1),
            "replicas": len(live),
            "readyReplicas": ready,
            "currentReplicas": sum(
                1
                for p in live
                if p["metadata"].get("labels", {}).get(REVISION_LABEL) == current_revision
            ),
            "updatedReplicas": updated,
            "availableReplicas": ready,
            "currentRevision": current_revision,
            "updateRevision": revision,
            "collisionCount": 0,
        }
        status = {k: v for k, v in status.items() if v or k in ("replicas", "collisionCount")}
        if status != before:
            self.world.set_status(STATEFULSETS, sts, status)
