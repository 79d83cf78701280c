"""Resource usage for `kubectl top` and the HPA: metrics.k8s.io PodMetrics/NodeMetrics.

A container's usage is a function of its running instance and time: CPU
around its plan's figure with a slow, seeded wobble; memory growing from 40%
to its working set over the warm-up (which is how an undersized memory limit
ends in OOMKilled). Scenarios may reshape it (a load shared between replicas,
a hot database). Only running containers on live nodes are reported, as
metrics-server does.
"""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING, Any

from tui.sim.behavior import memory_at
from tui.sim.objects import rfc3339
from tui.sim.resources import NODES, PODS

if TYPE_CHECKING:
    from tui.sim.controllers.kubelet import ContainerRun, Instance, PodRun
    from tui.sim.world import World

Obj = dict[str, Any]
WINDOW = 15.0
NODE_OVERHEAD = (180.0, 1.15 * 2**30)  # kubelet, containerd, the OS: cpu m, bytes


def wobble(key: str, t: float, spread: float = 0.15) -> float:
    """A smooth factor around 1.0 that changes over minutes, not seconds."""
    minute = t / 60.0
    low = math.floor(minute)

    def at(i: int) -> float:
        digest = hashlib.blake2b(f"{key}/{i}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64

    frac = minute - low
    value = at(low) * (1 - frac) + at(low + 1) * frac
    return 1.0 + spread * (2 * value - 1)


class MetricsService:
    def __init__(self, world: World) -> None:
        self.world = world

    def container_usage(
        self, run: PodRun, c: ContainerRun, instance: Instance
    ) -> tuple[float, float]:
        """(cpu millicores, memory bytes) of a running instance now."""
        t = self.world.clock.sim()
        key = f"{self.world.seed}/{run.namespace}/{run.name}/{c.name}"
        cpu = instance.plan.cpu_m * wobble(key + "/cpu", t)
        memory = memory_at(instance.plan, t - instance.start) * wobble(key + "/mem", t, 0.03)
        scenario = self.world.scenario
        if scenario is not None:
            cpu, memory = scenario.usage(self.world, run, c, instance, cpu, memory)
        return max(cpu, 0.1), max(memory, 1.0)

    def usage(self, pod: Obj) -> dict[str, tuple[float, float]] | None:
        run = self.world.kubelet.runs.get((pod["metadata"]["namespace"], pod["metadata"]["name"]))
        if run is None or run.frozen or run.uid != pod["metadata"]["uid"]:
            return None
        found = {}
        for c in run.containers:
            if c.state == "running" and c.current is not None:
                found[c.name] = self.container_usage(run, c, c.current)
        return found or None

    # -- the MetricsProvider protocol --------------------------------------------------

    def pod_metrics(self, namespace: str | None) -> list[Obj]:
        store, index = self.world.store, self.world.index
        if namespace is None:
            keys = sorted(self.world.kubelet.runs)
        else:
            keys = sorted((namespace, name) for name in index.pods_by_ns.get(namespace, ()))
        now = self.world.clock.wall()
        items = []
        for key in keys:
            pod = store.find(PODS, *key)
            if pod is None:
                continue
            usage = self.usage(pod)
            if not usage:
                continue
            items.append(
                {
                    "kind": "PodMetrics",
                    "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {
                        "name": key[1],
                        "namespace": key[0],
                        "creationTimestamp": rfc3339(now),
                        "labels": dict(pod["metadata"].get("labels") or {}),
                    },
                    "timestamp": rfc3339(now - 7),
                    "window": f"{int(WINDOW)}s",
                    "containers": [
                        {
                            "name": name,
                            "usage": {
                                "cpu": f"{int(cpu * 1e6)}n",
                                "memory": f"{int(memory // 1024)}Ki",
                            },
                        }
                        for name, (cpu, memory) in usage.items()
                    ],
                }
            )
        return items

    def node_metrics(self) -> list[Obj]:
        now = self.world.clock.wall()
        t = self.world.clock.sim()
        totals: dict[str, list[float]] = {}
        for run in self.world.kubelet.runs.values():
            if run.frozen:
                continue
            for c in run.containers:
                if c.state == "running" and c.current is not None:
                    cpu, memory = self.container_usage(run, c, c.current)
                    slot = totals.setdefault(run.node, [0.0, 0.0])
                    slot[0] += cpu
                    slot[1] += memory
        items = []
        for node in self.world.store.list(NODES):
            name = node["metadata"]["name"]
            if not self.world.node_alive(name):
                continue
            cpu, memory = totals.get(name, [0.0, 0.0])
            key = f"{self.world.seed}/node/{name}"
            cpu += NODE_OVERHEAD[0] * wobble(key + "/cpu", t, 0.3)
            memory += NODE_OVERHEAD[1] * wobble(key + "/mem", t, 0.05)
            items.append(
                {
                    "kind": "NodeMetrics",
                    "apiVersion": "metrics.k8s.io/v1beta1",
                    "metadata": {
                        "name": name,
                        "creationTimestamp": rfc3339(now),
                        "labels": dict(node["metadata"].get("labels") or {}),
                    },
                    "timestamp": rfc3339(now - 9),
                    "window": "20.029s",
                    "usage": {"cpu": f"{int(cpu * 1e6)}n", "memory": f"{int(memory // 1024)}Ki"},
                }
            )
        return items
