"""What the watcher hands the app: rows that changed, transitions, the engine's state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.sources.docker.engine import EngineInfo
from tui.sources.docker.rows import ContainerRow, classify


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """connecting, live, reconnecting (the stream broke; retrying) or unavailable."""

    state: str
    message: str = ""
    hint: str = ""
    engine: EngineInfo | None = None

    @property
    def connected(self) -> bool:
        return self.state in ("live", "reconnecting") and self.engine is not None


@dataclass(frozen=True, slots=True)
class DockerTransition:
    subject: str  # docker:ENGINE/NAME: a compose service's container keeps its name
    state: str  # "ok", or the problem: crash-looping, unhealthy, oomkilled, exited (1)...
    text: str
    data: dict[str, Any]


@dataclass
class DockerDelta:
    updated: dict[str, ContainerRow] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    transitions: list[DockerTransition] = field(default_factory=list)
    status: EngineStatus | None = None

    def __bool__(self) -> bool:
        return bool(self.updated or self.removed or self.transitions or self.status)


def subject(engine: str, name: str) -> str:
    return f"docker:{engine}/{name}"


def transition(engine: str, row: ContainerRow, state: str, previous: str) -> DockerTransition:
    status = classify(row)[0] if state not in ("ok", "removed") else state
    where = f" ({row.group})" if row.group else ""
    if state == "ok":
        text = f"Container {row.name}{where} recovered: {classify(row)[0].lower()}"
    elif state == "removed":
        text = f"Container {row.name}{where} removed while {previous}"
    else:
        text = f"Container {row.name}{where}: {status}"
        if row.restart_count:
            text += f", {row.restart_count} restarts"
    return DockerTransition(
        subject=subject(engine, row.name),
        state=state,
        text=text,
        data={
            "engine": engine,
            "container": row.name,
            "id": row.id,
            "project": row.project,
            "service": row.service,
            "image": row.image,
            "status": classify(row)[0],
            "exit_code": row.exit_code,
            "oom_killed": row.oom_killed,
            "restart_count": row.restart_count,
            "health": row.health,
            "previous": previous,
        },
    )
