"""The incident process as the timeline records it: roles, status updates, escalations.

Plain folding of events, like `StateFolder`: the console's timers, the banner,
the review summary and the postmortem all read the same facts from the same
events, whichever console (or machine) recorded them.

Event data written by the console (and read here):

* status_update: number, status, impact, actions, public (the status-page line),
  next_update_minutes (None once resolved), next_update_at
* timer_snoozed: timer ("status_update"), minutes, until
* timer_prompt: timer ("status_update" or "escalation"), level, due_at
* escalation: level ("L1".."L3"), role, to (who was paged), due_at
* role_assigned: role (commander, scribe, comms, sme), names, previous
* todo: the text is the action item
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from tui.timeline.model import Event, EventKind, parse_ts

# Roles from the seeds' commander checklist ("Assign roles (Commander, Scribe,
# SMEs)") and their communication duty; the order is the banner's.
ROLES: dict[str, str] = {
    "commander": "Incident commander",
    "scribe": "Scribe",
    "comms": "Communications",
    "sme": "Subject experts",
}
ROLE_SHORT: dict[str, str] = {"commander": "IC", "scribe": "scribe", "comms": "comms", "sme": "SME"}

# A note that starts with "TODO" (from the shell: warroom note "TODO: ...") is an
# action item as much as one recorded with the console's TODO key.
_TODO_NOTE = re.compile(r"^\s*todo\b[\s:.-]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    seq: int
    at: datetime
    actor: str
    number: int
    status: str
    impact: str
    actions: str
    public: str
    next_update_minutes: float | None
    text: str


@dataclass(frozen=True, slots=True)
class Escalation:
    seq: int
    at: datetime
    actor: str
    level: str
    role: str
    to: str


@dataclass(frozen=True, slots=True)
class Prompt:
    seq: int
    at: datetime
    timer: str  # "status_update" or "escalation"
    level: str  # the escalation level, "" for a status update
    text: str


@dataclass(frozen=True, slots=True)
class ActionItem:
    seq: int
    at: datetime
    actor: str
    text: str


@dataclass(slots=True)
class ProcessFolder:
    """Replays events into the process facts; apply events in commit order."""

    updates: list[StatusUpdate] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    todos: list[ActionItem] = field(default_factory=list)
    snoozed_until: datetime | None = None
    snoozed_after_update: int = 0  # the update count a snooze applies to
    prompts: list[Prompt] = field(default_factory=list)
    # The latest prompt state per timer subject ("due 2026-...", "L2 due"): a
    # console records a prompt only when it is not there yet.
    last_prompt: dict[str, str] = field(default_factory=dict)

    def apply(self, event: Event) -> None:
        kind, data = event.kind, event.data
        if kind == EventKind.STATUS_UPDATE:
            self.updates.append(_status_update(event))
        elif kind == EventKind.TIMER_SNOOZED:
            until = _time(data.get("until"))
            if until is not None and data.get("timer") == "status_update":
                self.snoozed_until = until
                self.snoozed_after_update = len(self.updates)
        elif kind == EventKind.TIMER_PROMPT:
            prompt = Prompt(
                event.seq,
                event.ts,
                str(data.get("timer", "")),
                str(data.get("level", "")),
                event.text,
            )
            self.prompts.append(prompt)
            if event.subject:
                self.last_prompt[event.subject] = str(data.get("state", ""))
        elif kind == EventKind.ESCALATION:
            self.escalations.append(
                Escalation(
                    event.seq,
                    event.ts,
                    event.actor,
                    str(data.get("level", "")),
                    str(data.get("role", "")),
                    str(data.get("to", "")),
                )
            )
        elif kind == EventKind.ROLE_ASSIGNED:
            role = str(data.get("role", ""))
            names = data.get("names")
            if role and isinstance(names, list):
                self.roles[role] = tuple(str(n) for n in names if str(n).strip())
        elif kind == EventKind.TODO:
            self.todos.append(ActionItem(event.seq, event.ts, event.actor, event.text.strip()))
        elif kind == EventKind.NOTE and _TODO_NOTE.match(event.text):
            item = _TODO_NOTE.sub("", event.text, count=1).strip()
            if item:
                self.todos.append(ActionItem(event.seq, event.ts, event.actor, item))

    @property
    def last_update(self) -> StatusUpdate | None:
        return self.updates[-1] if self.updates else None

    @property
    def snooze(self) -> datetime | None:
        """The snooze in force: one given after the latest update (a new update ends it)."""
        if self.snoozed_until is None or self.snoozed_after_update != len(self.updates):
            return None
        return self.snoozed_until

    def escalated(self, level: str) -> Escalation | None:
        for escalation in reversed(self.escalations):
            if escalation.level == level:
                return escalation
        return None


def _status_update(event: Event) -> StatusUpdate:
    data = event.data
    minutes = data.get("next_update_minutes")
    try:
        number = int(data.get("number") or 0)
    except (TypeError, ValueError):
        number = 0
    return StatusUpdate(
        seq=event.seq,
        at=event.ts,
        actor=event.actor,
        number=number,
        status=str(data.get("status", "")),
        impact=str(data.get("impact", "")),
        actions=str(data.get("actions", "")),
        public=str(data.get("public", "")),
        next_update_minutes=float(minutes) if isinstance(minutes, int | float) else None,
        text=event.text,
    )


def _time(value: object) -> datetime | None:
    try:
        return parse_ts(str(value)) if value else None
    except ValueError:
        return None


def roles_line(roles: dict[str, tuple[str, ...]], *, short: bool = False) -> str:
    """'IC alice · scribe bob · SME dan, erin' (assigned roles only, in the seeds' order)."""
    labels = ROLE_SHORT if short else ROLES
    parts = [f"{labels[role]} {', '.join(roles[role])}" for role in ROLES if roles.get(role)]
    return " · ".join(parts)
