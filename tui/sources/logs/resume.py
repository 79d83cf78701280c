"""Resuming a broken timestamped stream without repeating or losing a line."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime


class _Resume:
    """Where a timestamped stream got to, so a resumed stream drops what it repeats.

    Resuming asks for everything since the newest timestamp's second (APIs take
    whole seconds), so older lines are dropped by time, and lines sharing the newest
    timestamp by content, counted: two identical lines at one instant stay two.
    """

    def __init__(self) -> None:
        self.ns: int | None = None
        self._delivered: Counter[bytes] = Counter()  # lines delivered at exactly `ns`
        self._replayed: Counter[bytes] = Counter()  # of those, seen again on this connection

    def reconnected(self) -> None:
        self._replayed = Counter()

    def fresh(self, ns: int | None, body: bytes) -> bool:
        if ns is None:
            return True  # nothing to compare with: deliver
        if self.ns is None or ns > self.ns:
            self.ns = ns
            self._delivered = Counter((body,))
            self._replayed = Counter((body,))
            return True
        if ns < self.ns:
            return False
        if self._replayed[body] < self._delivered[body]:
            self._replayed[body] += 1
            return False
        self._delivered[body] += 1
        self._replayed[body] += 1
        return True

    def since(self) -> datetime:
        assert self.ns is not None
        return datetime.fromtimestamp(self.ns // 1_000_000_000, UTC)

    def since_time(self) -> str:
        return self.since().strftime("%Y-%m-%dT%H:%M:%SZ")
