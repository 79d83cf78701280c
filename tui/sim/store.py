"""The drill cluster's object store: what etcd and the API server's cache do.

Every change gets the next resourceVersion (one counter for the whole store,
as etcd's revision) and is kept in a bounded history so watches can resume
from a version; a version older than the history is "too old" (410 Gone), as
on a real cluster. Everything here runs on the cluster's event loop; nothing
is thread-safe on purpose.
"""

from __future__ import annotations

import asyncio
import copy
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.sim.resources import ResourceType
from tui.sim.selectors import Predicate

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)


class ApiError(Exception):
    """An error the API answers with a Status object."""

    code = 500
    reason = "InternalError"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(ApiError):
    code, reason = 404, "NotFound"


class AlreadyExists(ApiError):
    code, reason = 409, "AlreadyExists"


class Conflict(ApiError):
    code, reason = 409, "Conflict"


class Gone(ApiError):
    code, reason = 410, "Expired"


class Invalid(ApiError):
    code, reason = 422, "Invalid"


class BadRequest(ApiError):
    code, reason = 400, "BadRequest"


class Forbidden(ApiError):
    code, reason = 403, "Forbidden"


class Unauthorized(ApiError):
    code, reason = 401, "Unauthorized"


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(obj: Obj) -> dict[str, Any]:
    return obj.setdefault("metadata", {})


def key_of(rtype: ResourceType, obj: Obj) -> Key:
    metadata = obj.get("metadata") or {}
    return (metadata.get("namespace", "") if rtype.namespaced else "", metadata.get("name", ""))


@dataclass(eq=False)
class Watcher:
    """One open watch: receives (type, object) pairs through its queue."""

    rtype: ResourceType
    namespace: str | None
    predicate: Predicate
    queue: asyncio.Queue[tuple[str, Obj] | None] = field(default_factory=asyncio.Queue)
    # A client that does not read is cut off, as the API server does.
    limit: int = 20_000
    closed: bool = False

    def offer(self, event_type: str, obj: Obj) -> None:
        if self.closed:
            return
        if self.queue.qsize() >= self.limit:
            self.close()
            return
        self.queue.put_nowait((event_type, obj))

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


@dataclass(frozen=True, slots=True)
class Change:
    rv: int
    rtype: ResourceType
    event_type: str  # ADDED, MODIFIED, DELETED
    obj: Obj


