"""What a scenario is: a history to replay, container behaviour, load, and a verdict.

`build(world)` creates the cluster and plays its past on the virtual clock
(objects created two days ago, a failover twenty minutes ago, ...). `plan()`
decides how each container instance behaves when it starts, `usage()` shapes
its resource use, and `check()` says whether the incident is resolved, in one
line what is wrong, and which flags (for the logs) hold now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tui.sim.behavior import ContainerPlan

if TYPE_CHECKING:
    from tui.sim.controllers.kubelet import ContainerRun, Instance, PodRun
    from tui.sim.world import World

Obj = dict[str, Any]


@dataclass(frozen=True)
class Verdict:
    resolved: bool
    summary: str
    flags: frozenset[str] = field(default_factory=frozenset)


class Scenario:
    name = "scenario"
    description = ""
    history = 2 * 86400.0  # sim seconds replayed before going live

    def build(self, world: World) -> None:
        raise NotImplementedError

    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        """The plan for a container starting now; subclasses adjust the base one."""
        from tui.sim.scenarios.platform import params

        return params(world, pod, container, plan)

    def usage(
        self,
        world: World,
        run: PodRun,
        c: ContainerRun,
        instance: Instance,
        cpu: float,
        memory: float,
    ) -> tuple[float, float]:
        return cpu, memory

    def check(self, world: World) -> Verdict:
        return Verdict(True, "no incident")
