"""oom (runbook 004, "OOMKilled"): the backend outgrew its memory limit.

Story: the night's catalogue import doubled DhakaCart's product catalogue,
which dhakacart-backend caches in memory: its working set is now ~700Mi
against a 512Mi limit. Every container grows until the kernel kills it
(OOMKilled, exit code 137), restarts, grows again: CrashLoopBackOff with
restarts climbing; `kubectl top pods` shows memory near the limit.

Fix (runbook): raise the limit, e.g.
`kubectl set resources deployment dhakacart-backend --limits=memory=1Gi`.
Not a fix: `kubectl rollout restart` or deleting pods (same limit, same end).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim.behavior import MI, oom_if_too_small
from tui.sim.objects import dig, memory_bytes
from tui.sim.resources import DEPLOYMENTS
from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import dhakacart, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.behavior import ContainerPlan
    from tui.sim.world import World

Obj = dict[str, Any]
WORKING_SET_MI = 700.0
GREW_AGO = 6 * 60.0


class Oom(Scenario):
    name = "oom"
    description = (
        "dhakacart-backend OOMKilled (exit 137) in a loop after its cache outgrew 512Mi;"
        " fix: kubectl set resources deployment dhakacart-backend --limits=memory=1Gi"
    )

    def __init__(self) -> None:
        self.grown_at: float | None = None

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)
        dhakacart(world)
        world.run_until_wall(world.now_epoch - GREW_AGO)
        self.grown_at = world.clock.sim()
        # The running containers grow past their limit over the next minute.
        for i, pod in enumerate(world.pods_of("default", {"app": "dhakacart-backend"})):
            world.engine.call_later(20.0 + 9 * i, self._killed, world, pod["metadata"]["name"])

    def _killed(self, world: World, name: str) -> None:
        world.kubelet.kill(
            "default",
            name,
            "backend",
            exit_code=137,
            reason="OOMKilled",
            last_words=self._words(511),
        )

    def _words(self, rss: int) -> tuple[Any, ...]:
        return (
            ("warn", f"memory usage rss={rss}Mi heapUsed={int(rss * 0.82)}Mi (limit 512Mi)"),
            ("info", "catalogue cache refresh: 1,184,220 products loaded"),
        )

    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        plan = super().plan(world, pod, container, plan)
        if dig(pod, "metadata", "labels", "app") != "dhakacart-backend" or self.grown_at is None:
            return plan
        limit = memory_bytes(dig(container, "resources", "limits", "memory", default=0))
        limit_mi = int(limit / MI) if limit else 0
        plan = plan.but(
            memory_mi=WORKING_SET_MI,
            warmup=80.0,
            params={
                **plan.params,
                "memory_leak": {
                    "base_mi": WORKING_SET_MI * 0.4,
                    "per_second_mi": WORKING_SET_MI * 0.6 / 80,
                    "limit_mi": limit_mi or 0,
                },
            },
        )
        plan = oom_if_too_small(plan, container)
        if plan.reason == "OOMKilled":
            plan = plan.but(last_words=self._words(max(limit_mi - 1, 1)))
        return plan

    def check(self, world: World) -> Verdict:
        d = world.find(DEPLOYMENTS, "default", "dhakacart-backend")
        containers = dig(d, "spec", "template", "spec", "containers", default=[]) if d else []
        limit = (
            min(
                (memory_bytes(dig(c, "resources", "limits", "memory", default=0)) or 2**62)
                for c in containers
            )
            if containers
            else 0
        )
        enough = limit > WORKING_SET_MI * MI
        if enough and checks.deployment_ready(world, "default", "dhakacart-backend"):
            return Verdict(
                True, f"resolved: dhakacart-backend runs within a {limit // MI}Mi memory limit"
            )
        pods = checks.live_pods(world, "default", {"app": "dhakacart-backend"})
        restarts = sum(
            int(s.get("restartCount", 0))
            for p in pods
            for s in dig(p, "status", "containerStatuses", default=[])
        )
        states = checks.pod_states(world, "default", {"app": "dhakacart-backend"})
        return Verdict(
            False,
            f"default/dhakacart-backend OOMKilled (exit 137): pods {checks.states_text(states)},"
            f" {restarts} restarts; working set ~{int(WORKING_SET_MI)}Mi, limit {limit // MI}Mi",
        )
