"""Incident metrics from the timeline's milestones, with the formulas they use.

Definitions (every time is a milestone's `at`, the latest mark of it winning,
as in the console; "declared" is the incident header's start):

* start            = impact_started if marked, else declared
* time to detect   = detected - impact_started (needs impact_started; detected
                     defaults to declared: a declared incident was detected by then)
* time to acknowledge = acknowledged - start
* time to mitigate = mitigated - start
* time to resolve  = resolved - start
* acknowledged after declaration = acknowledged - declared, compared with the
  severity's response target (P0 5 min ... P3 4 h)
* duration         = resolved - start; impact = (mitigated, else resolved) - start
* time in each status and severity: the spans between changes, from declared
  to the end of the incident (the latest change to "resolved" if it is
  resolved, else `as_of`: the last event's time unless given)
* status updates: count, the longest gap between declaration and the first
  update or between updates, and how many came after the time promised

Milestones out of order (the expected order is impact_started <= detected <=
acknowledged <= mitigated <= resolved) are listed in `out_of_order`; the
durations are still computed from the times as marked, so a negative duration
shows the problem instead of hiding it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from tui.timeline.model import (
    Event,
    EventKind,
    Incident,
    Milestone,
    MilestoneMark,
    Severity,
    Status,
    milestone_mark,
)

K = TypeVar("K")

ORDER = (
    Milestone.IMPACT_STARTED,
    Milestone.DETECTED,
    Milestone.ACKNOWLEDGED,
    Milestone.MITIGATED,
    Milestone.RESOLVED,
)
# The seeds' cadence when an update did not say when the next one comes.
DEFAULT_UPDATE_MINUTES = 15.0
# Events the metrics read; a reader can fetch just these through the kind index.
METRIC_KINDS = (
    EventKind.DECLARED,
    EventKind.SEVERITY_CHANGED,
    EventKind.STATUS_CHANGED,
    EventKind.MILESTONE,
    EventKind.STATUS_UPDATE,
    EventKind.ESCALATION,
)


@dataclass(frozen=True, slots=True)
class Measure:
    name: str
    formula: str
    value: timedelta | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class UpdateStats:
    count: int
    longest_gap: timedelta | None
    late: int
    # (when it was due, how late, whether it came at all before the end)
    late_details: tuple[tuple[datetime, timedelta, bool], ...]


@dataclass(frozen=True, slots=True)
class Metrics:
    declared_at: datetime
    start: datetime
    start_basis: str  # "impact_started" or "declared"
    end: datetime
    ongoing: bool
    milestones: dict[Milestone, MilestoneMark]
    measures: tuple[Measure, ...]
    ack_after_declaration: timedelta | None
    response_target: timedelta
    target_severity: Severity
    duration: timedelta | None
    impact: timedelta | None
    time_in_status: dict[Status, timedelta]
    time_in_severity: dict[Severity, timedelta]
    severities: tuple[Severity, ...]  # every severity the incident had, in order
    out_of_order: tuple[str, ...]
    corrections: int
    updates: UpdateStats

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)

    @property
    def highest_severity(self) -> Severity:
        return min(self.severities)  # P0 sorts first


@dataclass(slots=True)
class MetricsFolder:
    """Collects what the metrics need; apply events in commit order."""

    incident: Incident
    severity_changes: list[tuple[datetime, Severity]] = field(default_factory=list)
    status_changes: list[tuple[datetime, Status]] = field(default_factory=list)
    milestones: dict[Milestone, MilestoneMark] = field(default_factory=dict)
    corrections: int = 0
    updates: list[tuple[datetime, float]] = field(default_factory=list)
    last_ts: datetime | None = None

    def __post_init__(self) -> None:
        started = self.incident.started_at
        self.severity_changes.append((started, self.incident.severity))
        self.status_changes.append((started, Status.INVESTIGATING))

    def apply(self, event: Event) -> None:
        if self.last_ts is None or event.ts > self.last_ts:
            self.last_ts = event.ts
        kind, data = event.kind, event.data
        if kind == EventKind.SEVERITY_CHANGED:
            try:
                self.severity_changes.append((event.ts, Severity(str(data.get("to")))))
            except ValueError:
                pass
        elif kind == EventKind.STATUS_CHANGED:
            try:
                self.status_changes.append((event.ts, Status(str(data.get("to")))))
            except ValueError:
                pass
        elif kind == EventKind.MILESTONE:
            mark = milestone_mark(event)
            if mark is not None:
                if mark.milestone in self.milestones:
                    self.corrections += 1
                self.milestones[mark.milestone] = mark
        elif kind == EventKind.STATUS_UPDATE:
            minutes = data.get("next_update_minutes")
            promised = float(minutes) if isinstance(minutes, int | float) else 0.0
            self.updates.append((event.ts, promised))

    def result(self, as_of: datetime | None = None) -> Metrics:
        incident = self.incident
        declared = incident.started_at
        marks = {m: mark.at for m, mark in self.milestones.items()}
        start = marks.get(Milestone.IMPACT_STARTED, declared)
        basis = "impact_started" if Milestone.IMPACT_STARTED in marks else "declared"
        final_status = self.status_changes[-1][1]
        resolved_change = self.status_changes[-1][0] if final_status is Status.RESOLVED else None
        ongoing = resolved_change is None
        end = resolved_change or as_of or self.last_ts or declared
        target_severity = _severity_at(self.severity_changes, marks.get(Milestone.ACKNOWLEDGED))
        ack = marks.get(Milestone.ACKNOWLEDGED)
        resolved = marks.get(Milestone.RESOLVED)
        mitigated = marks.get(Milestone.MITIGATED)
        return Metrics(
            declared_at=declared,
            start=start,
            start_basis=basis,
            end=end,
            ongoing=ongoing,
            milestones=dict(self.milestones),
            measures=_measures(marks, start, basis, declared),
            ack_after_declaration=ack - declared if ack else None,
            response_target=target_severity.response_target,
            target_severity=target_severity,
            duration=resolved - start if resolved else None,
            impact=(mitigated or resolved) - start if (mitigated or resolved) else None,
            time_in_status=_spans(self.status_changes, end),
            time_in_severity=_spans(self.severity_changes, end),
            severities=tuple(dict.fromkeys(s for _, s in self.severity_changes)),
            out_of_order=_out_of_order(self.milestones),
            corrections=self.corrections,
            updates=_update_stats(declared, self.updates, end),
        )


def compute_metrics(
    incident: Incident, events: Iterable[Event], *, as_of: datetime | None = None
) -> Metrics:
    folder = MetricsFolder(incident)
    for event in events:
        folder.apply(event)
    return folder.result(as_of)


def _measures(
    marks: dict[Milestone, datetime], start: datetime, basis: str, declared: datetime
) -> tuple[Measure, ...]:
    origin = "impact started" if basis == "impact_started" else "declared"
    impact = marks.get(Milestone.IMPACT_STARTED)
    detected = marks.get(Milestone.DETECTED)
    if impact is None:
        detect = Measure(
            "time to detect", "detected − impact started", None, "no impact_started milestone"
        )
    elif detected is None:
        detect = Measure(
            "time to detect",
            "declared − impact started",
            declared - impact,
            "no detected milestone: declaration used",
        )
    else:
        detect = Measure("time to detect", "detected − impact started", detected - impact)
    found = [detect]
    for name, milestone in (
        ("time to acknowledge", Milestone.ACKNOWLEDGED),
        ("time to mitigate", Milestone.MITIGATED),
        ("time to resolve", Milestone.RESOLVED),
    ):
        at = marks.get(milestone)
        formula = f"{milestone.value.replace('_', ' ')} − {origin}"
        note = "" if at is not None else f"no {milestone.value} milestone"
        found.append(Measure(name, formula, at - start if at is not None else None, note))
    return tuple(found)


def _severity_at(changes: list[tuple[datetime, Severity]], moment: datetime | None) -> Severity:
    """The severity in force at `moment` (the latest one when there is no moment)."""
    current = changes[0][1]
    for at, severity in changes:
        if moment is not None and at > moment:
            break
        current = severity
    return current


def _spans(changes: list[tuple[datetime, K]], end: datetime) -> dict[K, timedelta]:
    totals: dict[K, timedelta] = {}
    for (at, value), (following, _) in zip(changes, [*changes[1:], (end, None)], strict=True):
        stop = min(following, end)
        if stop > at:
            totals[value] = totals.get(value, timedelta()) + (stop - at)
    return totals


def _out_of_order(milestones: dict[Milestone, MilestoneMark]) -> tuple[str, ...]:
    found = []
    marked = [m for m in ORDER if m in milestones]
    for index, earlier in enumerate(marked):
        for later in marked[index + 1 :]:
            a, b = milestones[earlier].at, milestones[later].at
            if b < a:
                found.append(
                    f"{later.value} ({b:%Y-%m-%d %H:%M:%S} UTC) is before"
                    f" {earlier.value} ({a:%Y-%m-%d %H:%M:%S} UTC)"
                )
    return tuple(found)


def _update_stats(
    declared: datetime, updates: list[tuple[datetime, float]], end: datetime
) -> UpdateStats:
    """Each update is due when the one before it promised (the first: 15 min after declaring)."""
    previous, promised = declared, DEFAULT_UPDATE_MINUTES
    longest: timedelta | None = None
    late: list[tuple[datetime, timedelta, bool]] = []
    for at, next_minutes in updates:
        gap = at - previous
        longest = gap if longest is None else max(longest, gap)
        due = previous + timedelta(minutes=promised)
        if promised and at > due:
            late.append((due, at - due, True))
        previous, promised = at, next_minutes
    # An update promised but never posted before the end is late too.
    due = previous + timedelta(minutes=promised)
    if promised and end > due:
        late.append((due, end - due, False))
    return UpdateStats(len(updates), longest, len(late), tuple(late))
