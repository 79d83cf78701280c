"""The drill cluster's object store: what etcd and the API server's watch cache do.

Every change gets the next resourceVersion (one counter for the whole store,
as etcd's revision) and is kept in a bounded history, with the object before
the change, so that

- a watch can resume from any version still in the history and gets every
  change after it, in order; a version older than the history is "too old"
  (410 Gone), as after an etcd compaction;
- a paginated list reads one consistent snapshot across its pages (the
  continue token names the version of the first page), as etcd serves reads
  at a revision;
- a watch with a selector sees an object leave it as DELETED and enter it as
  ADDED, as the real watch cache reports.

Stored objects are never changed in place: every change stores a new dict, so
readers (lists, queued watch events, history) may hold references without
copying. Callers that need to change an object copy it first (`thaw`).

Everything here runs on the cluster's event loop; nothing is thread-safe on
purpose.
"""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.sim.resources import ResourceType
from tui.sim.selectors import Predicate

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace or "", name)

# Watch changes kept for resuming and for paginated lists: at 100 changes a
# second, a bit over 8 minutes (a real cluster compacts every 5 minutes).
HISTORY = 50_000
# How many of the newest changes keep their encoded watch line: enough for every
# open watch to send it; older ones (replayed to a resuming watch) encode again.
ENCODED = 1_000


class ApiError(Exception):
    """An error the API answers with a Status object."""

    code = 500
    reason = "InternalError"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        # Status.metadata (a 410 for an expired continue token carries a new token).
        self.status_metadata: dict[str, Any] = {}


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


class MethodNotAllowed(ApiError):
    code, reason = 405, "MethodNotAllowed"


class NotAcceptable(ApiError):
    code, reason = 406, "NotAcceptable"


class UnsupportedMediaType(ApiError):
    code, reason = 415, "UnsupportedMediaType"


class Timeout(ApiError):
    code, reason = 504, "Timeout"


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(obj: Obj) -> dict[str, Any]:
    return obj.setdefault("metadata", {})


def key_of(rtype: ResourceType, obj: Obj) -> Key:
    metadata = obj.get("metadata") or {}
    return (metadata.get("namespace", "") if rtype.namespaced else "", metadata.get("name", ""))


def thaw(obj: Obj) -> Obj:
    """A private copy of a stored object, to change and store back."""
    return copy.deepcopy(obj)


def not_found(rtype: ResourceType, name: str) -> NotFound:
    return NotFound(
        f'{rtype.key} "{name}" not found',
        details={"name": name, "group": rtype.group, "kind": rtype.plural},
    )


@dataclass(slots=True, eq=False)
class Change:
    """One change of one object, as watches and controllers see it."""

    rv: int
    rtype: ResourceType
    event_type: str  # ADDED, MODIFIED, DELETED
    obj: Obj
    # The object before the change (None when ADDED): selector watches need it.
    prev: Obj | None = None
    _line: bytes | None = None

    def line(self) -> bytes:
        """The watch event as JSON, encoded once however many watchers send it."""
        if self._line is None:
            event = {"type": self.event_type, "object": self.obj}
            self._line = json.dumps(event, separators=(",", ":")).encode() + b"\n"
        return self._line

    def forget_line(self) -> None:
        self._line = None


@dataclass(eq=False)
class Watcher:
    """One open watch: receives the changes it matches, in order, through its queue."""

    rtype: ResourceType
    namespace: str | None
    predicate: Predicate
    queue: asyncio.Queue[Change | None] = field(default_factory=asyncio.Queue)
    # A client that does not read is cut off, as the API server does.
    limit: int = 20_000
    closed: bool = False

    def matches_scope(self, obj: Obj) -> bool:
        return self.namespace is None or obj["metadata"].get("namespace") == self.namespace

    def event_for(self, change: Change) -> Change | None:
        """What this watcher sees of a change, as the watch cache filters it.

        An object that stops matching the selector is reported DELETED (its
        previous content at the change's version); one that starts matching,
        ADDED.
        """
        now_passes = change.event_type != "DELETED" and self._passes(change.obj)
        before_passes = change.prev is not None and self._passes(change.prev)
        if now_passes and (before_passes or change.event_type == "ADDED"):
            return change
        if now_passes:
            return Change(change.rv, change.rtype, "ADDED", change.obj, change.prev)
        if before_passes:
            if change.event_type == "DELETED":
                return change
            assert change.prev is not None
            gone = {**change.prev, "metadata": {**change.prev["metadata"]}}
            gone["metadata"]["resourceVersion"] = str(change.rv)
            return Change(change.rv, change.rtype, "DELETED", gone, change.prev)
        return None

    def _passes(self, obj: Obj) -> bool:
        return self.matches_scope(obj) and self.predicate(obj)

    def offer(self, change: Change) -> None:
        if self.closed:
            return
        if self.queue.qsize() >= self.limit:
            self.close()
            return
        self.queue.put_nowait(change)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


