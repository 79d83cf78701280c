"""Indexes over the store, kept current from its change stream.

Controllers must not scan every object per change (5,000 pods); these answer
"which objects does this owner have", "which pods are on this node", "which
pods are in this namespace" and "does this uid still exist" in O(answer).
"""

from __future__ import annotations

from collections import defaultdict

from tui.sim.resources import PODS, ResourceType
from tui.sim.store import Change

Ref = tuple[ResourceType, str, str]  # (type, namespace, name)


class Index:
    def __init__(self) -> None:
        self.by_uid: dict[str, Ref] = {}
        self.dependents: defaultdict[str, set[Ref]] = defaultdict(set)  # owner uid -> refs
        self._owners: dict[Ref, tuple[str, ...]] = {}
        self._uid: dict[Ref, str] = {}
        self.pods_by_ns: defaultdict[str, set[str]] = defaultdict(set)
        self.pods_by_node: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
        self._pod_node: dict[tuple[str, str], str] = {}

    def update(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        ref: Ref = (change.rtype, metadata.get("namespace", ""), metadata["name"])
        uid = metadata.get("uid", "")
        owners = tuple(o.get("uid", "") for o in metadata.get("ownerReferences") or ())
        if change.event_type == "DELETED":
            self.by_uid.pop(self._uid.pop(ref, uid), None)
            for owner in self._owners.pop(ref, ()):
                self._drop(owner, ref)
            if change.rtype is PODS:
                self.pods_by_ns[ref[1]].discard(ref[2])
                self._place(ref, None)
            return
        previous_uid = self._uid.get(ref)
        if previous_uid != uid:
            if previous_uid:
                self.by_uid.pop(previous_uid, None)
            self._uid[ref] = uid
            self.by_uid[uid] = ref
        before = self._owners.get(ref, ())
        if before != owners:
            for owner in before:
                self._drop(owner, ref)
            for owner in owners:
                self.dependents[owner].add(ref)
            if owners:
                self._owners[ref] = owners
            else:
                self._owners.pop(ref, None)
        if change.rtype is PODS:
            self.pods_by_ns[ref[1]].add(ref[2])
            self._place(ref, (change.obj.get("spec") or {}).get("nodeName") or None)

    def _drop(self, owner: str, ref: Ref) -> None:
        found = self.dependents.get(owner)
        if found is not None:
            found.discard(ref)
            if not found:
                del self.dependents[owner]

    def _place(self, ref: Ref, node: str | None) -> None:
        key = (ref[1], ref[2])
        before = self._pod_node.get(key)
        if before == node:
            return
        if before is not None:
            self.pods_by_node[before].discard(key)
        if node is None:
            self._pod_node.pop(key, None)
        else:
            self._pod_node[key] = node
            self.pods_by_node[node].add(key)

    def owned(self, uid: str, rtype: ResourceType) -> list[tuple[str, str]]:
        """(namespace, name) of the `rtype` objects that `uid` owns."""
        return sorted((ns, name) for t, ns, name in self.dependents.get(uid, ()) if t is rtype)

    def exists(self, uid: str) -> bool:
        return uid in self.by_uid
