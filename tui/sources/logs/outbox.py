"""Lines waiting to be handed to the feed, and the window that puts merged streams
back in timestamp order."""

from __future__ import annotations

import bisect
import itertools
import threading
import time

from tui.sources.log_model import LogLine
from tui.sources.logs.lines import Keyed
from tui.sources.logs.tuning import MAX_HELD


class _Outbox:
    """Lines waiting for the next hand-over.

    Without a window, they go in arrival order. With one (merged streams), a line
    waits until it is `window` old, then goes out with every waiting line that is
    not newer than it, in timestamp order: lines from several pods arriving a
    little apart still come out in time order.
    """

    def __init__(self, window: float = 0.0) -> None:
        self.window = window
        self._lock = threading.Lock()
        self._held: list[tuple[float, int, int, LogLine]] = []  # arrival, key, seq, line
        self._seq = itertools.count()

    def add(self, lines: list[Keyed]) -> None:
        with self._lock:
            now = time.monotonic()  # under the lock: arrivals stay sorted
            self._held.extend((now, key, next(self._seq), line) for key, line in lines)

    def take(self, everything: bool = False) -> list[LogLine]:
        with self._lock:
            held = self._held
            if not held:
                return []
            if self.window <= 0:
                self._held = []
                return [entry[3] for entry in held]
            if everything or len(held) > MAX_HELD:
                release, self._held = held, []
            else:
                cut = bisect.bisect_right(held, time.monotonic() - self.window, key=_arrival)
                if cut == 0:
                    return []
                newest = max(entry[1] for entry in held[:cut])
                young = held[cut:]
                release = held[:cut] + [entry for entry in young if entry[1] <= newest]
                self._held = [entry for entry in young if entry[1] > newest]
        release.sort(key=lambda entry: (entry[1], entry[2]))
        return [entry[3] for entry in release]


def _arrival(entry: tuple[float, int, int, LogLine]) -> float:
    return entry[0]
