"""Telling a crash loop from a container that exited once.

Docker marks a container `restarting` only while it waits to restart it, and
podman restarts at once, so the state alone misses most crash loops: between
two crashes the container looks `running`. What gives a loop away is the
engine's `die` events with a failing exit code, several within minutes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# Three failed exits within ten minutes make a loop; two quiet minutes end it.
CRASHES = 3
WINDOW_SECONDS = 600.0
QUIET_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class LoopRule:
    crashes: int = CRASHES
    window_seconds: float = WINDOW_SECONDS
    quiet_seconds: float = QUIET_SECONDS


class CrashTracker:
    """Failed exits per container id; not thread-safe (the watcher holds its lock)."""

    def __init__(self, rule: LoopRule | None = None) -> None:
        self.rule = rule or LoopRule()
        self._exits: dict[str, deque[float]] = {}

    def died(self, container_id: str, exit_code: int, at: float) -> None:
        if exit_code == 0:
            return  # a clean exit is a job done, not a crash
        exits = self._exits.setdefault(container_id, deque(maxlen=self.rule.crashes))
        exits.append(at)

    def looping(self, container_id: str, now: float) -> bool:
        exits = self._exits.get(container_id)
        if not exits or len(exits) < self.rule.crashes:
            return False
        return (now - exits[-1] <= self.rule.quiet_seconds
                and now - exits[0] <= self.rule.window_seconds)  # fmt: skip

    def tracked(self) -> list[str]:
        return list(self._exits)

    def forget(self, container_id: str) -> None:
        self._exits.pop(container_id, None)

    def expire(self, now: float) -> None:
        """Drop histories too old to matter, so the map does not grow forever."""
        for container_id, exits in list(self._exits.items()):
            if now - exits[-1] > self.rule.window_seconds:
                del self._exits[container_id]
