"""Named conditions of the world over sim time ("db pool exhausted", "site down").

Scenarios set them as the cluster's state changes; log formats ask whether one
held at the moment a line is written. Keeping the whole history means a log
read later still shows what happened then: logs are a pure function of the
container instance and time.
"""

from __future__ import annotations

import bisect


class Flags:
    def __init__(self) -> None:
        self._times: dict[str, list[float]] = {}
        self._states: dict[str, list[bool]] = {}

    def set(self, name: str, on: bool, at: float) -> None:
        times = self._times.setdefault(name, [])
        states = self._states.setdefault(name, [])
        if states and states[-1] == on:
            return
        if times and at < times[-1]:
            at = times[-1]
        times.append(at)
        states.append(on)

    def active(self, name: str, at: float) -> bool:
        times = self._times.get(name)
        if not times:
            return False
        index = bisect.bisect_right(times, at) - 1
        return index >= 0 and self._states[name][index]

    def since(self, name: str, at: float) -> float | None:
        """When the flag last turned on, if it is on at `at`."""
        times = self._times.get(name)
        if not times:
            return None
        index = bisect.bisect_right(times, at) - 1
        if index < 0 or not self._states[name][index]:
            return None
        return times[index]

    def names(self, at: float) -> set[str]:
        return {name for name in self._times if self.active(name, at)}
