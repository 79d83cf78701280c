"""World: the drill cluster's machinery behind the API server.

It owns the controllers (deployments, replica sets, stateful sets, daemon
sets, garbage collection, scheduler, kubelets, node lifecycle, services and
endpoints, ingress-nginx, HPA, cert-manager), the clock they run on, and the
scenario playing out. For the API server it is three things:

- the log provider (`world.logs`: read / follow),
- the metrics provider (`world.metrics`: pod_metrics / node_metrics),
- the workload hooks (`world.delete`: graceful pod deletion, propagation).

Life cycle, as cluster.py drives it: `load_scenario(name)` builds the cluster
and replays the scenario's past on a virtual clock; `load_manifests(folder)`
adds the operator's own YAML; `start()` goes live on the running loop;
`close_streams()` ends followed logs; `stop()` stops everything.
"""

from __future__ import annotations

import copy
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.sim import defaults
from tui.sim.admission import Admission
from tui.sim.behavior import ContainerPlan, Registry, default_plan, oom_if_too_small
from tui.sim.clock import SimClock
from tui.sim.controllers.certmanager import CertManager
from tui.sim.controllers.daemonset import DaemonSetController
from tui.sim.controllers.deployment import DeploymentController
from tui.sim.controllers.gc import FOREGROUND, GarbageCollector
from tui.sim.controllers.hpa import HPAController
from tui.sim.controllers.ingress import IngressController
from tui.sim.controllers.kubelet import Kubelet
from tui.sim.controllers.nodes import NodeLifecycle
from tui.sim.controllers.replicaset import ReplicaSetController
from tui.sim.controllers.scheduler import Scheduler
from tui.sim.controllers.services import EndpointsController, ServiceController
from tui.sim.controllers.statefulset import StatefulSetController
from tui.sim.engine import Engine
from tui.sim.events import EventRecorder
from tui.sim.flags import Flags
from tui.sim.index import Index
from tui.sim.logs import LogService
from tui.sim.manifests import ManifestError, read_folder
from tui.sim.metrics import MetricsService
from tui.sim.network import AddressPool
from tui.sim.objects import dig, rfc3339
from tui.sim.resources import (
    CERTIFICATES,
    CHALLENGES,
    CLUSTERISSUERS,
    DAEMONSETS,
    DEPLOYMENTS,
    ENDPOINTS,
    HPAS,
    INGRESSES,
    NAMESPACES,
    NODES,
    PODS,
    REPLICASETS,
    SECRETS,
    SERVICES,
    STATEFULSETS,
    ResourceType,
    for_kind,
)
from tui.sim.scenarios import SCENARIOS, create_scenario
from tui.sim.scenarios.base import Scenario, Verdict
from tui.sim.store import ApiError, ObjectStore

Obj = dict[str, Any]
EVENT_GC = 300.0  # sim seconds between expiring old events

__all__ = ["SCENARIOS", "ManifestError", "World"]


