"""What every drill controller shares: the world, its store, clock and recorder."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim import defaults
from tui.sim.engine import Controller
from tui.sim.objects import controller_of, owner_reference
from tui.sim.resources import PODS, ResourceType
from tui.sim.store import Change

if TYPE_CHECKING:
    from tui.sim.world import World

Obj = dict[str, Any]
Key = tuple[str, str]


class WorldController(Controller):
    """A controller whose primary objects are of `primary` type, keyed (namespace, name)."""

    primary: ResourceType | None = None
    component = "controller-manager"

    def __init__(self, world: World) -> None:
        super().__init__(world.engine)
        self.world = world
        self.store = world.store
        self.clock = world.clock
        self.index = world.index

    def observe(self, change: Change) -> None:
        if change.rtype is self.primary:
            metadata = change.obj["metadata"]
            self.enqueue((metadata.get("namespace", ""), metadata["name"]))

    def enqueue_controller(self, obj: Obj, kind: str) -> None:
        """Sync the object's controlling owner when it is of `kind` (a ReplicaSet whose
        pod changed, say): owners are found through the ownerReference, not a scan."""
        ref = controller_of(obj)
        if ref and ref.get("kind") == kind:
            self.enqueue((obj["metadata"].get("namespace", ""), ref["name"]))

    def event(
        self, obj: Obj, rtype: ResourceType, kind: str, reason: str, message: str, **kw: Any
    ) -> None:
        kw.setdefault("component", self.component)
        self.world.events.record(obj, rtype, kind, reason, message, **kw)

    def owned_pods(self, owner: Obj) -> list[Obj]:
        found = []
        for namespace, name in self.index.owned(owner["metadata"]["uid"], PODS):
            pod = self.store.find(PODS, namespace, name)
            if pod is not None:
                found.append(pod)
        return found


def new_pod(
    world: World,
    template: Obj,
    owner: Obj,
    owner_type: ResourceType,
    name: str,
    *,
    labels: dict[str, str] | None = None,
    spec_extra: Obj | None = None,
    generate_name: str | None = None,
) -> Obj:
    """A pod as a workload controller creates it from its template."""
    metadata = template.get("metadata") or {}
    pod: Obj = {
        "metadata": {
            "name": name,
            "namespace": owner["metadata"].get("namespace", "default"),
            "labels": {**(metadata.get("labels") or {}), **(labels or {})},
            "ownerReferences": [owner_reference(owner, owner_type)],
        },
        "spec": {**(template.get("spec") or {}), **(spec_extra or {})},
        "status": {"phase": "Pending", "qosClass": qos_class(template.get("spec") or {})},
    }
    if metadata.get("annotations"):
        pod["metadata"]["annotations"] = dict(metadata["annotations"])
    if generate_name:
        pod["metadata"]["generateName"] = generate_name
    return world.create(PODS, defaults.pod(pod))


def qos_class(spec: Obj) -> str:
    containers = spec.get("containers") or []
    guaranteed = bool(containers)
    any_set = False
    for container in containers:
        resources = container.get("resources") or {}
        limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
        if limits or requests:
            any_set = True
        for resource in ("cpu", "memory"):
            if resource not in limits or requests.get(resource, limits[resource]) != limits.get(
                resource
            ):
                guaranteed = False
    if guaranteed:
        return "Guaranteed"
    return "Burstable" if any_set else "BestEffort"
