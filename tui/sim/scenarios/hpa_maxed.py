"""hpa-maxed (runbook 004, "High CPU" and "Auto-scaling"): the autoscaler is at its ceiling.

Story: a flash sale tripled traffic twenty minutes ago. backend-hpa scaled
dhakacart-backend to its maxReplicas of 4 and can go no further: CPU sits
around 140% of requests against a 70% target, the HPA says ScalingLimited
(TooManyReplicas), responses slow down.

Fix: let it scale: `kubectl patch hpa backend-hpa -p '{"spec":{"maxReplicas":10}}'`.
Not a fix: `kubectl scale deployment dhakacart-backend --replicas=8` (the HPA
owns the replica count and puts it back to 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.controllers.replicaset import is_ready
from tui.sim.metrics import wobble
from tui.sim.objects import condition, dig
from tui.sim.resources import HPAS
from tui.sim.scenarios import build as b
from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import DAY, dhakacart, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.controllers.kubelet import ContainerRun, Instance, PodRun
    from tui.sim.world import World

SALE_AGO = 20 * 60.0
NORMAL_M = 300.0  # millicores the backend needs in total on a normal day
SALE_M = 1400.0


class HpaMaxed(Scenario):
    name = "hpa-maxed"
    description = (
        "backend-hpa at maxReplicas=4 with CPU ~140% of target during a sale (ScalingLimited);"
        " fix: raise maxReplicas, e.g."
        ' kubectl patch hpa backend-hpa -p \'{"spec":{"maxReplicas":10}}\''
    )

    def __init__(self) -> None:
        self.sale_from: float | None = None

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)
        dhakacart(world, backend_replicas=2)
        world.run_until_wall(world.now_epoch - SALE_AGO - 600)
        world.apply(
            b.hpa("default", "backend-hpa", "dhakacart-backend", low=2, high=4, cpu=70),
            age=45 * DAY,
        )
        world.run_until_wall(world.now_epoch - SALE_AGO)
        self.sale_from = world.clock.sim()

    def demand(self, world: World) -> float:
        t = world.clock.sim()
        if self.sale_from is None or t < self.sale_from:
            return NORMAL_M
        return SALE_M * wobble(f"{world.seed}/sale", t, 0.08)

    def usage(
        self,
        world: World,
        run: PodRun,
        c: ContainerRun,
        instance: Instance,
        cpu: float,
        memory: float,
    ) -> tuple[float, float]:
        if run.namespace == "default" and run.name.startswith("dhakacart-backend-"):
            serving = [
                p
                for p in world.pods_of("default", {"app": "dhakacart-backend"})
                if is_ready(p) and not p["metadata"].get("deletionTimestamp")
            ]
            share = self.demand(world) / max(len(serving), 1)
            return min(share * wobble(f"{run.name}/cpu", world.clock.sim(), 0.05), 1000.0), memory
        return cpu, memory

    def check(self, world: World) -> Verdict:
        hpa = world.find(HPAS, "default", "backend-hpa")
        if hpa is None:
            return Verdict(False, "backend-hpa is gone: nothing scales dhakacart-backend")
        limited = condition(hpa, "ScalingLimited")
        utilization = next(
            (
                dig(m, "resource", "current", "averageUtilization")
                for m in dig(hpa, "status", "currentMetrics", default=[])
                if dig(m, "resource", "name") == "cpu"
            ),
            None,
        )
        high = dig(hpa, "spec", "maxReplicas", default=0)
        current = dig(hpa, "status", "currentReplicas", default=0)
        at_limit = limited is not None and limited.get("status") == "True"
        if (
            not at_limit
            and utilization is not None
            and utilization <= 100
            and checks.deployment_ready(world, "default", "dhakacart-backend")
        ):
            return Verdict(
                True,
                f"resolved: backend-hpa runs {current} replicas (max {high}) at"
                f" {utilization}% CPU against a 70% target",
            )
        shown = "unknown" if utilization is None else f"{utilization}%"
        reason = limited.get("reason") if limited else "no status yet"
        return Verdict(
            False,
            f"backend-hpa at {current}/{high} replicas, CPU {shown} of requests (target 70%);"
            f" ScalingLimited: {reason}",
        )
