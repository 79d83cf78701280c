"""The postmortem draft: the seeds' template, filled with what the timeline knows.

Sections, in the seeds' order: Summary, Impact (with the metrics), Root cause,
Resolution, Timeline, What went well, What went wrong, Action items, Lessons
learned. Facts come from events (times, milestones, status updates, actions,
TODO notes); what only people know (the cause, the lessons) is left as a
clearly marked "To write" prompt. Nothing is guessed: where a fact is missing
the draft says which milestone or event would have given it.

Operator text is untrusted: control characters are made visible and Markdown
punctuation is escaped, so a note cannot add headings, links or HTML.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from tui.safetext import one_line
from tui.timeline.metrics import Metrics, MetricsFolder
from tui.timeline.model import Event, EventKind, Incident, Milestone, StateFolder
from tui.timeline.process import ROLES, ProcessFolder

# Events a postmortem timeline lists; the others (automatic transitions, timer
# prompts, pins) only when pinned. The JSON export has every event.
NARRATIVE_KINDS = frozenset(
    {
        EventKind.DECLARED,
        EventKind.SEVERITY_CHANGED,
        EventKind.STATUS_CHANGED,
        EventKind.MILESTONE,
        EventKind.NOTE,
        EventKind.K8S_ACTION,
        EventKind.LOG_EVIDENCE,
        EventKind.RUNBOOK_RUN,
        EventKind.STATUS_UPDATE,
        EventKind.ESCALATION,
        EventKind.ROLE_ASSIGNED,
        EventKind.TODO,
        EventKind.MERGED,
    }
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def md(text: str, *, max_chars: int = 500) -> str:
    """Operator text as inert Markdown on one line."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(text, max_chars=max_chars))


