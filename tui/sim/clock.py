"""Simulated time: wall-clock timestamps on one axis, scenario durations on another.

Two axes, both in seconds:
- wall: what timestamps say (creationTimestamp, log lines, events). kubectl
  compares them with the real clock to print AGE, so once the cluster is live
  they are real time.
- sim: what durations are measured on (back-off, rollout steps, probe periods,
  deadlines). `speed` makes sim time run faster than wall time.

Before going live, a scenario replays its history on a virtual clock (both axes
equal, speed 1): pods created "two days ago" really carry that timestamp. When
the cluster goes live, sim time continues from the wall time at that moment
and runs `speed` times faster than it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tui.sim.objects import rfc3339


class SimClock:
    def __init__(self, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        # Replaying history: the virtual time (both axes); None once live.
        self._virtual: float | None = time.time()
        self._live_wall = 0.0
        self._live_sim = 0.0

    @property
    def live(self) -> bool:
        return self._virtual is None

    def rewind(self, epoch: float) -> None:
        """Start replaying history from `epoch` (before going live only)."""
        assert self._virtual is not None, "history can only be replayed before going live"
        self._virtual = epoch

    def advance(self, sim: float) -> None:
        """Move virtual time forward (history replay); never backwards."""
        assert self._virtual is not None
        self._virtual = max(self._virtual, sim)

    def go_live(self) -> None:
        if self._virtual is None:
            return
        now = time.time()
        self._live_wall = now
        self._live_sim = max(now, self._virtual)
        self._virtual = None

    # -- reading -------------------------------------------------------------------

    def sim(self) -> float:
        if self._virtual is not None:
            return self._virtual
        return self._live_sim + (time.time() - self._live_wall) * self.speed

    def wall(self) -> float:
        if self._virtual is not None:
            return self._virtual
        return time.time()

    def wall_of(self, sim: float) -> float:
        """The wall time at which sim time `sim` happens (or happened)."""
        if self._virtual is not None or sim <= self._live_sim:
            return sim
        return self._live_wall + (sim - self._live_sim) / self.speed

    def sim_of(self, wall: float) -> float:
        if self._virtual is not None or wall <= self._live_wall:
            return min(wall, self.sim())
        return self._live_sim + (wall - self._live_wall) * self.speed

    def real_delay(self, sim_seconds: float) -> float:
        """How long to really wait for `sim_seconds` of sim time once live."""
        return max(0.0, sim_seconds) / self.speed

    def stamp(self) -> str:
        """Now, as an RFC 3339 timestamp for an object."""
        return rfc3339(self.wall())

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.wall(), UTC)
