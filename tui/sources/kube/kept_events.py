"""Which events the cache keeps: every warning, and the newest Normal events.

A busy cluster's events are mostly Normal (Scheduled, Pulled, Created,
Started...): the drill's 5,000 healthy pods come with 30,000 of them, about
80 MB as parsed objects, and no view shows more than the newest 1,000. So the
cache keeps the newest `keep` Normal events of each context and drops older
ones as newer arrive. An event that happens again is sent again by the watch
(its count and last-seen move on), so it comes back. Warnings are never
dropped: they are what an operator is looking for.

A pod's detail asks the API for that pod's events, so it is not limited by this.
"""

from __future__ import annotations

import heapq
from typing import Any

from tui.sources.kube.watch import Scope

Key = tuple[str, str, str]  # (context, kind plural, uid), as in cache.py

NORMAL_EVENTS_KEPT = 2000
# Trimmed in batches (down to `keep` once a quarter more have come), so a burst
# of events costs one sort rather than one per event.
SLACK = 1.25


def last_seen(event: dict[str, Any]) -> str:
    """When the event last happened, as the API's timestamp text (sortable)."""
    metadata = event.get("metadata") or {}
    series = event.get("series") or {}
    return str(
        event.get("lastTimestamp")
        or series.get("lastObservedTime")
        or event.get("eventTime")
        or metadata.get("creationTimestamp")
        or ""
    )


class KeptEvents:
    """Tracks the Normal events held, per context, and says which to drop."""

    def __init__(self, keep: int = NORMAL_EVENTS_KEPT) -> None:
        self.keep = keep
        # context -> event key -> (last seen, the scope it was listed in)
        self._normal: dict[str, dict[Key, tuple[str, Scope]]] = {}

    def note(self, scope: Scope, key: Key, event: dict[str, Any]) -> None:
        held = self._normal.setdefault(key[0], {})
        if (event.get("type") or "Normal") == "Normal":
            held[key] = (last_seen(event), scope)
        else:
            held.pop(key, None)

    def forget(self, key: Key) -> None:
        self._normal.get(key[0], {}).pop(key, None)

    def excess(self, context: str) -> list[tuple[Key, Scope]]:
        """The oldest Normal events of `context` beyond `keep`, now forgotten."""
        held = self._normal.get(context, {})
        if len(held) <= self.keep * SLACK:
            return []
        oldest = heapq.nsmallest(len(held) - self.keep, held.items(), key=lambda item: item[1][0])
        for key, _ in oldest:
            del held[key]
        return [(key, scope) for key, (_, scope) in oldest]
