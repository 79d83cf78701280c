"""The incident record: plain dataclasses and the vocabulary of the timeline.

Nothing here touches SQLite or the screen. The store persists these objects; the
widgets render them; `fold_state` derives the incident's current status,
severity and milestones from the append-only event list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

_E = TypeVar("_E", bound=StrEnum)


class Severity(StrEnum):
    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"

    @property
    def response_target(self) -> timedelta:
        """How soon someone must acknowledge, per the seeds' severity table."""
        return RESPONSE_TARGETS[self]

    @property
    def meaning(self) -> str:
        return SEVERITY_MEANINGS[self]


RESPONSE_TARGETS: dict[Severity, timedelta] = {
    Severity.P0: timedelta(minutes=5),
    Severity.P1: timedelta(minutes=15),
    Severity.P2: timedelta(hours=1),
    Severity.P3: timedelta(hours=4),
}

SEVERITY_MEANINGS: dict[Severity, str] = {
    Severity.P0: "critical: complete outage, data loss or security breach",
    Severity.P1: "high: major feature unavailable or badly degraded",
    Severity.P2: "medium: degraded performance, some errors",
    Severity.P3: "low: minor or cosmetic issue",
}


class Status(StrEnum):
    """The status-page vocabulary the seeds use for every update."""

    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]


STATUS_MEANINGS: dict[Status, str] = {
    Status.INVESTIGATING: "looking for the cause",
    Status.IDENTIFIED: "cause known, fix in progress",
    Status.MONITORING: "fix applied, watching that it holds",
    Status.RESOLVED: "service restored and stable",
}


class Milestone(StrEnum):
    """Points in time the postmortem metrics are computed from."""

    IMPACT_STARTED = "impact_started"
    DETECTED = "detected"
    ACKNOWLEDGED = "acknowledged"
    MITIGATED = "mitigated"
    RESOLVED = "resolved"


class EventKind(StrEnum):
    DECLARED = "declared"
    SEVERITY_CHANGED = "severity_changed"
    STATUS_CHANGED = "status_changed"
    MILESTONE = "milestone"
    NOTE = "note"
    PIN_CHANGED = "pin_changed"
    HOST_ALERT = "host_alert"
    K8S_TRANSITION = "k8s_transition"  # a pod, node or deployment changed state
    K8S_ACTION = "k8s_action"  # an operator's action on a cluster, whatever its outcome
    LOG_EVIDENCE = "log_evidence"  # log lines an operator marked, with their source and times
    LOG_SAVED = "log_saved"  # the Logs pane's buffer written to a file
    PROBE_TRANSITION = "probe_transition"  # a URL probe or a host check went bad or recovered
    INGRESS_FINDING = "ingress_finding"  # an ingress finding appeared or cleared
    RUNBOOK_STEP = "runbook_step"  # a runbook step checked or unchecked
    RUNBOOK_RUN = "runbook_run"  # a runbook command run (or refused, or declined)
    STATUS_UPDATE = "status_update"  # a status update posted (the seeds' template, filled in)
    TIMER_PROMPT = "timer_prompt"  # a status update or an escalation came due
    TIMER_SNOOZED = "timer_snoozed"  # the status-update reminder put off for a few minutes
    ESCALATION = "escalation"  # the incident escalated to a level (L1..L3), and to whom
    ROLE_ASSIGNED = "role_assigned"  # commander, scribe, comms or subject experts named
    TODO = "todo"  # an action item for the postmortem
    MERGED = "merged"  # timelines from several files merged into this one
    DOCKER_TRANSITION = "docker_transition"  # a container crash-looped, went unhealthy, recovered
    DOCKER_ACTION = "docker_action"  # an operator's action on a container, whatever its outcome


# Kinds added by later capabilities still load: the store keeps `kind` as text.
KNOWN_KINDS = frozenset(k.value for k in EventKind)


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_ts(moment: datetime) -> str:
    """UTC, millisecond precision, lexically sortable: 2026-11-22T04:46:55.123Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def new_event_id() -> str:
    import uuid  # loaded on first use: the uuid module costs start-up time

    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    title: str
    severity: Severity
    started_at: datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class Event:
    uuid: str
    ts: datetime
    kind: str
    actor: str
    source: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)
    pinned: bool = False
    subject: str | None = None
    seq: int = 0

    def data_json(self) -> str:
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"), default=str)


@dataclass(frozen=True, slots=True)
class MilestoneMark:
    milestone: Milestone
    at: datetime
    actor: str
    recorded_at: datetime

    @property
    def backdated(self) -> bool:
        return self.at < self.recorded_at - timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class IncidentState:
    """What the incident looks like now, folded from its events."""

    incident: Incident
    severity: Severity
    status: Status
    milestones: dict[Milestone, MilestoneMark]
    pinned: frozenset[str]
    event_count: int

    @property
    def acknowledged(self) -> MilestoneMark | None:
        return self.milestones.get(Milestone.ACKNOWLEDGED)


class StateFolder:
    """Replays events in order into the incident's current state, incrementally.

    The latest severity or status change wins, and so does the latest mark of a
    milestone: marking "detected" again (say, backdated once the first alert is
    found) is a correction. Every mark stays in the timeline, so the review sees
    what was claimed, when, and by whom.
    """

    def __init__(self, incident: Incident) -> None:
        self.incident = incident
        self.severity = incident.severity
        self.status = Status.INVESTIGATING
        self.milestones: dict[Milestone, MilestoneMark] = {}
        self.pinned: set[str] = set()
        self.event_count = 0
        self.last_seq = 0

    def apply(self, event: Event) -> None:
        self.event_count += 1
        self.last_seq = max(self.last_seq, event.seq)
        if event.pinned:
            self.pinned.add(event.uuid)
        if event.kind == EventKind.SEVERITY_CHANGED:
            self.severity = _enum_or(Severity, event.data.get("to"), self.severity)
        elif event.kind == EventKind.STATUS_CHANGED:
            self.status = _enum_or(Status, event.data.get("to"), self.status)
        elif event.kind == EventKind.MILESTONE:
            mark = milestone_mark(event)
            if mark is not None:
                self.milestones[mark.milestone] = mark
        elif event.kind == EventKind.PIN_CHANGED:
            target = str(event.data.get("target", ""))
            if event.data.get("pinned"):
                self.pinned.add(target)
            else:
                self.pinned.discard(target)

    def snapshot(self) -> IncidentState:
        return IncidentState(
            incident=self.incident,
            severity=self.severity,
            status=self.status,
            milestones=dict(self.milestones),
            pinned=frozenset(self.pinned),
            event_count=self.event_count,
        )


def fold_state(incident: Incident, events: Iterable[Event]) -> IncidentState:
    folder = StateFolder(incident)
    for event in events:
        folder.apply(event)
    return folder.snapshot()


def milestone_mark(event: Event) -> MilestoneMark | None:
    try:
        milestone = Milestone(event.data.get("milestone"))
        at = parse_ts(str(event.data.get("at") or format_ts(event.ts)))
    except ValueError:
        return None
    return MilestoneMark(milestone=milestone, at=at, actor=event.actor, recorded_at=event.ts)


def _enum_or(enum: type[_E], value: object, default: _E) -> _E:
    try:
        return enum(str(value))
    except ValueError:
        return default