class ObjectStore:
    def __init__(self, *, history: int = HISTORY) -> None:
        self._objects: dict[ResourceType, dict[Key, Obj]] = {}
        self._history: deque[Change] = deque(maxlen=history)
        self._rv = 1
        # The oldest version a watch or a continue token can start from: every
        # change after it is still in the history.
        self._compacted = 0
        # Watchers by resource type, so a change costs only its own watchers.
        self._watchers: dict[ResourceType, set[Watcher]] = {}
        # Called after every change (controllers react to what they watch).
        self.listeners: list[Callable[[Change], None]] = []

    # -- versions ----------------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        return self._rv

    @property
    def compacted_version(self) -> int:
        return self._compacted

    def _next_rv(self) -> int:
        self._rv += 1
        return self._rv

    def expire_history(self) -> None:
        """Forget all history, as an etcd compaction does: a watch resuming from any
        version handed out so far, or a continue token, gets 410 Gone.

        The version moves on by one, so a client that lists again gets a version
        it can watch from.
        """
        self._history.clear()
        self._compacted = self._next_rv()

    def check_version(self, rv: int, what: str = "resource version") -> None:
        if rv < self._compacted:
            raise Gone(f"too old {what}: {rv} ({self._compacted})")

    # -- reading -------------------------------------------------------------------

    def get(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj:
        scope = (namespace or "") if rtype.namespaced else ""
        found = self._objects.get(rtype, {}).get((scope, name))
        if found is None:
            raise not_found(rtype, name)
        return found

    def find(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj | None:
        scope = (namespace or "") if rtype.namespaced else ""
        return self._objects.get(rtype, {}).get((scope, name))

    def items(self, rtype: ResourceType, namespace: str | None = None) -> Iterator[Obj]:
        for (ns, _), obj in self._objects.get(rtype, {}).items():
            if namespace is None or not rtype.namespaced or ns == namespace:
                yield obj

    def list(
        self, rtype: ResourceType, namespace: str | None = None, predicate: Predicate | None = None
    ) -> list[Obj]:
        """The objects now, in key order (namespace, name) as etcd returns them."""
        return self._select(self._objects.get(rtype, {}), rtype, namespace, predicate)

    def list_at(
        self, rtype: ResourceType, namespace: str | None, predicate: Predicate | None, rv: int
    ) -> list[Obj]:
        """The objects as they were at version `rv` (Gone if the history no longer
        reaches back that far): undo, newest first, every change made since."""
        self.check_version(rv)
        snapshot = dict(self._objects.get(rtype, {}))
        for change in reversed(self._history):
            if change.rv <= rv:
                break
            if change.rtype is not rtype:
                continue
            key = key_of(rtype, change.obj)
            if change.prev is None:
                snapshot.pop(key, None)
            else:
                snapshot[key] = change.prev
        return self._select(snapshot, rtype, namespace, predicate)

    @staticmethod
    def _select(
        bucket: dict[Key, Obj],
        rtype: ResourceType,
        namespace: str | None,
        predicate: Predicate | None,
    ) -> list[Obj]:
        scoped = namespace is not None and rtype.namespaced
        found = [
            (key, obj)
            for key, obj in bucket.items()
            if (not scoped or key[0] == namespace) and (predicate is None or predicate(obj))
        ]
        found.sort(key=lambda pair: pair[0])
        return [obj for _, obj in found]

    def count(self, rtype: ResourceType) -> int:
        return len(self._objects.get(rtype, {}))

    # -- writing -------------------------------------------------------------------

    def create(self, rtype: ResourceType, obj: Obj, *, owned: bool = False) -> Obj:
        """Store a new object. `owned`: the caller hands over `obj` and keeps no
        reference to it, so it is stored without a copy."""
        obj = obj if owned else copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = rtype.api_version, rtype.kind
        metadata = meta(obj)
        if not metadata.get("name"):
            prefix = metadata.get("generateName")
            if not prefix:
                raise Invalid(
                    f"{rtype.kind} is invalid: metadata.name: Required value: name or"
                    " generateName is required",
                    details={"kind": rtype.kind, "group": rtype.group},
                )
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
        # `kubectl run` sends creationTimestamp: null; the server always sets it.
        if not metadata.get("creationTimestamp"):
            metadata["creationTimestamp"] = now_rfc3339()
        if rtype.has_generation:
            metadata["generation"] = 1
        for server_only in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            metadata.pop(server_only, None)
        metadata["resourceVersion"] = str(self._next_rv())
        bucket[key] = obj
        self._record(Change(self._rv, rtype, "ADDED", obj))
        return obj

    def replace(
        self, rtype: ResourceType, obj: Obj, *, check_version: bool = True, owned: bool = False
    ) -> Obj:
        """Store a new version of an existing object (update, patch, status).

        A resourceVersion in `obj` that is not the current one is a conflict (409),
        as optimistic concurrency on a real cluster; none means "whatever is there".
        """
        obj = obj if owned else copy.deepcopy(obj)
        obj["apiVersion"], obj["kind"] = rtype.api_version, rtype.kind
        key = key_of(rtype, obj)
        current = self._objects.get(rtype, {}).get(key)
        if current is None:
            raise not_found(rtype, key[1])
        metadata = meta(obj)
        given = metadata.get("resourceVersion")
        if check_version and given and given != current["metadata"]["resourceVersion"]:
            raise Conflict(
                f'Operation cannot be fulfilled on {rtype.key} "{key[1]}": the object has been'
                " modified; please apply your changes to the latest version and try again",
                details={"name": key[1], "group": rtype.group, "kind": rtype.plural},
            )
        # Identity and deletion fields belong to the server.
        for name in (
            "uid",
            "creationTimestamp",
            "generation",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ):
            if name in current["metadata"]:
                metadata[name] = current["metadata"][name]
            else:
                metadata.pop(name, None)
        if rtype.has_generation and obj.get("spec") != current.get("spec"):
            metadata["generation"] = int(current["metadata"].get("generation", 1)) + 1
        metadata["resourceVersion"] = current["metadata"]["resourceVersion"]
        if obj == current:
            return current  # nothing changed: no new version, no event
        if self._finalized(metadata, current["metadata"]):
            # The last finalizer of an object being deleted is gone: it goes now.
            self._objects[rtype][key] = obj
            return self.remove(rtype, key[0] or None, key[1])
        metadata["resourceVersion"] = str(self._next_rv())
        self._objects[rtype][key] = obj
        self._record(Change(self._rv, rtype, "MODIFIED", obj, current))
        return obj

    @staticmethod
    def _finalized(metadata: dict[str, Any], before: dict[str, Any]) -> bool:
        """Whether this update removes the last finalizer of an object being deleted."""
        return (
            bool(metadata.get("deletionTimestamp"))
            and bool(before.get("finalizers"))
            and not metadata.get("finalizers")
        )

    def mark_deleting(
        self,
        rtype: ResourceType,
        namespace: str | None,
        name: str,
        grace_seconds: int | None = None,
    ) -> Obj:
        """Set deletionTimestamp (graceful deletion, or waiting for finalizers): the
        object lingers, Terminating, until removed."""
        current = self.get(rtype, namespace, name)
        if current["metadata"].get("deletionTimestamp"):
            return current
        metadata = {**current["metadata"], "deletionTimestamp": now_rfc3339()}
        if grace_seconds is not None:
            metadata["deletionGracePeriodSeconds"] = grace_seconds
        metadata["resourceVersion"] = str(self._next_rv())
        updated = {**current, "metadata": metadata}
        self._objects[rtype][key_of(rtype, updated)] = updated
        self._record(Change(self._rv, rtype, "MODIFIED", updated, current))
        return updated

    def remove(self, rtype: ResourceType, namespace: str | None, name: str) -> Obj:
        current = self.get(rtype, namespace, name)
        del self._objects[rtype][key_of(rtype, current)]
        gone = {**current, "metadata": {**current["metadata"]}}
        gone["metadata"]["resourceVersion"] = str(self._next_rv())
        self._record(Change(self._rv, rtype, "DELETED", gone, current))
        return gone

    def _record(self, change: Change) -> None:
        if len(self._history) == self._history.maxlen:
            # The oldest change falls out: resuming needs a version at or after it.
            self._compacted = self._history[0].rv
        self._history.append(change)
        if len(self._history) > ENCODED:
            self._history[-ENCODED - 1].forget_line()
        watchers = self._watchers.get(change.rtype)
        if watchers:
            for watcher in list(watchers):
                if watcher.closed:
                    watchers.discard(watcher)
                elif (event := watcher.event_for(change)) is not None:
                    watcher.offer(event)
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
                watcher.offer(Change(int(obj["metadata"]["resourceVersion"]), rtype, "ADDED", obj))
        else:
            self.check_version(since)
            for change in self._changes_after(since, rtype):
                if (event := watcher.event_for(change)) is not None:
                    watcher.offer(event)
        self._watchers.setdefault(rtype, set()).add(watcher)
        return watcher

    def _changes_after(self, rv: int, rtype: ResourceType) -> Iterable[Change]:
        newer: list[Change] = []
        for change in reversed(self._history):
            if change.rv <= rv:
                break
            if change.rtype is rtype:
                newer.append(change)
        return reversed(newer)

    def open_watches(self) -> int:
        return sum(1 for group in self._watchers.values() for w in group if not w.closed)

    def close_watches(self) -> int:
        """Drop every open watch (a fault, or shutdown). Returns how many."""
        count = 0
        for group in self._watchers.values():
            for watcher in group:
                if not watcher.closed:
                    count += 1
                    watcher.close()
        self._watchers.clear()
        return count

    def check_continue(self, rv: int) -> None:
        if rv < self._compacted:
            raise Gone(
                "The provided continue parameter is too old to display a consistent list result."
                " You can start a new list without the continue parameter, or use the continue"
                " token in this response to retrieve the remainder of the results. Continuing"
                " with the provided token results in an inconsistent list - objects that were"
                " created, modified, or deleted between the time the first chunk was returned"
                " and now may show up in the list."
            )
