"""The process clocks: when the next status update is due, and when to escalate.

Plain functions of the incident's state, the process facts folded from the
timeline, the settings and the time `now` (the app's injected clock), so every
console on the file shows the same clocks and tests drive them by hand.

Status updates (the seeds: "every 15 minutes ... or when status changes"):
due `minutes` after the latest update, where `minutes` is what that update
promised ("next update in N minutes"), or the severity's setting; the first is
due that long after the declaration. A snooze puts the reminder off; a new
update ends the snooze. No update is due once the incident is resolved.

Escalation (the seeds' levels: L1 on-call engineer responds within 5 minutes;
L2 team lead if L1 cannot resolve in 15; L3 infrastructure lead if L2 cannot in
30), counted from the declaration, as cumulative thresholds:

* L1 is due at declared + 5 min while nobody has acknowledged;
* L2 at declared + 15 min and L3 at declared + 30 min while the impact is not
  mitigated (a mitigated or resolved milestone, or status monitoring/resolved);
* a level is settled once it (or a higher one) was escalated (`E`).

The banner shows the highest level due; each level due is prompted once in the
timeline (`record_transition` keeps several consoles from writing it twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tui.process_settings import ProcessSettings
from tui.timeline.model import IncidentState, Milestone, Status, format_ts
from tui.timeline.process import ProcessFolder

UPDATE_SUBJECT = "process:status_update"
ESCALATION_SUBJECT = "process:escalation"


@dataclass(frozen=True, slots=True)
class Level:
    name: str  # "L1"
    role: str  # who gets paged, from the seeds
    minutes: float
    until: str  # what settles it: "acknowledged" or "mitigated"


def levels(settings: ProcessSettings) -> tuple[Level, ...]:
    return (
        Level("L1", "on-call engineer", settings.escalation_l1_minutes, "acknowledged"),
        Level("L2", "team lead", settings.escalation_l2_minutes, "mitigated"),
        Level("L3", "infrastructure lead", settings.escalation_l3_minutes, "mitigated"),
    )


@dataclass(frozen=True, slots=True)
class TimerView:
    """What the banner shows and what is due now."""

    update_due_at: datetime | None  # None: no update due (resolved, or timers off)
    update_number: int  # the number the next update gets
    update_minutes: float  # the cadence in force
    snoozed: bool
    escalation_due: Level | None  # the highest level due and not settled
    escalation_due_at: datetime | None
    next_escalation: tuple[Level, datetime] | None  # the next level still to come
    roles: dict[str, tuple[str, ...]]
    now: datetime

    @property
    def update_remaining(self) -> timedelta | None:
        return None if self.update_due_at is None else self.update_due_at - self.now

    @property
    def update_overdue(self) -> bool:
        remaining = self.update_remaining
        return remaining is not None and remaining.total_seconds() <= 0


@dataclass(frozen=True, slots=True)
class DuePrompt:
    """A prompt to record once: the store's `record_transition` arguments."""

    subject: str
    state: str
    text: str
    data: dict[str, object]


def mitigated(state: IncidentState) -> bool:
    return (
        Milestone.MITIGATED in state.milestones
        or Milestone.RESOLVED in state.milestones
        or state.status in (Status.MONITORING, Status.RESOLVED)
    )


def timer_view(
    state: IncidentState, process: ProcessFolder, settings: ProcessSettings, now: datetime
) -> TimerView:
    update_due, minutes, snoozed = _update_due(state, process, settings)
    due, due_at, upcoming = _escalation(state, process, settings, now)
    return TimerView(
        update_due_at=update_due,
        update_number=len(process.updates) + 1,
        update_minutes=minutes,
        snoozed=snoozed,
        escalation_due=due,
        escalation_due_at=due_at,
        next_escalation=upcoming,
        roles=dict(process.roles),
        now=now,
    )


def _update_due(
    state: IncidentState, process: ProcessFolder, settings: ProcessSettings
) -> tuple[datetime | None, float, bool]:
    minutes = settings.update_minutes(state.severity)
    if not settings.timers or state.status is Status.RESOLVED:
        return None, minutes, False
    last = process.last_update
    if last is None:
        due = state.incident.started_at + timedelta(minutes=minutes)
    else:
        # What the last update promised is what readers of it expect.
        minutes = last.next_update_minutes or minutes
        due = last.at + timedelta(minutes=minutes)
    snooze = process.snooze
    if snooze is not None and snooze > due:
        return snooze, minutes, True
    return due, minutes, False


def _escalation(
    state: IncidentState, process: ProcessFolder, settings: ProcessSettings, now: datetime
) -> tuple[Level | None, datetime | None, tuple[Level, datetime] | None]:
    if not settings.timers:
        return None, None, None
    started = state.incident.started_at
    done = mitigated(state)
    acknowledged = state.acknowledged is not None
    all_levels = levels(settings)
    due: Level | None = None
    due_at: datetime | None = None
    upcoming: tuple[Level, datetime] | None = None
    for index, level in enumerate(all_levels):
        settled = done or (level.until == "acknowledged" and acknowledged)
        escalated = any(process.escalated(higher.name) for higher in all_levels[index:])
        if settled or escalated:
            continue
        at = started + timedelta(minutes=level.minutes)
        if now >= at:
            due, due_at = level, at
        elif upcoming is None:
            upcoming = (level, at)
    return due, due_at, upcoming


def due_prompts(view: TimerView, process: ProcessFolder) -> list[DuePrompt]:
    """Prompts due now that the timeline does not hold yet."""
    prompts: list[DuePrompt] = []
    if view.update_due_at is not None and view.update_overdue:
        state = f"due {format_ts(view.update_due_at)}"
        if process.last_prompt.get(UPDATE_SUBJECT) != state:
            last = process.last_update
            since = f"last one at {last.at:%H:%M} UTC" if last else "none posted yet"
            text = (
                f"Status update #{view.update_number} due"
                f" (every {view.update_minutes:g} min; {since})"
            )
            data = {
                "timer": "status_update",
                "due_at": format_ts(view.update_due_at),
                "number": view.update_number,
            }
            prompts.append(DuePrompt(UPDATE_SUBJECT, state, text, data))
    level = view.escalation_due
    if level is not None and view.escalation_due_at is not None:
        state = f"{level.name} due"
        if process.last_prompt.get(ESCALATION_SUBJECT) != state:
            why = "not acknowledged" if level.until == "acknowledged" else "not mitigated"
            text = (
                f"Escalation {level.name} due: {why} {level.minutes:g} min after declaration;"
                f" page the {level.role}"
            )
            data = {
                "timer": "escalation",
                "level": level.name,
                "role": level.role,
                "due_at": format_ts(view.escalation_due_at),
            }
            prompts.append(DuePrompt(ESCALATION_SUBJECT, state, text, data))
    return prompts
