"""site-down (runbook 000, scenario A): the site returns 503, app pods crash-loop.

Story: twenty minutes ago MongoDB failed over (mongo-0, the primary, was
rescheduled and came back with a new address; mongo-1 took over). The app's
pods, all from the current ReplicaSet, keep dialling the old primary's address
cached in their connection pool and crash at start with ECONNREFUSED; a
replacement pod of the same ReplicaSet inherits the same cached topology. The
Service has no ready endpoints and app-ingress answers 503.

Fix (runbook): `kubectl rollout restart deployment app -n wilkenweb-prod`.
Not a fix: deleting pods one by one (their replacements crash the same way),
restarting the ingress controller, scaling.
"""

# ruff: noqa: E501 -- log lines are data: they are as long as the programs write them

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim.objects import annotations_of, dig
from tui.sim.resources import DEPLOYMENTS, PODS, REPLICASETS
from tui.sim.scenarios import checks
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.scenarios.platform import WILKENWEB, platform, wilkenweb

if TYPE_CHECKING:
    from tui.sim.behavior import ContainerPlan
    from tui.sim.world import World

Obj = dict[str, Any]
FAILOVER_AGO = 8 * 60.0


def crash_words(ip: str) -> tuple[Any, ...]:
    return (
        ("error", f"MongoDB connection error: Error: connect ECONNREFUSED {ip}:27017"),
        (
            "error",
            f"cached primary {ip}:27017 unreachable; replica set rs0 has no primary in this topology",
        ),
        "/app/node_modules/mongodb/lib/sdam/topology.js:321",
        "                const timeoutError = new error_1.MongoServerSelectionError(`Server selection timed out after ${serverSelectionTimeoutMS} ms`, this.description);",
        "                                     ^",
        "",
        f"MongoServerSelectionError: connect ECONNREFUSED {ip}:27017",
        "    at Topology.selectServer (/app/node_modules/mongodb/lib/sdam/topology.js:321:38)",
        "    at async Topology._connect (/app/node_modules/mongodb/lib/sdam/topology.js:200:28)",
        "    at async Topology.connect (/app/node_modules/mongodb/lib/sdam/topology.js:152:13)",
        "    at async topologyConnect (/app/node_modules/mongodb/lib/mongo_client.js:258:17)",
        "    at async MongoClient._connect (/app/node_modules/mongodb/lib/mongo_client.js:271:13)",
        "    at async connectDatabase (/app/src/db.js:14:3)",
        "    at async main (/app/server.js:31:3) {",
        "  errorLabelSet: Set(0) {},",
        "  reason: TopologyDescription {",
        "    type: 'ReplicaSetNoPrimary',",
        f"    servers: Map(1) {{ '{ip}:27017' => [ServerDescription] }},",
        "    setName: 'rs0',",
        "    maxSetVersion: 3,",
        "    commonWireVersion: 0",
        "  },",
        "  code: undefined,",
        f"  [cause]: MongoNetworkError: connect ECONNREFUSED {ip}:27017",
        "      at connectionFailureError (/app/node_modules/mongodb/lib/cmap/connect.js:353:20)",
        "      at Socket.<anonymous> (/app/node_modules/mongodb/lib/cmap/connect.js:268:44)",
        "}",
        "",
        "Node.js v20.18.0",
    )


class SiteDown(Scenario):
    name = "site-down"
    description = (
        "site returns 503: app pods crash-loop on a stale MongoDB address after a failover;"
        " fix: kubectl rollout restart deployment app -n wilkenweb-prod"
    )

    def __init__(self) -> None:
        self.stale_hashes: set[str] = set()
        self.stale_ip = ""

    def build(self, world: World) -> None:
        platform(world)
        wilkenweb(world)
        world.run_until_wall(world.now_epoch - FAILOVER_AGO)
        mongo0 = world.find(PODS, WILKENWEB, "mongo-0")
        self.stale_ip = dig(mongo0, "status", "podIP", default="10.244.2.5")
        for rs in world.store.list(REPLICASETS, WILKENWEB):
            if rs["metadata"]["name"].startswith("app-"):
                self.stale_hashes.add(rs["metadata"]["labels"]["pod-template-hash"])
        # The failover: mongo-0 goes, mongo-1 is elected; mongo-0 comes back elsewhere.
        world.mongo_primary = "mongo-1"
        world.flags.set("mongo_failover", True, world.clock.sim())
        world.delete_named(PODS, WILKENWEB, "mongo-0")
        world.run_for(2.0)
        for pod in world.pods_of(WILKENWEB, {"app": "app"}):
            world.kubelet.kill(
                WILKENWEB,
                pod["metadata"]["name"],
                "app",
                exit_code=1,
                reason="Error",
                last_words=crash_words(self.stale_ip),
            )
        world.run_for(90.0)
        world.flags.set("mongo_failover", False, world.clock.sim())

    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        plan = super().plan(world, pod, container, plan)
        labels = pod["metadata"].get("labels") or {}
        ours = pod["metadata"].get("namespace") == WILKENWEB and labels.get("app") == "app"
        if ours and labels.get("pod-template-hash") in self.stale_hashes and self.stale_ip:
            return plan.but(
                runs_for=3.5 + plan.ready_after / 4,
                exit_code=1,
                reason="Error",
                ready=False,
                last_words=crash_words(self.stale_ip),
                params={**plan.params, "crash": True},
            )
        return plan

    def check(self, world: World) -> Verdict:
        ready = checks.ready_endpoints(world, WILKENWEB, "app")
        states = checks.pod_states(world, WILKENWEB, {"app": "app"})
        d = world.find(DEPLOYMENTS, WILKENWEB, "app")
        wanted = int(dig(d, "spec", "replicas", default=0)) if d else 0
        if (
            checks.deployment_ready(world, WILKENWEB, "app")
            and ready
            and not self._stale_current(world)
        ):
            return Verdict(
                True,
                f"resolved: wilkenweb-prod/app {wanted}/{wanted} ready on a fresh"
                f" ReplicaSet; service app has {ready} ready endpoints",
            )
        flags = {"site_down"} if not ready else set()
        return Verdict(
            False,
            f"site down: wilkenweb-prod/app pods {checks.states_text(states)}; logs: connect"
            f" ECONNREFUSED {self.stale_ip}:27017 (MongoDB failed over to mongo-1);"
            f" service app has {ready} ready endpoints, app-ingress answers 503",
            frozenset(flags),
        )

    def _stale_current(self, world: World) -> bool:
        """Is the deployment's current ReplicaSet one holding the stale topology?"""
        d = world.find(DEPLOYMENTS, WILKENWEB, "app")
        if d is None:
            return True
        revision = annotations_of(d).get("deployment.kubernetes.io/revision")
        for rs in world.store.list(REPLICASETS, WILKENWEB):
            if annotations_of(rs).get("deployment.kubernetes.io/revision") == revision:
                return rs["metadata"]["labels"].get("pod-template-hash") in self.stale_hashes
        return True
