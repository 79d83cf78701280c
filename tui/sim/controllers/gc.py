"""Garbage collection through ownerReferences, and namespace deletion.

- An object whose owners are all gone is deleted (background propagation:
  deleting a Deployment removes its ReplicaSets, whose removal removes their
  pods, each pod terminating gracefully).
- An owner deleted in the foreground keeps a deletionTimestamp and the
  `foregroundDeletion` finalizer until its dependents are gone.
- A namespace being deleted empties itself, then goes.
- Pods bound to a node that no longer exists are removed (the pod GC).
"""

from __future__ import annotations

from tui.sim.controllers.base import Obj, WorldController
from tui.sim.resources import NAMESPACES, NODES, PODS, RESOURCES, ResourceType
from tui.sim.store import Change, NotFound

FOREGROUND = "foregroundDeletion"


class GarbageCollector(WorldController):
    name = "garbage-collector"
    component = "garbage-collector"

    def observe(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        uid = metadata.get("uid", "")
        if change.event_type == "DELETED":
            self.enqueue(("dependents", uid))
            for ref in metadata.get("ownerReferences") or ():
                self.enqueue(("owner", ref.get("uid", "")))
            namespace = metadata.get("namespace")
            if namespace and namespace in self.world.deleting_namespaces:
                self.enqueue(("namespace", namespace))
            if change.rtype is NODES:
                self.enqueue(("node", metadata["name"]))
            return
        refs = metadata.get("ownerReferences") or ()
        if refs and not any(self.index.exists(r.get("uid", "")) for r in refs):
            self.enqueue(("orphan", uid))
        if metadata.get("deletionTimestamp") and FOREGROUND in (metadata.get("finalizers") or ()):
            self.enqueue(("owner", uid))
        if change.rtype is NAMESPACES and metadata.get("deletionTimestamp"):
            self.world.deleting_namespaces.add(metadata["name"])
            self.enqueue(("namespace", metadata["name"]))

    def sync(self, key: tuple[str, str]) -> None:
        what, value = key
        if what == "dependents":
            for rtype, namespace, name in list(self.index.dependents.get(value, ())):
                obj = self.store.find(rtype, namespace, name)
                if obj is not None:
                    self._collect(rtype, obj)
        elif what == "orphan":
            ref = self.index.by_uid.get(value)
            if ref is not None:
                obj = self.store.find(*ref)
                if obj is not None:
                    self._collect(ref[0], obj)
        elif what == "owner":
            self._finish_foreground(value)
        elif what == "namespace":
            self._empty_namespace(value)
        elif what == "node":
            for namespace, name in list(self.index.pods_by_node.get(value, ())):
                if self.store.find(NODES, None, value) is None:
                    try:
                        self.store.remove(PODS, namespace, name)
                    except NotFound:
                        pass

    def _collect(self, rtype: ResourceType, obj: Obj) -> None:
        refs = obj["metadata"].get("ownerReferences") or ()
        if any(self.index.exists(r.get("uid", "")) and not self._foreground(r) for r in refs):
            return  # some owner is still there
        if obj["metadata"].get("deletionTimestamp"):
            return
        self.world.delete(rtype, obj, {"propagationPolicy": "Background"})

    def _foreground(self, ref: Obj) -> bool:
        """An owner being deleted in the foreground no longer protects its dependents."""
        found = self.index.by_uid.get(ref.get("uid", ""))
        if found is None:
            return False
        owner = self.store.find(*found)
        return bool(
            owner
            and owner["metadata"].get("deletionTimestamp")
            and FOREGROUND in (owner["metadata"].get("finalizers") or ())
        )

    def _finish_foreground(self, uid: str) -> None:
        ref = self.index.by_uid.get(uid)
        if ref is None:
            return
        owner = self.store.find(*ref)
        if owner is None or not owner["metadata"].get("deletionTimestamp"):
            return
        finalizers = owner["metadata"].get("finalizers") or []
        if FOREGROUND not in finalizers:
            return
        dependents = [d for d in self.index.dependents.get(uid, ()) if self.store.find(*d)]
        for rtype, namespace, name in dependents:
            obj = self.store.find(rtype, namespace, name)
            if obj is not None and not obj["metadata"].get("deletionTimestamp"):
                self.world.delete(rtype, obj, {"propagationPolicy": "Background"})
        if dependents:
            return
        rest = [f for f in finalizers if f != FOREGROUND]
        if rest:
            self.world.update(
                ref[0], {**owner, "metadata": {**owner["metadata"], "finalizers": rest}}
            )
        else:
            self.store.remove(*ref)

    def _empty_namespace(self, namespace: str) -> None:
        ns = self.store.find(NAMESPACES, None, namespace)
        if ns is None:
            self.world.deleting_namespaces.discard(namespace)
            return
        remaining = 0
        for rtype in RESOURCES:
            if not rtype.namespaced or rtype.virtual or rtype.group == "metrics.k8s.io":
                continue
            for obj in self.store.list(rtype, namespace):
                remaining += 1
                if not obj["metadata"].get("deletionTimestamp"):
                    self.world.delete(rtype, obj, {"propagationPolicy": "Background"})
        if remaining == 0:
            self.store.remove(NAMESPACES, None, namespace)
            self.world.deleting_namespaces.discard(namespace)
