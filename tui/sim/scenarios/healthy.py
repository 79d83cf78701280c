"""healthy: nothing is wrong. The baseline every other scenario breaks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.world import World


class Healthy(Scenario):
    name = "healthy"
    description = "a healthy cluster: every workload ready, certificates valid"

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)

    def check(self, world: World) -> Verdict:
        short = checks.unready_workloads(world)
        if short:
            return Verdict(False, "not ready: " + "; ".join(short))
        return Verdict(True, "all workloads ready")
