"""The event recorder: core/v1 Events as the components' recorders write them.

Like client-go's recorder, a repeat of the same event (same object, type,
reason, message and source) is not a new Event: the existing one gets
count+1 and a new lastTimestamp, which is what `kubectl describe` shows as
"(x5 over 10m)". Events live an hour (the API server's default TTL).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from tui.sim.resources import EVENTS, ResourceType
from tui.sim.store import NotFound, ObjectStore

if TYPE_CHECKING:
    from tui.sim.clock import SimClock

Obj = dict[str, Any]
TTL = 3600.0  # sim seconds


class EventRecorder:
    def __init__(self, store: ObjectStore, clock: SimClock) -> None:
        self.store = store
        self.clock = clock
        self._by_key: dict[tuple[str, ...], tuple[str, str]] = {}
        self._last: dict[tuple[str, str], tuple[float, tuple[str, ...]]] = {}
        self._serial = itertools.count(1)

    def record(
        self,
        involved: Obj,
        rtype: ResourceType,
        kind: str,
        reason: str,
        message: str,
        *,
        component: str,
        host: str = "",
        field_path: str = "",
    ) -> None:
        """kind is "Normal" or "Warning"."""
        metadata = involved["metadata"]
        uid = metadata.get("uid", "")
        key = (uid, kind, reason, message, component, field_path)
        now = self.clock.stamp()
        where = self._by_key.get(key)
        if where is not None:
            current = self.store.find(EVENTS, *where)
            if current is not None:
                updated = {**current, "count": int(current.get("count", 1)) + 1}
                updated["lastTimestamp"] = now
                updated["metadata"] = dict(current["metadata"])
                self.store.replace(EVENTS, updated, check_version=False)
                self._last[where] = (self.clock.sim(), key)
                return
        namespace = metadata.get("namespace") or "default"
        name = f"{metadata['name']}.{self._suffix()}"
        involved_ref: Obj = {
            "kind": rtype.kind,
            "namespace": metadata.get("namespace", ""),
            "name": metadata["name"],
            "uid": uid,
            "apiVersion": rtype.api_version,
            "resourceVersion": metadata.get("resourceVersion", ""),
        }
        if not rtype.namespaced:
            involved_ref.pop("namespace")
        if field_path:
            involved_ref["fieldPath"] = field_path
        event: Obj = {
            "metadata": {"name": name, "namespace": namespace, "creationTimestamp": now},
            "involvedObject": involved_ref,
            "reason": reason,
            "message": message,
            "source": {"component": component, **({"host": host} if host else {})},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": kind,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        self.store.create(EVENTS, event)
        self._by_key[key] = (namespace, name)
        self._last[(namespace, name)] = (self.clock.sim(), key)

    def _suffix(self) -> str:
        # Like the recorder's name: object name + a unique hex (its nanosecond clock).
        return f"{int(self.clock.wall() * 1e9) + next(self._serial):x}"

    def expire(self) -> int:
        """Delete events not seen for an hour. Returns how many."""
        horizon = self.clock.sim() - TTL
        old = [where for where, (seen, _) in self._last.items() if seen < horizon]
        for where in old:
            _, key = self._last.pop(where)
            self._by_key.pop(key, None)
            try:
                self.store.remove(EVENTS, *where)
            except NotFound:
                pass
        return len(old)
