"""Which container state changes become timeline events: the ones that hold.

Between two crashes a container is read as exited for a fraction of a second,
then running, then (a few crashes later) crash-looping. Recording each reading
would fill the timeline with noise; a state is recorded once it has held for
`settle_seconds`, and a blip that reverts in time is never recorded at all.
Removal is recorded at once: the container will not be read again.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.sources.docker.model import DockerTransition, transition
from tui.sources.docker.rows import ContainerRow, transition_state

SETTLE_SECONDS = 1.0


@dataclass(slots=True)
class _Candidate:
    state: str
    since: float
    row: ContainerRow


class TransitionGate:
    """Per container name: the state last recorded, and one waiting to be. Not thread-safe."""

    def __init__(self, settle_seconds: float = SETTLE_SECONDS) -> None:
        self.settle_seconds = settle_seconds
        self._reported: dict[str, str] = {}
        self._waiting: dict[str, _Candidate] = {}

    def observe(self, row: ContainerRow, now: float) -> None:
        state = transition_state(row)
        if state == self._reported.get(row.name, "ok"):
            self._waiting.pop(row.name, None)
            return
        waiting = self._waiting.get(row.name)
        if waiting is not None and waiting.state == state:
            waiting.row = row  # the newest reading is what the record describes
        else:
            self._waiting[row.name] = _Candidate(state, now, row)

    def removed(self, engine: str, row: ContainerRow) -> DockerTransition | None:
        self._waiting.pop(row.name, None)
        previous = self._reported.get(row.name, "ok")
        if previous in ("ok", "removed"):
            return None
        self._reported[row.name] = "removed"
        return transition(engine, row, "removed", previous)

    def due(self, engine: str, now: float) -> list[DockerTransition]:
        found: list[DockerTransition] = []
        for name, waiting in list(self._waiting.items()):
            if now - waiting.since < self.settle_seconds:
                continue
            del self._waiting[name]
            previous = self._reported.get(name, "ok")
            self._reported[name] = waiting.state
            found.append(transition(engine, waiting.row, waiting.state, previous))
        return found