class ObjectStore:
    def __init__(self, *, history: int = 10_000) -> None:
        self._objects: dict[ResourceType, dict[Key, Obj]] = {}
        self._history: deque[Change] = deque(maxlen=history)
        self._oldest_rv = 1  # watches from versions below this are too old
        self._rv = 1
        self._watchers: set[Watcher] = set()
        # Called after every change (controllers react to what they watch).
        self.listeners: list[Callable[[Change], None]] = []

    # -- versions ----------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        return self._rv

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def expire_history(self) -> None:
        """Forget all history: any watch resuming from an older version gets 410."""
        self._history.clear()
        self._oldest_rv = self._rv + 1

    # -- reading -------------------------------------------------------------------

    def get(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj:
        scope = (namespace or "") if rtype.namespaced else ""
        found = self._objects.get(rtype, {}).get((scope, name))
        if found is None:
            raise NotFound(
                f'{rtype.key} "{name}" not found',
                details={"name": name, "group": rtype.group, "kind": rtype.plural},
            )
        return found

    def find(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj | None:
        try:
            return self.get(rtype, namespace, name)
        except NotFound:
            return None

    def items(self, rtype: ResourceType, namespace: str | None = None) -> Iterator[Obj]:
        for (ns, _), obj in self._objects.get(rtype, {}).items():
            if namespace is None or not rtype.namespaced or ns == namespace:
                yield obj

    def list(
        self, rtype: ResourceType, namespace: str | None = None, predicate: Predicate | None = None
    ) -> list[Obj]:
        found = [o for o in self.items(rtype, namespace) if predicate is None or predicate(o)]
        found.sort(key=lambda o: key_of(rtype, o))
        return found

    def count(self, rtype: ResourceType) -> int:
        return len(self._objects.get(rtype, {}))

    # -- writing -------------------------------------------------------------------

    def create(self, rtype: ResourceType, obj: Obj) -> Obj:
        obj = copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = rtype.api_version, rtype.kind
        metadata = meta(obj)
        if not metadata.get("name"):
            prefix = metadata.get("generateName")
            if not prefix:
                raise Invalid(f"{rtype.kind} must have metadata.name or metadata.generateName")
            metadata["name"] = prefix + uuid.uuid4().hex[:5]
        if rtype.namespaced and not metadata.get("namespace"):
            metadata["namespace"] = "default"
        if not rtype.namespaced:
            metadata.pop("namespace", None)
        key = key_of(rtype, obj)
        bucket = self._objects.setdefault(rtype, {})
        if key in bucket:
            raise AlreadyExists(
                f'{rtype.key} "{key[1]}" already exists',
                details={"name": key[1], "group": rtype.group, "kind": rtype.plural},
            )
        metadata["uid"] = str(uuid.uuid4())
        metadata.setdefault("creationTimestamp", now_rfc3339())
        if rtype.has_generation:
            metadata["generation"] = 1
        metadata.pop("deletionTimestamp", None)
        metadata["resourceVersion"] = str(self._next_rv())
        bucket[key] = obj
        self._record(rtype, "ADDED", obj)
        return obj

    def replace(self, rtype: ResourceType, obj: Obj, *, check_version: bool = True) -> Obj:
        """Store a new version of an existing object (update, patch, status)."""
        obj = copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = rtype.api_version, rtype.kind
        key = key_of(rtype, obj)
        current = self._objects.get(rtype, {}).get(key)
        if current is None:
            raise NotFound(f'{rtype.key} "{key[1]}" not found', details={"name": key[1]})
        metadata = meta(obj)
        given = metadata.get("resourceVersion")
        if check_version and given and given != current["metadata"]["resourceVersion"]:
            raise Conflict(
                f'Operation cannot be fulfilled on {rtype.key} "{key[1]}": the object has been'
                " modified; please apply your changes to the latest version and try again"
            )
        # Identity fields belong to the server.
        for name in ("uid", "creationTimestamp", "generation", "deletionTimestamp"):
            if name in current["metadata"]:
                metadata[name] = current["metadata"][name]
            else:
                metadata.pop(name, None)
        if rtype.has_generation and obj.get("spec") != current.get("spec"):
            metadata["generation"] = int(current["metadata"].get("generation", 1)) + 1
        metadata["resourceVersion"] = current["metadata"]["resourceVersion"]
        if obj == current:
            return current  # nothing changed: no new version, no event
        metadata["resourceVersion"] = str(self._next_rv())
        self._objects[rtype][key] = obj
        self._record(rtype, "MODIFIED", obj)
        return obj

    def mark_deleting(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj:
        """Set deletionTimestamp (graceful deletion): the object lingers, Terminating."""
        current = self.get(rtype, namespace, name)
        if current["metadata"].get("deletionTimestamp"):
            return current
        updated = copy.deepcopy(current)
        updated["metadata"]["deletionTimestamp"] = now_rfc3339()
        updated["metadata"]["resourceVersion"] = str(self._next_rv())
        self._objects[rtype][key_of(rtype, updated)] = updated
        self._record(rtype, "MODIFIED", updated)
        return updated

    def remove(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj:
        current = self.get(rtype, namespace, name)
        del self._objects[rtype][key_of(rtype, current)]
        gone = copy.deepcopy(current)
        gone["metadata"]["resourceVersion"] = str(self._next_rv())
        self._record(rtype, "DELETED", gone)
        return gone

    def _record(self, rtype: ResourceType, event_type: str, obj: Obj) -> None:
        change = Change(self._rv, rtype, event_type, obj)
        if len(self._history) == self._history.maxlen:
            self._oldest_rv = self._history[0].rv + 1
        self._history.append(change)
        namespace = obj["metadata"].get("namespace")
        for watcher in list(self._watchers):
            if watcher.closed:
                self._watchers.discard(watcher)
            elif (
                watcher.rtype is rtype
                and (watcher.namespace is None or watcher.namespace == namespace)
                and watcher.predicate(obj)
            ):
                watcher.offer(event_type, obj)
        for listener in self.listeners:
            listener(change)

    # -- watching --------------------------------------------------------------------

    def watch(
        self,
        rtype: ResourceType,
        namespace: str | None,
        predicate: Predicate,
        *,
        since: int | None,
    ) -> Watcher:
        """Open a watch. `since` None or 0: start with ADDED for what exists now.

        Otherwise replay every change after `since` first; a `since` older than
        the kept history raises Gone.
        """
        watcher = Watcher(rtype, namespace, predicate)
        if not since:
            for obj in self.list(rtype, namespace, predicate):
                watcher.offer("ADDED", obj)
        else:
            if since < self._oldest_rv - 1:
                raise Gone(f"too old resource version: {since} ({self._oldest_rv - 1})")
            for change in self._history:
                if change.rv <= since or change.rtype is not rtype:
                    continue
                obj_ns = change.obj["metadata"].get("namespace")
                if (namespace is None or obj_ns == namespace) and predicate(change.obj):
                    watcher.offer(change.event_type, change.obj)
        self._watchers.add(watcher)
        return watcher

    def close_watches(self) -> int:
        """Drop every open watch (a fault, or shutdown). Returns how many."""
        count = len(self._watchers)
        for watcher in list(self._watchers):
            watcher.close()
        self._watchers.clear()
        return count

    def check_continue(self, rv: int) -> None:
        if rv < self._oldest_rv - 1:
            raise Gone(
                "The provided continue parameter is too old to display a consistent list result."
                " You can start a new list without the continue parameter."
            )
