"""What the watches know, gathered in one place, and what changed since last asked.

Watch threads write (reset, apply, state); the app's worker takes the changes
a few times a second (`take`). Taking hands over the changed objects and the
keys of removed ones, so the UI updates rows by key instead of rebuilding.
A relist (after 410 Gone or a reconnect) replaces the scope's objects: what
is no longer listed is removed, nothing is duplicated. Old Normal events are
let go (kept_events.py): they would be most of the memory and no view shows them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from tui.sources.kube.kept_events import NORMAL_EVENTS_KEPT, KeptEvents
from tui.sources.kube.watch import EVENTS, Kind, Scope, WatchState

Obj = dict[str, Any]
# (context, kind plural, uid): unique across clusters and kinds.
Key = tuple[str, str, str]


def object_key(scope: Scope, obj: Obj) -> Key:
    metadata = obj.get("metadata") or {}
    uid = metadata.get("uid") or f"{metadata.get('namespace', '')}/{metadata.get('name', '')}"
    return (scope.context, scope.kind.plural, uid)


@dataclass
class Changes:
    """Everything that changed since the previous `take`."""

    updated: dict[Key, Obj] = field(default_factory=dict)
    removed: set[Key] = field(default_factory=set)
    states: dict[Scope, WatchState] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.updated or self.removed or self.states)

    def of_kind(self, kind: Kind) -> tuple[dict[Key, Obj], set[Key]]:
        updated = {k: v for k, v in self.updated.items() if k[1] == kind.plural}
        removed = {k for k in self.removed if k[1] == kind.plural}
        return updated, removed


class KubeCache:
    def __init__(self, *, normal_events_kept: int = NORMAL_EVENTS_KEPT) -> None:
        self._lock = threading.Lock()
        self._objects: dict[Key, Obj] = {}
        self._by_scope: dict[Scope, set[Key]] = {}
        self._states: dict[Scope, WatchState] = {}
        self._pending = Changes()
        self._events = KeptEvents(normal_events_kept)
        self.changed = threading.Event()

    # -- the Sink protocol (watch threads) -------------------------------------------

    def reset(self, scope: Scope, items: list[Obj]) -> None:
        fresh = {object_key(scope, item): item for item in items}
        with self._lock:
            gone = self._by_scope.get(scope, set()) - fresh.keys()
            for key in gone:
                self._remove(key)
            for key, item in fresh.items():
                if self._objects.get(key) != item:
                    self._objects[key] = item
                    self._pending.updated[key] = item
                    self._pending.removed.discard(key)
            self._by_scope[scope] = set(fresh)
            if scope.kind == EVENTS:
                for key in gone:
                    self._events.forget(key)
                for key, item in fresh.items():
                    self._events.note(scope, key, item)
                self._let_old_events_go(scope.context)
        self.changed.set()

    def apply(self, scope: Scope, event_type: str, obj: Obj) -> None:
        key = object_key(scope, obj)
        with self._lock:
            members = self._by_scope.setdefault(scope, set())
            if event_type == "DELETED":
                members.discard(key)
                self._remove(key)
                if scope.kind == EVENTS:
                    self._events.forget(key)
            else:
                members.add(key)
                self._objects[key] = obj
                self._pending.updated[key] = obj
                self._pending.removed.discard(key)
                if scope.kind == EVENTS:
                    self._events.note(scope, key, obj)
                    self._let_old_events_go(scope.context)
        self.changed.set()

    def _remove(self, key: Key) -> None:
        """Drop a held object and tell the next `take` (lock held)."""
        if self._objects.pop(key, None) is not None:
            self._pending.updated.pop(key, None)
            self._pending.removed.add(key)

    def _let_old_events_go(self, context: str) -> None:
        for key, scope in self._events.excess(context):
            self._by_scope.get(scope, set()).discard(key)
            self._remove(key)

    def state(self, state: WatchState) -> None:
        with self._lock:
            self._states[state.scope] = state
            self._pending.states[state.scope] = state
        self.changed.set()

    # -- the app's side --------------------------------------------------------------

    def take(self) -> Changes:
        with self._lock:
            changes, self._pending = self._pending, Changes()
            self.changed.clear()
        return changes

    def objects(self, kind: Kind, context: str | None = None) -> list[Obj]:
        with self._lock:
            return [
                obj
                for key, obj in self._objects.items()
                if key[1] == kind.plural and (context is None or key[0] == context)
            ]

    def get(self, key: Key) -> Obj | None:
        with self._lock:
            return self._objects.get(key)

    def states(self) -> list[WatchState]:
        with self._lock:
            return list(self._states.values())

    def forget(self, scopes: list[Scope]) -> None:
        """Drop what stopped watches had (after a context or namespace switch)."""
        with self._lock:
            for scope in scopes:
                for key in self._by_scope.pop(scope, set()):
                    self._remove(key)
                    self._events.forget(key)
                self._states.pop(scope, None)
        self.changed.set()
