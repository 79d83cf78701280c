"""db-pool (runbooks 001-003, "Database connection exhausted"): PostgreSQL out of connections.

Story: twenty-five minutes ago api was scaled from 3 to 6 replicas for a
campaign. Every pod keeps a full pool (api 15, marketing and console 10
each): 130 connections wanted (85 before), but postgres runs with
max_connections=100 (97 for applications). Apps log "remaining connection slots are reserved"
and "too many connections", requests get slower the longer it lasts; the
postgres log fills with "FATAL: sorry, too many clients already".

Fix (runbook 003): raise max_connections in the postgres-config ConfigMap
(e.g. 300) and restart the database so it reads it:
`kubectl patch configmap postgres-config -n akaind-platform -p '{"data":{"max_connections":"300"}}'`
`kubectl rollout restart statefulset/postgres -n akaind-platform`
Not a fix: restarting postgres without the new setting, changing the setting
without a restart, restarting the apps.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tui.sim.objects import dig
from tui.sim.resources import CONFIGMAPS, DEPLOYMENTS
from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import AKAIND, akaind, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.behavior import ContainerPlan
    from tui.sim.controllers.kubelet import ContainerRun, Instance, PodRun
    from tui.sim.world import World

Obj = dict[str, Any]
RESERVED = 3
SCALED_AGO = 25 * 60.0


def configured_max_connections(world: World) -> int:
    """What postgres would read from its ConfigMap if it started now."""
    cm = world.find(CONFIGMAPS, AKAIND, "postgres-config")
    data = (cm or {}).get("data") or {}
    value = data.get("max_connections")
    if value is None:
        match = re.search(r"^\s*max_connections\s*=\s*(\d+)", data.get("postgresql.conf", ""), re.M)
        value = match.group(1) if match else "100"
    try:
        return int(str(value).strip())
    except ValueError:
        return 100


class DbPool(Scenario):
    name = "db-pool"
    description = (
        "PostgreSQL out of connections (max_connections=100) after api scaled out; fix: raise"
        " max_connections in postgres-config and kubectl rollout restart statefulset/postgres"
    )

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)
        akaind(world)
        world.run_until_wall(world.now_epoch - SCALED_AGO)
        world.patch(DEPLOYMENTS, AKAIND, "api", _replicas(6))

    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        plan = super().plan(world, pod, container, plan)
        if pod["metadata"].get("namespace") == AKAIND and container.get("name") == "postgres":
            # Postgres reads its settings once, at start.
            plan = plan.but(
                params={**plan.params, "max_connections": configured_max_connections(world)}
            )
        return plan

    def demand(self, world: World) -> int:
        wanted = 0
        for pod in world.pods_of(AKAIND, {}):
            if dig(pod, "status", "phase") != "Running" or pod["metadata"].get("deletionTimestamp"):
                continue
            for container in dig(pod, "spec", "containers", default=[]):
                for env in container.get("env") or []:
                    if env.get("name") == "DATABASE_POOL_SIZE":
                        wanted += int(env.get("value", "0"))
        return wanted

    def running_max_connections(self, world: World) -> int | None:
        run = world.kubelet.runs.get((AKAIND, "postgres-0"))
        c = run.find("postgres") if run else None
        if c is None or c.state != "running" or c.current is None:
            return None
        return int(c.current.plan.params.get("max_connections", 100))

    def usage(
        self,
        world: World,
        run: PodRun,
        c: ContainerRun,
        instance: Instance,
        cpu: float,
        memory: float,
    ) -> tuple[float, float]:
        if run.namespace == AKAIND and c.name == "postgres":
            limit = self.running_max_connections(world) or 100
            busy = min(self.demand(world), limit)
            return cpu + 6.0 * busy, memory + busy * 9 * 2**20  # a backend per connection
        return cpu, memory

    def check(self, world: World) -> Verdict:
        running = self.running_max_connections(world)
        demand = self.demand(world)
        ready = checks.statefulset_ready(world, AKAIND, "postgres")
        if running is None or not ready:
            return Verdict(
                False, "postgres is not ready: apps get connection refused", frozenset({"db_down"})
            )
        available = running - RESERVED
        if available >= demand:
            return Verdict(
                True,
                f"resolved: postgres max_connections={running} covers the apps'"
                f" {demand} pooled connections",
            )
        configured = configured_max_connections(world)
        pending = (
            f"; postgres-config says {configured} but postgres still runs with {running}"
            if configured != running
            else ""
        )
        return Verdict(
            False,
            f"PostgreSQL out of connections: apps want {demand}, max_connections={running}"
            f" ({available} for apps){pending}; apps log 'remaining connection slots are"
            " reserved', latency rising",
            frozenset({"db_pool_exhausted"}),
        )


def _replicas(count: int) -> Any:
    def change(obj: Obj) -> Obj:
        obj["spec"]["replicas"] = count
        return obj

    return change
