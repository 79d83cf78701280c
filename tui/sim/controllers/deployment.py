"""The Deployment controller, after kube-controller-manager's.

One ReplicaSet per pod template, named `<deployment>-<pod-template-hash>`;
revisions in `deployment.kubernetes.io/revision` (an old ReplicaSet whose
template comes back, as after `kubectl rollout undo`, is reused and gets the
next revision); rolling updates bounded by maxSurge/maxUnavailable; the status
and conditions `kubectl rollout status` reads; old ReplicaSets beyond
revisionHistoryLimit deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.engine import Timer
from tui.sim.objects import (
    HASH_LABEL,
    annotations_of,
    condition,
    controlled_by,
    dig,
    is_deleting,
    owner_reference,
    parse_time,
    replicas_of,
    same_template,
    scaled_value,
    set_condition,
    template_hash,
)
from tui.sim.resources import DEPLOYMENTS, REPLICASETS
from tui.sim.store import Change

if TYPE_CHECKING:
    from tui.sim.world import World

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX = "deployment.kubernetes.io/max-replicas"
SKIP_ANNOTATIONS = {
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION,
    REVISION_HISTORY,
    DESIRED,
    MAX,
    "deprecated.deployment.rollback.to",
}


def revision(rs: Obj) -> int:
    try:
        return int(annotations_of(rs).get(REVISION, "0"))
    except ValueError:
        return 0


def max_surge_unavailable(d: Obj) -> tuple[int, int]:
    if dig(d, "spec", "strategy", "type", default="RollingUpdate") != "RollingUpdate":
        return 0, 0
    rolling = dig(d, "spec", "strategy", "rollingUpdate", default={})
    desired = replicas_of(d)
    surge = scaled_value(rolling.get("maxSurge", "25%"), desired, round_up=True)
    unavailable = scaled_value(rolling.get("maxUnavailable", "25%"), desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, min(unavailable, desired)


class DeploymentController(WorldController):
    name = "deployment"
    primary = DEPLOYMENTS
    component = "deployment-controller"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._deadline_timers: dict[tuple[str, str], Timer] = {}

    def observe(self, change: Change) -> None:
        if change.rtype is REPLICASETS:
            self.enqueue_controller(change.obj, "Deployment")
            return
        super().observe(change)

    # -- sync ----------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> None:
        d = self.store.find(DEPLOYMENTS, *key)
        if d is None or is_deleting(d):
            return
        all_rs = self._replica_sets(d)
        new_rs = next((rs for rs in all_rs if self._matches(d, rs)), None)
        old = [rs for rs in all_rs if rs is not new_rs]
        if dig(d, "spec", "paused"):
            self._status(d, new_rs, old)
            return
        if self._scaling_event(d, new_rs, old):
            new_rs, old = self._scale(d, new_rs, old)
            self._status(d, new_rs, old)
            return
        created = new_rs is None
        new_rs, d = self._sync_new(d, new_rs, old)
        if dig(d, "spec", "strategy", "type") == "Recreate":
            new_rs, old = self._recreate(d, new_rs, old)
        else:
            new_rs, old = self._rolling(d, new_rs, old)
        if self._complete(d, new_rs, old):
            self._cleanup(d, old)
        self._status(d, new_rs, old, created=created)

    def _replica_sets(self, d: Obj) -> list[Obj]:
        found = []
        for namespace, name in self.index.owned(d["metadata"]["uid"], REPLICASETS):
            rs = self.store.find(REPLICASETS, namespace, name)
            if rs is not None and controlled_by(rs, d) and not is_deleting(rs):
                found.append(rs)
        found.sort(key=lambda rs: (rs["metadata"].get("creationTimestamp", ""), revision(rs)))
        return found

    def _matches(self, d: Obj, rs: Obj) -> bool:
        return same_template(d["spec"].get("template") or {}, rs["spec"].get("template") or {})

    # -- the new ReplicaSet ------------------------------------------------------------

    def _sync_new(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> tuple[Obj, Obj]:
        max_old = max((revision(rs) for rs in old), default=0)
        next_revision = max_old + 1
        surge, _ = max_surge_unavailable(d)
        if new_rs is None:
            new_rs = self._create_rs(d, old, next_revision, surge)
        else:
            annotations = dict(annotations_of(new_rs))
            changed = self._copy_annotations(d, annotations)
            current = revision(new_rs)
            if current < next_revision:
                if REVISION in annotations:
                    history = [r for r in annotations.get(REVISION_HISTORY, "").split(",") if r]
                    annotations[REVISION_HISTORY] = ",".join([*history, str(current)])
                annotations[REVISION] = str(next_revision)
                changed = True
            min_ready = dig(d, "spec", "minReadySeconds", default=0)
            if changed or dig(new_rs, "spec", "minReadySeconds", default=0) != min_ready:
                spec = {**new_rs["spec"], "minReadySeconds": min_ready}
                if not min_ready:
                    spec.pop("minReadySeconds")
                metadata = {**new_rs["metadata"], "annotations": annotations}
                new_rs = self.world.update(
                    REPLICASETS, {**new_rs, "metadata": metadata, "spec": spec}
                )
        wanted = annotations_of(new_rs).get(REVISION, str(next_revision))
        if annotations_of(d).get(REVISION) != wanted:
            metadata = {**d["metadata"], "annotations": {**annotations_of(d), REVISION: wanted}}
            d = self.world.update(DEPLOYMENTS, {**d, "metadata": metadata})
        return new_rs, d

    def _copy_annotations(self, d: Obj, annotations: dict[str, str]) -> bool:
        changed = False
        for key, value in annotations_of(d).items():
            if key in SKIP_ANNOTATIONS:
                continue
            if annotations.get(key) != value:
                annotations[key] = value
                changed = True
        return changed

    def _create_rs(self, d: Obj, old: list[Obj], rev: int, surge: int) -> Obj:
        template = d["spec"].get("template") or {}
        collisions = int(dig(d, "status", "collisionCount", default=0))
        while True:
            pod_hash = template_hash(template, collisions)
            name = f"{d['metadata']['name']}-{pod_hash}"
            if self.store.find(REPLICASETS, d["metadata"]["namespace"], name) is None:
                break
            collisions += 1  # a hash collision with a foreign template: rehash
        labels = {**(dig(template, "metadata", "labels", default={})), HASH_LABEL: pod_hash}
        selector = dict(d["spec"].get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: pod_hash}
        desired = replicas_of(d)
        annotations: dict[str, str] = {}
        self._copy_annotations(d, annotations)
        annotations.update({REVISION: str(rev), DESIRED: str(desired), MAX: str(desired + surge)})
        rs_template = {
            **template,
            "metadata": {**(template.get("metadata") or {}), "labels": labels},
        }
        count = self._new_replicas(d, old, surge)
        spec: Obj = {"replicas": count, "selector": selector, "template": rs_template}
        if dig(d, "spec", "minReadySeconds"):
            spec["minReadySeconds"] = d["spec"]["minReadySeconds"]
        rs = self.world.create(
            REPLICASETS,
            {
                "metadata": {
                    "name": name,
                    "namespace": d["metadata"]["namespace"],
                    "labels": labels,
                    "annotations": annotations,
                    "ownerReferences": [owner_reference(d, DEPLOYMENTS)],
                },
                "spec": spec,
            },
        )
        if count > 0:
            self.event(
                d,
                DEPLOYMENTS,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled up replica set {name} to {count}",
            )
        return rs

    def _new_replicas(self, d: Obj, old: list[Obj], surge: int) -> int:
        desired = replicas_of(d)
        if dig(d, "spec", "strategy", "type") == "Recreate":
            return 0 if any(replicas_of(rs) for rs in old) else desired
        if not any(replicas_of(rs) for rs in old):
            return desired
        total = sum(replicas_of(rs) for rs in old)
        room = desired + surge - total
        return max(0, min(room, desired))

    # -- scaling ---------------------------------------------------------------------

    def _scale_rs(self, d: Obj, rs: Obj, count: int) -> Obj:
        current = replicas_of(rs)
        desired = replicas_of(d)
        surge, _ = max_surge_unavailable(d)
        annotations = dict(annotations_of(rs))
        wanted = {DESIRED: str(desired), MAX: str(desired + surge)}
        if current == count and all(annotations.get(k) == v for k, v in wanted.items()):
            return rs
        annotations.update(wanted)
        updated = self.world.update(
            REPLICASETS,
            {
                **rs,
                "metadata": {**rs["metadata"], "annotations": annotations},
                "spec": {**rs["spec"], "replicas": count},
            },
        )
        if current != count:
            direction = "up" if count > current else "down"
            self.event(
                d,
                DEPLOYMENTS,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled {direction} replica set {rs['metadata']['name']} to {count}"
                f" from {current}",
            )
        return updated

    def _scaling_event(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> bool:
        """spec.replicas changed (kubectl scale, an HPA) since the active sets were sized."""
        desired = str(replicas_of(d))
        for rs in [*([new_rs] if new_rs else []), *old]:
            if replicas_of(rs) > 0 and annotations_of(rs).get(DESIRED, desired) != desired:
                return True
        return False

    def _scale(self, d: Obj, new_rs: Obj | None, old: list[Obj]) -> tuple[Obj | None, list[Obj]]:
        desired = replicas_of(d)
        active = [rs for rs in [*([new_rs] if new_rs else []), *old] if replicas_of(rs) > 0]
        if len(active) <= 1:
            target = active[0] if active else new_rs
            if target is not None:
                scaled = self._scale_rs(d, target, desired)
                new_rs = scaled if target is new_rs else new_rs
                old = [scaled if rs is target else rs for rs in old]
            return new_rs, old
        if new_rs is not None and replicas_of(new_rs) >= desired:
            new_rs = self._scale_rs(d, new_rs, desired)
            return new_rs, [self._scale_rs(d, rs, 0) for rs in old]
        # Mid-rollout: resize the new set within the surge budget; the rolling update
        # then moves the rest (a simplification of proportional scaling).
        surge, _ = max_surge_unavailable(d)
        total = sum(replicas_of(rs) for rs in active)
        room = desired + surge - total
        if room < 0:
            for rs in sorted(old, key=revision):
                if room >= 0:
                    break
                cut = min(replicas_of(rs), -room)
                scaled = self._scale_rs(d, rs, replicas_of(rs) - cut)
                old = [scaled if o is rs else o for o in old]
                room += cut
        if new_rs is not None:
            new_rs = self._scale_rs(d, new_rs, replicas_of(new_rs))
        old = [self._scale_rs(d, rs, replicas_of(rs)) for rs in old]
        return new_rs, old

    def _rolling(self, d: Obj, new_rs: Obj, old: list[Obj]) -> tuple[Obj, list[Obj]]:
        desired = replicas_of(d)
        surge, unavailable = max_surge_unavailable(d)
        # Scale the new ReplicaSet up within the surge.
        current_new = replicas_of(new_rs)
        if current_new > desired:
            return self._scale_rs(d, new_rs, desired), old
        if current_new < desired:
            total = replicas_of(new_rs) + sum(replicas_of(rs) for rs in old)
            room = desired + surge - total
            if room > 0:
                step = min(room, desired - current_new)
                return self._scale_rs(d, new_rs, current_new + step), old
        # Scale old ReplicaSets down, keeping the minimum available.
        old_count = sum(replicas_of(rs) for rs in old)
        if old_count == 0:
            return new_rs, old
        all_count = replicas_of(new_rs) + old_count
        min_available = desired - unavailable
        new_unavailable = replicas_of(new_rs) - int(
            dig(new_rs, "status", "availableReplicas", default=0)
        )
        budget = all_count - min_available - new_unavailable
        if budget <= 0:
            return new_rs, old
        scaled_old: list[Obj] = []
        # First the old sets' unhealthy pods: they serve nothing.
        for rs in sorted(old, key=lambda r: r["metadata"].get("creationTimestamp", "")):
            unhealthy = replicas_of(rs) - int(dig(rs, "status", "availableReplicas", default=0))
            cut = min(budget, max(0, unhealthy), replicas_of(rs))
            if cut > 0:
                rs = self._scale_rs(d, rs, replicas_of(rs) - cut)
                budget -= cut
            scaled_old.append(rs)
        old = scaled_old
        # Then healthy ones, as far as the available count allows.
        available = int(dig(new_rs, "status", "availableReplicas", default=0)) + sum(
            int(dig(rs, "status", "availableReplicas", default=0)) for rs in old
        )
        spare = min(available - min_available, budget)
        result = []
        for rs in old:
            if spare > 0 and replicas_of(rs) > 0:
                cut = min(spare, replicas_of(rs))
                rs = self._scale_rs(d, rs, replicas_of(rs) - cut)
                spare -= cut
            result.append(rs)
        return new_rs, result

    def _recreate(self, d: Obj, new_rs: Obj, old: list[Obj]) -> tuple[Obj, list[Obj]]:
        if any(replicas_of(rs) for rs in old):
            return new_rs, [self._scale_rs(d, rs, 0) for rs in old]
        if any(int(dig(rs, "status", "replicas", default=0)) for rs in old):
            return new_rs, old  # wait for the old pods to be gone
        return self._scale_rs(d, new_rs, replicas_of(d)), old

    def _complete(self, d: Obj, new_rs: Obj, old: list[Obj]) -> bool:
        desired = replicas_of(d)
        return (
            int(dig(new_rs, "status", "replicas", default=0)) == desired
            and int(dig(new_rs, "status", "availableReplicas", default=0)) == desired
            and not any(int(dig(rs, "status", "replicas", default=0)) for rs in old)
        )

    def _cleanup(self, d: Obj, old: list[Obj]) -> None:
        limit = int(dig(d, "spec", "revisionHistoryLimit", default=10))
        idle = [
            rs
            for rs in old
            if replicas_of(rs) == 0 and not int(dig(rs, "status", "replicas", default=0))
        ]
        idle.sort(key=revision)
        for rs in idle[: max(0, len(idle) - limit)]:
            self.world.delete(REPLICASETS, rs, {"propagationPolicy": "Background"})

    # -- status ------------------------------------------------------------------------

    def _status(self, d: Obj, new_rs: Obj | None, old: list[Obj], *, created: bool = False) -> None:
        all_rs = [*([new_rs] if new_rs else []), *old]
        desired = replicas_of(d)
        _, unavailable = max_surge_unavailable(d)

        def total(field: str) -> int:
            return sum(int(dig(rs, "status", field, default=0)) for rs in all_rs)

        available = total("availableReplicas")
        before = d.get("status") or {}
        status: Obj = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": total("replicas"),
            "updatedReplicas": int(dig(new_rs, "status", "replicas", default=0)) if new_rs else 0,
            "readyReplicas": total("readyReplicas"),
            "availableReplicas": available,
            "unavailableReplicas": max(0, sum(replicas_of(rs) for rs in all_rs) - available),
        }
        if before.get("collisionCount"):
            status["collisionCount"] = before["collisionCount"]
        now = self.clock.stamp()
        conditions = before.get("conditions") or []
        if available >= desired - unavailable:
            conditions = set_condition(
                conditions,
                "Available",
                "True",
                now,
                reason="MinimumReplicasAvailable",
                message="Deployment has minimum availability.",
                update_time=not _same(conditions, "Available", "True"),
            )
        else:
            conditions = set_condition(
                conditions,
                "Available",
                "False",
                now,
                reason="MinimumReplicasUnavailable",
                message="Deployment does not have minimum availability.",
                update_time=not _same(conditions, "Available", "False"),
            )
        conditions = self._progress(d, new_rs, before, status, conditions, now, created)
        status["conditions"] = _ordered(conditions)
        status = {k: v for k, v in status.items() if v or k in ("observedGeneration", "conditions")}
        if status != before:
            self.world.set_status(DEPLOYMENTS, d, status)

    def _progress(
        self,
        d: Obj,
        new_rs: Obj | None,
        before: Obj,
        status: Obj,
        conditions: list[Obj],
        now: str,
        created: bool,
    ) -> list[Obj]:
        deadline = dig(d, "spec", "progressDeadlineSeconds")
        if deadline is None:
            return [c for c in conditions if c.get("type") != "Progressing"]
        name = new_rs["metadata"]["name"] if new_rs else ""
        current = condition({"status": {"conditions": conditions}}, "Progressing")
        desired = replicas_of(d)
        if (
            current is not None
            and current.get("reason") == "NewReplicaSetAvailable"
            and status["replicas"] == status["updatedReplicas"]
            and not created
        ):
            return conditions
        complete = (
            status["updatedReplicas"] == desired
            and status["replicas"] == desired
            and status["availableReplicas"] == desired
        )
        key = (d["metadata"]["namespace"], d["metadata"]["name"])
        if complete:
            self._cancel_deadline(key)
            return set_condition(
                conditions,
                "Progressing",
                "True",
                now,
                reason="NewReplicaSetAvailable",
                message=f'ReplicaSet "{name}" has successfully progressed.',
                update_time=True,
            )
        if created:
            conditions = set_condition(
                conditions,
                "Progressing",
                "True",
                now,
                reason="NewReplicaSetCreated",
                message=f'Created new replica set "{name}"',
                update_time=True,
            )
        elif current is None:
            conditions = set_condition(
                conditions,
                "Progressing",
                "True",
                now,
                reason="FoundNewReplicaSet",
                message=f'Found new replica set "{name}"',
                update_time=True,
            )
        elif self._progressing(before, status):
            conditions = set_condition(
                conditions,
                "Progressing",
                "True",
                now,
                reason="ReplicaSetUpdated",
                message=f'ReplicaSet "{name}" is progressing.',
                update_time=True,
            )
        current = condition({"status": {"conditions": conditions}}, "Progressing") or {}
        if current.get("reason") == "ProgressDeadlineExceeded":
            return conditions
        since = parse_time(current.get("lastUpdateTime")) or self.clock.wall()
        elapsed = self.clock.sim() - self.clock.sim_of(since)
        if elapsed >= float(deadline):
            self._cancel_deadline(key)
            return set_condition(
                conditions,
                "Progressing",
                "False",
                now,
                reason="ProgressDeadlineExceeded",
                message=f'ReplicaSet "{name}" has timed out progressing.',
                update_time=True,
            )
        self._cancel_deadline(key)
        self._deadline_timers[key] = self.after(float(deadline) - elapsed + 0.01, key)
        return conditions

    def _progressing(self, before: Obj, after: Obj) -> bool:
        old_before = int(before.get("replicas", 0)) - int(before.get("updatedReplicas", 0))
        old_after = after["replicas"] - after["updatedReplicas"]
        return (
            after["updatedReplicas"] > int(before.get("updatedReplicas", 0))
            or old_after < old_before
            or after["readyReplicas"] > int(before.get("readyReplicas", 0))
            or after["availableReplicas"] > int(before.get("availableReplicas", 0))
        )

    def _cancel_deadline(self, key: tuple[str, str]) -> None:
        timer = self._deadline_timers.pop(key, None)
        if timer is not None:
            timer.cancel()


def _same(conditions: list[Obj], kind: str, status: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == status for c in conditions)


def _ordered(conditions: list[Obj]) -> list[Obj]:
    order = {"Available": 0, "Progressing": 1, "ReplicaFailure": 2}
    return sorted(conditions, key=lambda c: order.get(c.get("type", ""), 9))