class World:
    def __init__(self, store: ObjectStore, *, seed: int = 0, speed: float = 1.0) -> None:
        self.store = store
        self.seed = seed
        self.speed = speed
        self.clock = SimClock(speed)
        self.engine = Engine(self.clock)
        self.index = Index()
        self.engine.before.append(self.index.update)
        self.events = EventRecorder(store, self.clock)
        self.registry = Registry(seed)
        self.flags = Flags()
        self.ips = AddressPool(self._pod_cidr, seed)
        self._names = random.Random(f"names/{seed}")
        self._node_ports = 30000 + random.Random(f"ports/{seed}").randint(0, 2000)
        self.deleting_namespaces: set[str] = set()
        self.scenario: Scenario | None = None
        self.scenario_name = ""
        self.now_epoch = time.time()  # "now" for the scenario being built
        self.mongo_primary = "mongo-0"
        self._flag_names: set[str] = set()
        self._node_ips: dict[str, str] = {}
        self._started = False

        self.gc = GarbageCollector(self)
        self.deployments = DeploymentController(self)
        self.replicasets = ReplicaSetController(self)
        self.statefulsets = StatefulSetController(self)
        self.daemonsets = DaemonSetController(self)
        self.scheduler = Scheduler(self)
        self.kubelet = Kubelet(self)
        self.nodes = NodeLifecycle(self)
        self.services = ServiceController(self)
        self.endpoints = EndpointsController(self)
        self.ingresses = IngressController(self)
        self.hpas = HPAController(self)
        self.certmanager = CertManager(self)
        engine = self.engine
        engine.add(self.gc, None)
        engine.add(self.deployments, DEPLOYMENTS, REPLICASETS)
        engine.add(self.replicasets, REPLICASETS, PODS)
        engine.add(self.statefulsets, STATEFULSETS, PODS)
        engine.add(self.daemonsets, DAEMONSETS, PODS, NODES)
        engine.add(self.scheduler, PODS, NODES)
        engine.add(self.kubelet, PODS)
        engine.add(self.nodes)
        engine.add(self.services, SERVICES)
        engine.add(self.endpoints, SERVICES, PODS, ENDPOINTS)
        engine.add(self.ingresses, INGRESSES, SERVICES)
        engine.add(self.hpas, HPAS)
        engine.add(self.certmanager, INGRESSES, CERTIFICATES, SECRETS, CHALLENGES, CLUSTERISSUERS)
        engine.after_work.append(self._evaluate)
        store.listeners.append(engine.dispatch)

        self.logs = LogService(self)
        self.metrics = MetricsService(self)

    # -- life cycle --------------------------------------------------------------------

    def load_scenario(self, name: str) -> None:
        """Build scenario `name` and replay its past. Unknown names raise ValueError."""
        if self._started:
            raise RuntimeError("load the scenario before starting the world")
        scenario = create_scenario(name)
        self.scenario, self.scenario_name = scenario, name
        self.now_epoch = time.time()
        self.clock.rewind(self.now_epoch - scenario.history)
        self.engine.call_later(EVENT_GC, self._expire_events)
        # Heartbeats only for the last minutes of the past: all that shows of them.
        self.engine.call_later(max(0.0, scenario.history - 600), self.nodes.start_heartbeats)
        scenario.build(self)
        self.engine.run_until(max(self.clock.sim(), time.time()))
        self._evaluate()

    def load_manifests(self, folder: Path) -> None:
        """Apply every manifest in `folder` through the API server's admission (defaults,
        validation, allocations), as `kubectl apply -f folder` would. A missing namespace
        is created. ManifestError (a ValueError) names the file and the document."""
        admission = Admission(self.store)
        for manifest in read_folder(Path(folder)):
            obj = copy.deepcopy(manifest.obj)
            metadata = obj.setdefault("metadata", {})
            if manifest.rtype.namespaced:
                namespace = metadata.setdefault("namespace", "default")
                if self.store.find(NAMESPACES, None, namespace) is None:
                    self.apply({"apiVersion": "v1", "kind": "Namespace",
                                "metadata": {"name": namespace}})  # fmt: skip
            try:
                self._admit(admission, manifest.rtype, obj)
            except ApiError as error:
                raise ManifestError(
                    f"{manifest.path}: document {manifest.document}: {error.message}"
                ) from None
        if not self.engine.live:
            self.engine.settle()

    def _admit(self, admission: Admission, rtype: ResourceType, obj: Obj) -> Obj:
        metadata = obj["metadata"]
        current = self.store.find(rtype, metadata.get("namespace"), metadata["name"])
        if current is None:
            return self.create(rtype, admission.admit_create(rtype, obj))
        merged = {**current, **{k: v for k, v in obj.items() if k not in ("metadata", "status")}}
        merged["metadata"] = {
            **current["metadata"],
            **{k: v for k, v in metadata.items() if k in ("labels", "annotations")},
        }
        return self.update(rtype, admission.admit_update(rtype, merged, current))

    def start(self) -> None:
        """Go live on the running event loop."""
        if self._started:
            return
        self._started = True
        if self.scenario is None:
            self.engine.call_later(EVENT_GC, self._expire_events)
        self.engine.start()
        self.nodes.start_heartbeats()

    def stop(self) -> None:
        self.engine.stop()
        self.logs.close()

    def close_streams(self) -> None:
        self.logs.close()

    # -- the verdict -------------------------------------------------------------------

    def resolved(self) -> bool:
        return self._verdict().resolved

    def summary(self) -> str:
        return self._verdict().summary

    def _verdict(self) -> Verdict:
        if self.scenario is None:
            return Verdict(True, "no scenario loaded")
        return self.scenario.check(self)

    def _evaluate(self) -> None:
        """Record the scenario's flags as they hold now (the logs read them by time)."""
        if self.scenario is None:
            return
        verdict = self.scenario.check(self)
        now = self.clock.sim()
        self._flag_names |= set(verdict.flags)
        for name in self._flag_names:
            self.flags.set(name, name in verdict.flags, now)

    # -- writing objects ---------------------------------------------------------------

    def create(self, rtype: ResourceType, obj: Obj) -> Obj:
        metadata = obj.setdefault("metadata", {})
        if not metadata.get("creationTimestamp"):  # absent, or null as kubectl writes it
            metadata["creationTimestamp"] = self.clock.stamp()
        return self.store.create(rtype, obj)

    def update(self, rtype: ResourceType, obj: Obj) -> Obj:
        # Controllers build new objects and never change stored ones in place, so the
        # store may keep this one without a deep copy; it only writes to metadata.
        fresh = {**obj, "metadata": dict(obj.get("metadata") or {})}
        return self.store.replace(rtype, fresh, check_version=False, owned=True)

    def set_status(self, rtype: ResourceType, obj: Obj, status: Obj) -> Obj:
        return self.update(rtype, {**obj, "status": status})

    def apply(self, obj: Obj, *, age: float | None = None) -> Obj:
        """Create `obj` (or replace what it names), as `kubectl apply` would. `age`:
        seconds before the scenario's now that it claims to have been created."""
        rtype = for_kind(obj.get("apiVersion", ""), obj.get("kind", ""))
        if rtype is None:
            raise ManifestError(f"unknown kind {obj.get('apiVersion')} {obj.get('kind')}")
        body = defaults.apply_defaults(rtype, obj)
        metadata = body.setdefault("metadata", {})
        if age is not None:
            metadata["creationTimestamp"] = rfc3339(min(self.now_epoch - age, self.clock.wall()))
        current = self.store.find(rtype, metadata.get("namespace"), metadata.get("name", ""))
        if current is None:
            return self.create(rtype, body)
        merged = {**current, **{k: v for k, v in body.items() if k not in ("metadata", "status")}}
        merged["metadata"] = {
            **current["metadata"],
            **{
                k: v
                for k, v in metadata.items()
                if k in ("labels", "annotations", "ownerReferences")
            },
        }
        return self.update(rtype, merged)

    def suffix(self) -> str:
        """A generated name's random part, from the seed."""
        return "".join(self._names.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))

    def node_port(self) -> int:
        self._node_ports += 1
        return self._node_ports

    # -- the API server's hooks ----------------------------------------------------------

    def delete(self, rtype: ResourceType, obj: Obj, options: Obj) -> Obj:
        """DELETE and eviction: graceful for pods, propagation to dependents."""
        metadata = obj["metadata"]
        namespace, name = metadata.get("namespace"), metadata["name"]
        current = self.store.get(rtype, namespace, name)
        policy = options.get("propagationPolicy")
        if policy is None:
            policy = "Orphan" if options.get("orphanDependents") else "Background"
        if policy == "Orphan":
            self._orphan(current)
        if rtype is PODS:
            return self._delete_pod(current, options.get("gracePeriodSeconds"))
        if rtype is NAMESPACES:
            marked = self.store.mark_deleting(NAMESPACES, None, name)
            return self.set_status(NAMESPACES, marked, {"phase": "Terminating"})
        dependents = self.index.dependents.get(metadata.get("uid", ""))
        if policy == "Foreground" and dependents:
            marked = self.store.mark_deleting(rtype, namespace, name)
            finalizers = list(marked["metadata"].get("finalizers") or [])
            if FOREGROUND not in finalizers:
                finalizers.append(FOREGROUND)
            return self.update(
                rtype, {**marked, "metadata": {**marked["metadata"], "finalizers": finalizers}}
            )
        if current["metadata"].get("finalizers"):
            return self.store.mark_deleting(rtype, namespace, name)
        return self.store.remove(rtype, namespace, name)

    def _delete_pod(self, pod: Obj, grace: Any) -> Obj:
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        if grace is None:
            grace = dig(pod, "spec", "terminationGracePeriodSeconds", default=30)
        grace = int(grace)
        node = dig(pod, "spec", "nodeName")
        finished = dig(pod, "status", "phase") in ("Succeeded", "Failed")
        if grace <= 0 or not node or finished:
            return self.store.remove(PODS, namespace, name)
        if pod["metadata"].get("deletionTimestamp"):
            return pod
        return self.store.mark_deleting(PODS, namespace, name, grace_seconds=grace)

    def _orphan(self, owner: Obj) -> None:
        uid = owner["metadata"].get("uid", "")
        for rtype, namespace, name in list(self.index.dependents.get(uid, ())):
            dependent = self.store.find(rtype, namespace, name)
            if dependent is None:
                continue
            refs = [
                r for r in dependent["metadata"].get("ownerReferences") or [] if r.get("uid") != uid
            ]
            metadata = {**dependent["metadata"], "ownerReferences": refs}
            if not refs:
                metadata.pop("ownerReferences")
            self.update(rtype, {**dependent, "metadata": metadata})

    # -- what controllers ask the world -----------------------------------------------------

    def plan_for(self, pod: Obj, container: Obj, restart: int, init: bool) -> ContainerPlan:
        name = pod.get("metadata", {}).get("name", "")
        key = f"{self.seed}/{name}/{container.get('name')}/{restart}"
        plan = default_plan(container, init=init, seed_key=key)
        if self.scenario is not None and not init and pod:
            plan = self.scenario.plan(self, pod, container, plan)
        if plan.runs_for is None:
            plan = oom_if_too_small(plan, container)  # physics applies to every plan
        return plan

    def node_alive(self, name: str) -> bool:
        return name not in self.nodes.dead

    def node_ip(self, name: str) -> str:
        if name not in self._node_ips:
            node = self.store.find(NODES, None, name)
            for address in dig(node, "status", "addresses", default=[]) if node else []:
                if address.get("type") == "InternalIP":
                    self._node_ips[name] = address["address"]
                    break
            else:
                return "10.114.0.250"
        return self._node_ips[name]

    def _pod_cidr(self, name: str) -> str | None:
        node = self.store.find(NODES, None, name)
        return dig(node, "spec", "podCIDR") if node else None

    def endpoint_addresses(self, namespace: str, service: str, port: int) -> list[str]:
        endpoints = self.store.find(ENDPOINTS, namespace, service)
        found = []
        for subset in (endpoints or {}).get("subsets") or []:
            for address in subset.get("addresses") or []:
                found.append(f"{address['ip']}:{port}")
        return found

    # -- scenario scripting (history replay) -----------------------------------------------

    def run_for(self, seconds: float) -> None:
        self.engine.run_until(self.clock.sim() + seconds)

    def run_until_wall(self, epoch: float) -> None:
        self.engine.run_until(max(self.clock.sim(), epoch))

    def patch(
        self, rtype: ResourceType, namespace: str | None, name: str, change: Callable[[Obj], Obj]
    ) -> Obj:
        """Read, change (a function of a deep copy), write: what an operator's edit does."""
        current = self.store.get(rtype, namespace, name)
        return self.update(rtype, change(copy.deepcopy(current)))

    def rollout_restart(self, rtype: ResourceType, namespace: str, name: str) -> Obj:
        def restart(obj: Obj) -> Obj:
            template = obj["spec"]["template"].setdefault("metadata", {})
            annotations = template.setdefault("annotations", {})
            annotations["kubectl.kubernetes.io/restartedAt"] = rfc3339(self.clock.wall())
            return obj

        return self.patch(rtype, namespace, name, restart)

    def set_image(self, namespace: str, name: str, container: str, image: str) -> Obj:
        def change(obj: Obj) -> Obj:
            for spec in obj["spec"]["template"]["spec"]["containers"]:
                if spec["name"] == container:
                    spec["image"] = image
            annotations = obj["metadata"].setdefault("annotations", {})
            annotations["kubernetes.io/change-cause"] = (
                f"kubectl set image deployment/{name} {container}={image} --namespace={namespace}"
            )
            return obj

        return self.patch(DEPLOYMENTS, namespace, name, change)

    def fail_node(self, name: str) -> None:
        self.nodes.fail(name)

    def recover_node(self, name: str) -> None:
        self.nodes.recover(name)

    def delete_named(self, rtype: ResourceType, namespace: str | None, name: str) -> None:
        obj = self.store.find(rtype, namespace, name)
        if obj is not None:
            self.delete(rtype, obj, {})

    # -- housekeeping -------------------------------------------------------------------

    def _expire_events(self) -> None:
        self.events.expire()
        self.engine.call_later(EVENT_GC, self._expire_events)

    def pods_of(self, namespace: str, labels: dict[str, str]) -> list[Obj]:
        """Pods in `namespace` carrying all `labels` (scenario checks; small namespaces)."""
        found = []
        for name in sorted(self.index.pods_by_ns.get(namespace, ())):
            pod = self.store.find(PODS, namespace, name)
            if pod is not None and all(
                (pod["metadata"].get("labels") or {}).get(k) == v for k, v in labels.items()
            ):
                found.append(pod)
        return found

    def find(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj | None:
        return self.store.find(rtype, namespace, name)
