"""The vocabulary shared by log sources and the Logs pane. No Textual here.

A source (a pod, a workload, a file, a container) runs in its own threads and
hands `LogLine`s to a `LogFeed`; the pane drains the feed a few times a second.
Every `LogLine` is already safe: escapes removed, controls made visible, cut to
a bounded length. Nothing downstream ever parses it as markup.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum


class Level(IntEnum):
    """Severity of a line, as far as its text says. Ordered: filters use >=."""

    TRACE = 5
    DEBUG = 10
    INFO = 20
    NOTICE = 25
    WARN = 30
    ERROR = 40
    FATAL = 50


@dataclass(frozen=True, slots=True)
class LogOrigin:
    """Where a line came from, kept with evidence so the record says exactly."""

    kind: str  # "pod", "file", "container"
    name: str  # pod name, file path, container name
    context: str | None = None
    namespace: str | None = None
    container: str | None = None
    previous: bool = False  # from the previous (crashed) container instance

    @property
    def label(self) -> str:
        """Short tag shown before each line of a merged stream."""
        if self.kind == "pod":
            tag = self.name if self.container is None else f"{self.name}/{self.container}"
            return f"{tag} (previous)" if self.previous else tag
        return self.name


@dataclass(frozen=True, slots=True)
class LogLine:
    origin: LogOrigin
    text: str  # safe to show: see tui.sources.logtext.sanitize
    time: datetime | None = None  # the API's timestamp (timestamps=true) when known
    level: Level | None = None
    # ANSI colours of the original line as (start, end, rich style string) spans.
    spans: tuple[tuple[int, int, str], ...] = ()
    cut: int = 0  # characters removed because the line was too long


@dataclass(frozen=True, slots=True)
class SourceState:
    """What a source says about itself: shown in the pane's status line."""

    label: str
    status: str  # connecting, live, reconnecting, ended, error, capped
    detail: str = ""

    @property
    def trouble(self) -> bool:
        return self.status in ("reconnecting", "error")


@dataclass
class LogFeed:
    """Thread-safe hand-over from sources (any thread) to the pane (the UI loop).

    Bounded: if the pane stops draining, the oldest lines are dropped and
    counted, so a runaway source cannot eat the bastion's memory.
    """

    limit: int = 100_000
    _lines: deque[LogLine] = field(default_factory=deque)
    _states: dict[str, SourceState] = field(default_factory=dict)
    _dropped: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def put(self, lines: list[LogLine]) -> None:
        with self._lock:
            self._lines.extend(lines)
            excess = len(self._lines) - self.limit
            for _ in range(max(0, excess)):
                self._lines.popleft()
            self._dropped += max(0, excess)

    def set_state(self, state: SourceState) -> None:
        with self._lock:
            self._states[state.label] = state

    def drain(self) -> tuple[list[LogLine], dict[str, SourceState], int]:
        """Everything waiting: lines in arrival order, each source's latest state,
        and how many lines were dropped here since the last drain."""
        with self._lock:
            lines = list(self._lines)
            self._lines.clear()
            dropped, self._dropped = self._dropped, 0
            return lines, dict(self._states), dropped

    def forget(self, label: str) -> None:
        with self._lock:
            self._states.pop(label, None)
