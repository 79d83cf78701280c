"""node-not-ready (runbook 004, "If nodes are down"): a node died; its pods cannot come back.

Story: one node's kubelet stopped posting status five minutes ago. The node
went NotReady with the unreachable taints; after the 300 s toleration its
pods were evicted (they show Unknown: the dead kubelet cannot confirm) and
their controllers made replacements, which stay Pending: the two remaining
nodes are full, mostly with report-batch, a low-priority batch job with big
CPU requests. FailedScheduling says "Insufficient cpu".

Fix: free capacity for what matters, e.g.
`kubectl scale deployment report-batch --replicas=0`.
Not a fix: deleting the Pending pods (they come back Pending), restarting
the deployments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.sim.objects import dig, replicas_of
from tui.sim.resources import DEPLOYMENTS, PODS
from tui.sim.scenarios import build as b
from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import DAY, NODES, dhakacart, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.world import World

FAILED_AGO = 5.5 * 60.0
BACKEND_CPU = "600m"


class NodeNotReady(Scenario):
    name = "node-not-ready"
    description = (
        "a node is NotReady; its evicted pods' replacements are Pending (Insufficient cpu);"
        " fix: free capacity, e.g. kubectl scale deployment report-batch --replicas=0"
    )

    def __init__(self) -> None:
        self.node = ""

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)
        dhakacart(world, backend_cpu=BACKEND_CPU)
        world.run_for(60.0)
        # The batch job takes what the emptiest node has left, so that once a node
        # is gone, the other two have no room for anything sizeable.
        free = self._free(world)
        request = min(free.values()) - 100
        batch = b.container(
            "worker",
            "dhakacart/report-batch:v2.3.1",
            cpu=f"{request}m",
            memory="1Gi",
            memory_limit="2Gi",
        )
        world.apply(
            b.deployment(
                "default",
                "report-batch",
                [batch],
                replicas=2,
                labels={"app": "report-batch", "priority": "low"},
            ),
            age=12 * DAY,
        )
        world.run_until_wall(world.now_epoch - FAILED_AGO)
        batch_nodes = {
            dig(p, "spec", "nodeName") for p in world.pods_of("default", {"app": "report-batch"})
        }
        backend_nodes = {
            dig(p, "spec", "nodeName")
            for p in world.pods_of("default", {"app": "dhakacart-backend"})
        }
        candidates = [n for n in NODES if n not in batch_nodes and n in backend_nodes]
        self.node = candidates[0] if candidates else NODES[-1]
        world.fail_node(self.node)

    def _free(self, world: World) -> dict[str, int]:
        from tui.sim.controllers.scheduler import node_allocatable
        from tui.sim.resources import NODES as NODE_TYPE

        free = {}
        for node in world.store.list(NODE_TYPE):
            cpu, _, _ = node_allocatable(node)
            used = world.scheduler.allocated.get(node["metadata"]["name"], [0, 0, 0])[0]
            free[node["metadata"]["name"]] = cpu - used
        return free

    def check(self, world: World) -> Verdict:
        short = []
        for d in world.store.list(DEPLOYMENTS):
            name = f"{d['metadata']['namespace']}/{d['metadata']['name']}"
            if name == "default/report-batch":
                continue
            if not checks.deployment_ready(
                world, d["metadata"]["namespace"], d["metadata"]["name"]
            ):
                wanted = replicas_of(d)
                short.append(f"{name} {dig(d, 'status', 'availableReplicas', default=0)}/{wanted}")
        pending = [p["metadata"]["name"] for p in checks.pending_pods(world)]
        if not short:
            return Verdict(
                True, f"resolved: every deployment available with {self.node} still down"
            )
        lost = [
            p["metadata"]["name"]
            for p in (
                world.find(PODS, ns, n) for ns, n in world.index.pods_by_node.get(self.node, ())
            )
            if p is not None and p["metadata"].get("deletionTimestamp")
        ]
        shown = ", ".join(pending[:4]) + ("..." if len(pending) > 4 else "")
        return Verdict(
            False,
            f"node {self.node} NotReady; {len(pending)} pods Pending (Insufficient cpu): {shown};"
            f" short: {', '.join(short)}; {len(lost)} pods stuck Unknown on {self.node}",
        )
