"""A container as one table row: `docker ps` plus `docker stats`, and how bad it looks.

`row_from_inspect` reads what `GET /containers/{id}/json` returns (docker and
podman alike); `classify` gives the status an operator reads first and a rank
that puts problems on top: OOM-killed, crash-looping, restarting and unhealthy
containers, then those that exited with an error, then the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from tui.sources.docker.stats import Usage

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"

# Ranks: lower is worse. 0 and 1 are problems (sorted first, recorded in the timeline).
BROKEN, FAILED, STARTING, IDLE, RUNNING, DONE = 0, 1, 3, 4, 5, 6
PROBLEM_RANK = FAILED

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 with nanoseconds, as engines write it; None for Go's zero time or junk."""
    if not isinstance(value, str) or not value or value.startswith("0001-01-01"):
        return None
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ContainerRow:
    id: str
    name: str
    project: str  # compose project ("" for a container compose did not create)
    service: str  # compose service
    image: str
    state: str  # created, running, paused, restarting, removing, exited, dead
    health: str  # "", starting, healthy, unhealthy
    exit_code: int
    oom_killed: bool
    restart_count: int
    created: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    ports: str
    memory_limit: int | None  # the container's own limit (None: unlimited)
    has_healthcheck: bool
    crash_looping: bool = False
    usage: Usage | None = None

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def group(self) -> str:
        """project/service for compose containers, '' for the others."""
        return f"{self.project}/{self.service}" if self.project else ""

    @property
    def status(self) -> str:
        return classify(self)[0]

    @property
    def rank(self) -> int:
        return classify(self)[1]

    @property
    def problem(self) -> bool:
        return self.rank <= PROBLEM_RANK

    def with_usage(self, usage: Usage | None) -> ContainerRow:
        return replace(self, usage=usage)

    def with_crash_loop(self, looping: bool) -> ContainerRow:
        return self if looping == self.crash_looping else replace(self, crash_looping=looping)


def classify(row: ContainerRow) -> tuple[str, int]:
    """(status, rank): what to read first about this container, and how bad it is."""
    if row.oom_killed and row.state != "running":
        return "OOMKilled", BROKEN
    if row.crash_looping:
        return "CrashLoop", BROKEN
    if row.state == "restarting":
        return "Restarting", BROKEN
    if row.health == "unhealthy" and row.state == "running":
        return "Unhealthy", BROKEN
    if row.state == "dead":
        return "Dead", FAILED
    if row.state == "exited":
        return (f"Exited ({row.exit_code})", FAILED if row.exit_code else DONE)
    if row.state == "running":
        return ("Starting", STARTING) if row.health == "starting" else ("Running", RUNNING)
    if row.state == "paused":
        return "Paused", IDLE
    return row.state.capitalize() or "Unknown", IDLE


def transition_state(row: ContainerRow) -> str:
    """The state the timeline records: 'ok', or the problem without its changing details,
    so a crash loop that flickers between CrashLoop and Restarting is one transition."""
    status, rank = classify(row)
    if rank > PROBLEM_RANK:
        return "ok"
    if status in ("CrashLoop", "Restarting"):
        return "crash-looping"
    return status.lower()


def format_ports(ports: Mapping[str, Any] | None) -> str:
    """`docker ps`'s PORTS: 0.0.0.0:8080->80/tcp, or 80/tcp when not published."""
    if not isinstance(ports, Mapping):
        return ""
    parts: list[str] = []
    for container_port, bindings in sorted(ports.items()):
        if not bindings:
            parts.append(str(container_port))
            continue
        seen: set[str] = set()
        for binding in bindings:
            host = f"{binding.get('HostIp') or '0.0.0.0'}:{binding.get('HostPort', '')}"
            if host not in seen:
                seen.add(host)
                parts.append(f"{host}->{container_port}")
    return ", ".join(parts)


def row_from_inspect(attrs: Mapping[str, Any]) -> ContainerRow:
    state = attrs.get("State") or {}
    config = attrs.get("Config") or {}
    host = attrs.get("HostConfig") or {}
    labels = config.get("Labels") or {}
    health = state.get("Health") or {}
    memory = host.get("Memory")
    healthcheck = config.get("Healthcheck") or {}
    test = healthcheck.get("Test") or []
    status = str(state.get("Status") or "")
    if status == "stopped":  # podman's word for what docker calls exited
        status = "exited"
    return ContainerRow(
        id=str(attrs.get("Id", "")),
        name=str(attrs.get("Name", "")).lstrip("/"),
        project=str(labels.get(PROJECT_LABEL, "")),
        service=str(labels.get(SERVICE_LABEL, "")),
        image=str(config.get("Image") or attrs.get("Image") or ""),
        state=status,
        health=str(health.get("Status") or ""),
        exit_code=int(state.get("ExitCode") or 0),
        oom_killed=bool(state.get("OOMKilled")),
        restart_count=int(attrs.get("RestartCount") or 0),
        created=parse_time(attrs.get("Created")),
        started_at=parse_time(state.get("StartedAt")),
        finished_at=parse_time(state.get("FinishedAt")),
        ports=format_ports((attrs.get("NetworkSettings") or {}).get("Ports")),
        memory_limit=int(memory) if isinstance(memory, int) and memory > 0 else None,
        has_healthcheck=bool(test) and test != ["NONE"],
    )
