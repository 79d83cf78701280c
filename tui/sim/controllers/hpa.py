"""The HorizontalPodAutoscaler controller (autoscaling/v2, resource metrics).

Every 15 s (sim) per HPA: average utilisation of the target's ready pods from
the metrics the drill serves to `kubectl top`, desired = ceil(replicas x
utilisation / target) outside a 10 % tolerance, clamped to min/max (with the
ScalingLimited condition saying so), scale-down held for the 5-minute
stabilisation window; status as `kubectl describe hpa` shows it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.controllers.replicaset import is_ready
from tui.sim.objects import (
    container_resources,
    dig,
    format_cpu,
    format_memory,
    is_deleting,
    replicas_of,
    selector_matches,
    set_condition,
)
from tui.sim.resources import DEPLOYMENTS, HPAS, PODS, STATEFULSETS
from tui.sim.store import Change

if TYPE_CHECKING:
    from tui.sim.world import World

PERIOD = 15.0
TOLERANCE = 0.1
STABILIZATION = 300.0
TARGETS = {"Deployment": DEPLOYMENTS, "StatefulSet": STATEFULSETS}


class HPAController(WorldController):
    name = "horizontal-pod-autoscaler"
    primary = HPAS
    component = "horizontal-pod-autoscaler"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self._timers: dict[tuple[str, str], Any] = {}
        self._recommendations: dict[tuple[str, str], list[tuple[float, int]]] = {}
        self._generation: dict[tuple[str, str], int] = {}

    def observe(self, change: Change) -> None:
        if change.rtype is not HPAS:
            return
        metadata = change.obj["metadata"]
        key = (metadata.get("namespace", ""), metadata["name"])
        generation = int(metadata.get("generation", 1))
        # Our own status writes do not call for a sync; a spec change does at once.
        if change.event_type != "MODIFIED" or self._generation.get(key) != generation:
            self._generation[key] = generation
            self.enqueue(key)

    def sync(self, key: tuple[str, str]) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        hpa = self.store.find(HPAS, *key)
        if hpa is None or is_deleting(hpa):
            self._recommendations.pop(key, None)
            return
        self._timers[key] = self.after(PERIOD, key)
        self._reconcile(key, hpa)

    def _reconcile(self, key: tuple[str, str], hpa: Obj) -> None:
        now = self.clock.stamp()
        spec = hpa.get("spec") or {}
        ref = spec.get("scaleTargetRef") or {}
        rtype = TARGETS.get(ref.get("kind", ""))
        target = self.store.find(rtype, key[0], ref.get("name", "")) if rtype else None
        if rtype is None:
            target = None
        status = dict(hpa.get("status") or {})
        conditions = status.get("conditions") or []
        if target is None or rtype is None:
            conditions = set_condition(
                conditions,
                "AbleToScale",
                "False",
                now,
                reason="FailedGetScale",
                message=f"the HPA controller was unable to get the target's"
                f" current scale: {ref.get('kind', '').lower()}s.apps"
                f' "{ref.get("name")}" not found',
            )
            self._write(hpa, {**status, "conditions": conditions})
            return
        current = replicas_of(target)
        low, high = int(spec.get("minReplicas", 1)), int(spec.get("maxReplicas", 1))
        proposals, metrics, labels = self._measure(hpa, target, current)
        if not proposals:
            conditions = set_condition(
                conditions,
                "ScalingActive",
                "False",
                now,
                reason="FailedGetResourceMetric",
                message="the HPA was unable to compute the replica count:"
                " unable to get metrics for resource cpu: no metrics"
                " returned from resource metrics API",
            )
            self._write(
                hpa,
                {
                    **status,
                    "currentReplicas": current,
                    "desiredReplicas": current,
                    "conditions": conditions,
                },
            )
            return
        wanted = max(proposals)
        desired = min(max(wanted, low), high)
        if wanted > high:
            limited = (
                "True",
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        elif wanted < low:
            limited = (
                "True",
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        else:
            limited = (
                "False",
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        desired = self._stabilize(key, desired, current)
        conditions = set_condition(
            conditions,
            "ScalingActive",
            "True",
            now,
            reason="ValidMetricFound",
            message=f"the HPA was able to successfully calculate a replica count from {labels[0]}",
        )
        conditions = set_condition(
            conditions, "ScalingLimited", limited[0], now, reason=limited[1], message=limited[2]
        )
        if desired != current:
            scaled = {**target, "spec": {**target["spec"], "replicas": desired}}
            self.world.update(rtype, scaled)
            direction = "above" if desired > current else "below"
            reason = (
                f"{labels[0]} {direction} target"
                if desired > current
                else "All metrics below target"
            )
            self.event(
                hpa, HPAS, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}"
            )
            conditions = set_condition(
                conditions,
                "AbleToScale",
                "True",
                now,
                reason="SucceededRescale",
                message=f"the HPA controller was able to update the target scale to {desired}",
            )
            status["lastScaleTime"] = now
        else:
            conditions = set_condition(
                conditions,
                "AbleToScale",
                "True",
                now,
                reason="ReadyForNewScale",
                message="recommended size matches current size",
            )
        order = {"AbleToScale": 0, "ScalingActive": 1, "ScalingLimited": 2}
        conditions.sort(key=lambda c: order.get(c["type"], 9))
        status.update(
            observedGeneration=hpa["metadata"].get("generation", 1),
            currentReplicas=current,
            desiredReplicas=desired,
            currentMetrics=metrics,
            conditions=conditions,
        )
        self._write(hpa, status)

    def _measure(
        self, hpa: Obj, target: Obj, current: int
    ) -> tuple[list[int], list[Obj], list[str]]:
        selector = dig(target, "spec", "selector")
        namespace = target["metadata"]["namespace"]
        pods = []
        for name in self.index.pods_by_ns.get(namespace, ()):
            pod = self.store.find(PODS, namespace, name)
            if (
                pod is not None
                and not is_deleting(pod)
                and is_ready(pod)
                and selector_matches(selector, pod["metadata"].get("labels") or {})
            ):
                pods.append(pod)
        proposals: list[int] = []
        metrics: list[Obj] = []
        labels: list[str] = []
        for metric in dig(hpa, "spec", "metrics", default=[]):
            if metric.get("type") != "Resource":
                continue
            resource = dig(metric, "resource", "name")
            goal = dig(metric, "resource", "target", default={})
            used = requested = 0.0
            counted = 0
            for pod in pods:
                usage = self.world.metrics.usage(pod)
                if usage is None:
                    continue
                counted += 1
                for container in dig(pod, "spec", "containers", default=[]):
                    cpu_req, mem_req, _, _ = container_resources(container)
                    cpu, mem = usage.get(container["name"], (0.0, 0.0))
                    used += cpu if resource == "cpu" else mem
                    requested += cpu_req if resource == "cpu" else mem_req
            if not counted:
                continue
            average = used / counted
            shown = format_cpu(average) if resource == "cpu" else format_memory(average)
            if goal.get("type") == "Utilization" and requested:
                utilization = round(100 * used / requested)
                ratio = utilization / float(goal.get("averageUtilization", 80))
                metrics.append(
                    {
                        "type": "Resource",
                        "resource": {
                            "name": resource,
                            "current": {"averageUtilization": utilization, "averageValue": shown},
                        },
                    }
                )
                labels.append(f"{resource} resource utilization (percentage of request)")
            elif goal.get("type") == "AverageValue":
                wanted = float(goal.get("averageValue", 1)) or 1.0
                ratio = average / wanted
                metrics.append(
                    {
                        "type": "Resource",
                        "resource": {"name": resource, "current": {"averageValue": shown}},
                    }
                )
                labels.append(f"{resource} resource")
            else:
                continue
            if abs(ratio - 1.0) <= TOLERANCE:
                proposals.append(current)
            else:
                proposals.append(math.ceil(ratio * counted))
        return proposals, metrics, labels

    def _stabilize(self, key: tuple[str, str], desired: int, current: int) -> int:
        """Scale up at once; scale down only to the highest recommendation of the last 5 min."""
        now = self.clock.sim()
        history = [
            (t, r) for t, r in self._recommendations.get(key, []) if now - t <= STABILIZATION
        ]
        history.append((now, desired))
        self._recommendations[key] = history
        if desired >= current:
            return desired
        return min(current, max(r for _, r in history))

    def _write(self, hpa: Obj, status: Obj) -> None:
        if status != hpa.get("status"):
            self.world.set_status(HPAS, hpa, status)