def fmt_delta(delta: timedelta | None) -> str:
    """'45s', '12m 30s', '1h 05m', '2d 03h'; negative with a minus sign; None as '—'."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds())
    sign = "−" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds}s"
    if seconds < 3600:
        minutes, rest = divmod(seconds, 60)
        return f"{sign}{minutes}m {rest:02d}s" if rest else f"{sign}{minutes}m"
    if seconds < 86400:
        return f"{sign}{seconds // 3600}h {(seconds % 3600) // 60:02d}m"
    return f"{sign}{seconds // 86400}d {(seconds % 86400) // 3600:02d}h"


def utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


def prompt(text: str) -> str:
    return f"> **To write:** {text}"


def resolve_zone(name: str | None) -> tzinfo | None:
    """A zone for the second time column; None for UTC only. Raises ValueError if unknown."""
    if not name or name.upper() in {"UTC", "Z"}:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r} (use a name like Europe/Paris)") from error


@dataclass(slots=True)
class FactsCollector:
    """One pass over the events gathers everything the postmortem shows."""

    incident: Incident
    pinned_only: bool = False
    state: StateFolder = field(init=False)
    metrics: MetricsFolder = field(init=False)
    process: ProcessFolder = field(default_factory=ProcessFolder)
    entries: dict[str, Event] = field(default_factory=dict)
    actions: list[Event] = field(default_factory=list)
    identified: list[Event] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    actors: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.state = StateFolder(self.incident)
        self.metrics = MetricsFolder(self.incident)

    def apply(self, event: Event) -> None:
        self.state.apply(event)
        self.metrics.apply(event)
        self.process.apply(event)
        self.kinds[event.kind] += 1
        self.actors[event.actor] += 1
        if event.pinned or (event.kind in NARRATIVE_KINDS and not self.pinned_only):
            self.entries[event.uuid] = event
        result = event.data.get("result")
        if (event.kind == EventKind.K8S_ACTION and result == "succeeded") or (
            event.kind == EventKind.RUNBOOK_RUN and result == "ran"
        ):
            self.actions.append(event)
        if event.kind == EventKind.STATUS_UPDATE and event.data.get("status") == "identified":
            self.identified.append(event)

    def missing_pins(self) -> set[str]:
        """Events pinned later (by a pin event) that the pass did not keep: fetch and `add`."""
        return set(self.state.pinned) - set(self.entries)

    def add(self, event: Event) -> None:
        self.entries[event.uuid] = event

    def timeline(self) -> list[Event]:
        """Pinned events (as pinned at the end), and the key kinds unless pinned-only."""
        pinned = self.state.pinned
        chosen = [
            event
            for event in self.entries.values()
            if event.uuid in pinned or (not self.pinned_only and event.kind in NARRATIVE_KINDS)
        ]
        return sorted(chosen, key=lambda e: e.seq)


def render_postmortem(
    facts: FactsCollector,
    *,
    zone: tzinfo | None = None,
    zone_name: str = "",
    source: str = "",
    as_of: datetime | None = None,
) -> str:
    metrics = facts.metrics.result(as_of)
    state = facts.state.snapshot()
    out: list[str] = []
    _header(out, facts, metrics, source)
    _summary(out, facts, metrics)
    _impact(out, facts, metrics)
    _root_cause(out, facts)
    _resolution(out, facts)
    _timeline(out, facts, zone, zone_name, state.pinned)
    _went_well(out, facts, metrics)
    _went_wrong(out, facts, metrics)
    _action_items(out, facts)
    out += ["## Lessons learned", "", prompt("what did we learn, and what will we do differently?")]
    return "\n".join(out).rstrip() + "\n"


def _header(out: list[str], facts: FactsCollector, metrics: Metrics, source: str) -> None:
    incident = facts.incident
    state = facts.state.snapshot()
    severity = state.severity.value
    if metrics.highest_severity != state.severity:
        severity += f" (highest: {metrics.highest_severity.value})"
    out += [
        f"# Postmortem: {md(incident.title, max_chars=200)}",
        "",
        f"- **Date:** {incident.started_at:%Y-%m-%d} (declared {utc(incident.started_at)} UTC"
        f" by {md(incident.created_by)})",
        f"- **Severity:** {severity}",
        f"- **Status:** {state.status.value}",
        f"- **Duration:** {_duration_line(metrics)}",
    ]
    roles = [
        f"{ROLES[role]}: {md(', '.join(names))}"
        for role in ROLES
        if (names := facts.process.roles.get(role))
    ]
    out.append(f"- **Roles:** {'; '.join(roles)}" if roles else "- **Roles:** none recorded")
    people = ", ".join(md(actor) for actor, _ in facts.actors.most_common())
    out.append(f"- **In the timeline:** {people}")
    events = sum(facts.kinds.values())
    origin = f" of {md(source)}" if source else ""
    out += [
        f"- **Incident id:** `{md(incident.id)}`; drafted from the {events} events{origin}",
        "",
        "Drafted by warroom from the incident timeline. Facts come from recorded events;"
        " every **To write** prompt is for the team.",
        "",
    ]


def _duration_line(metrics: Metrics) -> str:
    basis = "impact start" if metrics.start_basis == "impact_started" else "declaration"
    if metrics.duration is not None:
        return f"{fmt_delta(metrics.duration)} ({basis} to resolved)"
    if metrics.ongoing:
        return f"not resolved: {fmt_delta(metrics.end - metrics.start)} from {basis} so far"
    return "unknown (no resolved milestone)"


def _summary(out: list[str], facts: FactsCollector, metrics: Metrics) -> None:
    out += [
        "## Summary",
        "",
        prompt("2–3 sentences: what happened, who was affected, how it ended."),
    ]
    marks = metrics.milestones
    steps = [f"declared {utc(metrics.declared_at)} UTC"]
    for milestone in (Milestone.MITIGATED, Milestone.RESOLVED):
        if milestone in marks:
            steps.append(f"{milestone.value} {utc(marks[milestone].at)} UTC")
    out += ["", f"From the timeline: {', '.join(steps)}."]
    last = facts.process.last_update
    if last is not None:
        out += ["", f"Latest status update ({utc(last.at)} UTC, {md(last.status)}):"]
        out += _quote(last.public or last.text)
    out.append("")


def _impact(out: list[str], facts: FactsCollector, metrics: Metrics) -> None:
    out += ["## Impact", ""]
    start_name = "impact start" if metrics.start_basis == "impact_started" else "declaration"
    out.append(
        f"- **Duration:** {_duration_line(metrics)}; counted from the {start_name}"
        f" at {utc(metrics.start)} UTC"
    )
    if metrics.impact is not None:
        out.append(f"- **Until mitigated:** {fmt_delta(metrics.impact)}")
    spans = ", ".join(f"{s.value} {fmt_delta(d)}" for s, d in metrics.time_in_severity.items())
    out.append(f"- **Severity:** {facts.state.snapshot().severity.value}; time at each: {spans}")
    impacts = [u for u in facts.process.updates if u.impact.strip()]
    if impacts:
        out.append("- **Impact as reported in status updates:**")
        out += [f"  - {utc(u.at)} UTC: {md(u.impact)}" for u in impacts]
    out += ["", prompt("users affected, services impacted, revenue impact."), ""]
    out += ["### Metrics", "", "| Metric | Formula | Value |", "|---|---|---|"]
    for measure in metrics.measures:
        value = fmt_delta(measure.value)
        if measure.note:
            value += f" ({measure.note})"
        out.append(f"| {measure.name.capitalize()} | {measure.formula} | {value} |")
    target = metrics.response_target
    ack = metrics.ack_after_declaration
    verdict = "" if ack is None else (" (met)" if ack <= target else " (missed)")
    out.append(
        f"| Acknowledged after declaration | acknowledged − declared; target"
        f" {metrics.target_severity.value}: {fmt_delta(target)} | {fmt_delta(ack)}{verdict} |"
    )
    out.append("")
    statuses = ", ".join(f"{s.value} {fmt_delta(d)}" for s, d in metrics.time_in_status.items())
    out.append(f"Time in each status: {statuses or '—'}.")
    updates = metrics.updates
    if updates.count:
        out.append(
            f"Status updates: {updates.count} posted; longest gap"
            f" {fmt_delta(updates.longest_gap)}; {updates.late} late."
        )
    else:
        out.append("Status updates: none posted.")
    escalations = facts.process.escalations
    if escalations:
        listed = "; ".join(
            f"{md(e.level)} ({md(e.role)}){' ' + md(e.to) if e.to else ''} at {utc(e.at)} UTC"
            for e in escalations
        )
        out.append(f"Escalations: {listed}.")
    if metrics.corrections:
        out.append(f"Milestone corrections: {metrics.corrections} (the latest mark is used).")
    if metrics.out_of_order:
        out += ["", "**Milestones out of order** (metrics use them as marked):"]
        out += [f"- {item}" for item in metrics.out_of_order]
    out.append("")


def _root_cause(out: list[str], facts: FactsCollector) -> None:
    out += [
        "## Root cause",
        "",
        prompt(
            "what caused the issue, with the evidence? The timeline records symptoms, not causes."
        ),
    ]
    if facts.identified:
        out += ["", "Said when the cause was identified:"]
        for event in facts.identified:
            public = str(event.data.get("public") or event.text)
            out.append(f"- {utc(event.ts)} UTC, {md(event.actor)}: {md(public)}")
    out.append("")


def _resolution(out: list[str], facts: FactsCollector) -> None:
    out += ["## Resolution", "", prompt("what fixed it, and is the fix permanent?")]
    if facts.actions:
        out += ["", "Changes and commands recorded:"]
        for event in facts.actions:
            out.append(f"- {utc(event.ts)} UTC, {md(event.actor)}: {md(event.text)}")
    else:
        out += ["", "No cluster action or runbook command was recorded."]
    out.append("")


def _timeline(
    out: list[str],
    facts: FactsCollector,
    zone: tzinfo | None,
    zone_name: str,
    pinned: frozenset[str],
) -> None:
    entries = facts.timeline()
    total = sum(facts.kinds.values())
    out += ["## Timeline", ""]
    which = "Pinned events" if facts.pinned_only else "Key events and every pinned (★) event"
    out.append(f"{which}: {len(entries)} of {total}; the JSON export has all of them.")
    out.append("")
    header = "| UTC |" + (f" {md(zone_name)} |" if zone else "") + " Who | Event |"
    out += [header, "|---|" + ("---|" if zone else "") + "---|---|"]
    for event in entries:
        local = f" {event.ts.astimezone(zone):%Y-%m-%d %H:%M:%S %Z} |" if zone else ""
        star = "★ " if event.uuid in pinned else ""
        kind = event.kind.replace("_", " ")
        text = _entry_text(event)
        out.append(
            f"| {utc(event.ts)} |{local} {md(event.actor.split('@')[0])} |"
            f" {star}**{md(kind)}**: {md(text, max_chars=300)} |"
        )
    out.append("")


def _entry_text(event: Event) -> str:
    """What a timeline row says; a status update is summed up, not pasted whole."""
    if event.kind != EventKind.STATUS_UPDATE:
        return event.text
    data = event.data
    said = str(data.get("public") or data.get("impact") or "")
    head = f"#{data.get('number', '?')} {data.get('status', '')}"
    return f"{head}: {said}" if said else head


def _went_well(out: list[str], facts: FactsCollector, metrics: Metrics) -> None:
    good: list[str] = []
    ack = metrics.ack_after_declaration
    if ack is not None and ack <= metrics.response_target:
        good.append(
            f"Acknowledged {fmt_delta(ack)} after declaration (target for"
            f" {metrics.target_severity.value}: {fmt_delta(metrics.response_target)})."
        )
    if metrics.updates.count and not metrics.updates.late:
        good.append(f"All {metrics.updates.count} status updates on time.")
    if Milestone.MITIGATED in metrics.milestones and metrics.impact is not None:
        good.append(f"Mitigated {fmt_delta(metrics.impact)} after the start.")
    _facts_section(out, "What went well", good, "what worked: detection, tools, coordination?")


def _went_wrong(out: list[str], facts: FactsCollector, metrics: Metrics) -> None:
    bad: list[str] = []
    ack = metrics.ack_after_declaration
    target = fmt_delta(metrics.response_target)
    if ack is None:
        bad.append("Never acknowledged in the timeline.")
    elif ack > metrics.response_target:
        bad.append(
            f"Acknowledged {fmt_delta(ack)} after declaration (target for"
            f" {metrics.target_severity.value}: {target})."
        )
    for due, late, came in metrics.updates.late_details:
        how = (
            f"came {fmt_delta(late)} late" if came else f"never came ({fmt_delta(late)} to the end)"
        )
        bad.append(f"Status update due {utc(due)} UTC {how}.")
    escalated = {e.level for e in facts.process.escalations}
    for prompt_event in facts.process.prompts:
        if prompt_event.timer == "escalation" and prompt_event.level not in escalated:
            bad.append(f"{md(prompt_event.text)} ({utc(prompt_event.at)} UTC), not escalated.")
    bad += [f"Milestones out of order: {item}." for item in metrics.out_of_order]
    _facts_section(out, "What went wrong", bad, "gaps in monitoring, process, tools?")


def _facts_section(out: list[str], title: str, facts: list[str], question: str) -> None:
    out += [f"## {title}", ""]
    if facts:
        out += ["From the timeline:", *[f"- {item}" for item in facts], ""]
    out += [prompt(question), ""]


def _action_items(out: list[str], facts: FactsCollector) -> None:
    out += ["## Action items", ""]
    todos = facts.process.todos
    if todos:
        for item in todos:
            out.append(
                f"- [ ] {md(item.text)} (raised by {md(item.actor.split('@')[0])},"
                f" {utc(item.at)} UTC)"
            )
        out += ["", prompt("an owner and a due date for each.")]
    else:
        out.append(
            prompt(
                "preventive measures, monitoring, runbook updates (no TODO note was"
                " recorded: `t` in the console, or a note starting with TODO)."
            )
        )
    out.append("")


def _quote(text: str) -> list[str]:
    return [f"> {md(line, max_chars=500)}" for line in text.strip().splitlines() if line.strip()]


def collect(
    incident: Incident, events: Iterable[Event], *, pinned_only: bool = False
) -> FactsCollector:
    facts = FactsCollector(incident, pinned_only=pinned_only)
    for event in events:
        facts.apply(event)
    return facts
