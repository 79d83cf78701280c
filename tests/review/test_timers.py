"""The process clocks as plain functions of state, facts, settings and an injected time."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from tests.helpers.fixed import T0
from tui.process_settings import ProcessSettings, validate_process
from tui.process_timers import due_prompts, timer_view
from tui.status_templates import compose, new_draft, unfilled
from tui.timeline.model import (
    Event,
    EventKind,
    Incident,
    Milestone,
    Severity,
    StateFolder,
    Status,
    format_ts,
)
from tui.timeline.process import ProcessFolder

INCIDENT = Incident("i", "Checkout down", Severity.P1, T0, "alice@b")
SETTINGS = ProcessSettings()


def event(minute: float, kind: str, subject: str | None = None, **data: Any) -> Event:
    return Event(
        uuid=f"{minute}{kind}",
        ts=T0 + timedelta(minutes=minute),
        kind=kind,
        actor="alice@b",
        source="operator",
        text="",
        data=data,
        subject=subject,
    )


def view_at(minute: float, *events: Event, settings: ProcessSettings = SETTINGS):  # type: ignore[no-untyped-def]
    state, process = StateFolder(INCIDENT), ProcessFolder()
    for item in events:
        state.apply(item)
        process.apply(item)
    view = timer_view(state.snapshot(), process, settings, T0 + timedelta(minutes=minute))
    return view, process


def update(minute: float, next_minutes: int | None = 15, number: int = 1) -> Event:
    return event(
        minute,
        EventKind.STATUS_UPDATE,
        number=number,
        status="investigating",
        next_update_minutes=next_minutes,
    )


def test_first_update_is_due_15_minutes_after_declaration() -> None:
    view, process = view_at(10)
    assert view.update_due_at == T0 + timedelta(minutes=15)
    assert view.update_remaining == timedelta(minutes=5)
    updates = [p for p in due_prompts(view, process) if p.subject == "process:status_update"]
    assert not view.update_overdue and updates == []
    view, process = view_at(15)
    assert view.update_overdue
    [prompt] = [p for p in due_prompts(view, process) if p.subject == "process:status_update"]
    assert prompt.subject == "process:status_update"
    assert prompt.state == f"due {format_ts(T0 + timedelta(minutes=15))}"
    assert prompt.text == "Status update #1 due (every 15 min; none posted yet)"


def test_an_update_resets_the_clock_to_what_it_promised() -> None:
    view, _ = view_at(20, update(12, next_minutes=30))
    assert view.update_due_at == T0 + timedelta(minutes=42)
    assert view.update_number == 2


def test_cadence_per_severity_from_settings() -> None:
    settings = replace(SETTINGS, status_update_minutes_p0=10)
    view, _ = view_at(1, event(0.5, EventKind.SEVERITY_CHANGED, to="P0"), settings=settings)
    assert view.update_due_at == T0 + timedelta(minutes=10)


def test_snooze_puts_the_reminder_off_until_the_next_update() -> None:
    snooze = event(
        16,
        EventKind.TIMER_SNOOZED,
        timer="status_update",
        minutes=5,
        until=format_ts(T0 + timedelta(minutes=21)),
    )
    view, process = view_at(18, snooze)
    assert view.snoozed and view.update_due_at == T0 + timedelta(minutes=21)
    assert [p.subject for p in due_prompts(view, process)] == ["process:escalation"]
    view, _ = view_at(22, snooze, update(21))
    assert not view.snoozed and view.update_due_at == T0 + timedelta(minutes=36)


def test_no_update_is_due_once_resolved() -> None:
    view, _ = view_at(90, event(40, EventKind.STATUS_CHANGED, to="resolved"))
    assert view.update_due_at is None and view.escalation_due is None


def test_a_prompt_already_in_the_timeline_is_not_due_again() -> None:
    due = format_ts(T0 + timedelta(minutes=15))
    prompted = event(
        15,
        EventKind.TIMER_PROMPT,
        subject="process:status_update",
        timer="status_update",
        state=f"due {due}",
    )
    view, process = view_at(16, prompted)
    assert view.update_overdue
    assert [p.subject for p in due_prompts(view, process)] == ["process:escalation"]


def test_escalation_levels_from_the_declaration() -> None:
    view, process = view_at(4)
    assert view.escalation_due is None
    assert view.next_escalation is not None and view.next_escalation[0].name == "L1"
    view, process = view_at(5)
    assert view.escalation_due is not None and view.escalation_due.name == "L1"
    assert [p.state for p in due_prompts(view, process)] == ["L1 due"]
    # Acknowledged: L1 is settled; L2 still counts towards mitigation.
    ack = event(6, EventKind.MILESTONE, milestone="acknowledged", at=format_ts(T0))
    view, _ = view_at(10, ack)
    assert view.escalation_due is None
    assert view.next_escalation == (view.next_escalation[0], T0 + timedelta(minutes=15))  # type: ignore[index]
    view, process = view_at(31, ack)
    assert view.escalation_due is not None and view.escalation_due.name == "L3"
    [prompt] = [p for p in due_prompts(view, process) if p.subject == "process:escalation"]
    assert prompt.text == (
        "Escalation L3 due: not mitigated 30 min after declaration; page the infrastructure lead"
    )


def test_escalating_settles_that_level_and_those_below() -> None:
    escalated = event(16, EventKind.ESCALATION, level="L2", role="team lead", to="carol")
    view, _ = view_at(20, escalated)
    assert view.escalation_due is None
    assert view.next_escalation is not None and view.next_escalation[0].name == "L3"


def test_mitigation_stops_escalation() -> None:
    for mitigation in (
        event(10, EventKind.MILESTONE, milestone=Milestone.MITIGATED.value),
        event(10, EventKind.STATUS_CHANGED, to=Status.MONITORING.value),
    ):
        view, _ = view_at(45, mitigation)
        assert view.escalation_due is None and view.next_escalation is None


def test_timers_can_be_turned_off() -> None:
    view, process = view_at(60, settings=replace(SETTINGS, timers=False))
    assert view.update_due_at is None and view.escalation_due is None
    assert due_prompts(view, process) == []


def test_roles_fold_latest_assignment() -> None:
    view, _ = view_at(
        1,
        event(0, EventKind.ROLE_ASSIGNED, role="commander", names=["alice"]),
        event(1, EventKind.ROLE_ASSIGNED, role="commander", names=["bob"]),
    )
    assert view.roles == {"commander": ("bob",)}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"escalation_l2_minutes": 4}, "escalation_l1_minutes < escalation_l2_minutes"),
        ({"status_update_minutes_p3": 0}, "process.status_update_minutes_p3"),
        ({"snooze_minutes": 500}, "process.snooze_minutes"),
    ],
)
def test_bad_process_settings(change: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_process(replace(SETTINGS, **change))


def test_templates_follow_the_seeds() -> None:
    draft = new_draft(3, "Checkout down", Severity.P1, Status.INVESTIGATING, 15)
    assert draft.public.endswith("We'll provide an update in 15 minutes.")
    identified = draft.with_status(Status.IDENTIFIED)
    assert unfilled(identified) == "[brief technical description]"
    ready = replace(
        identified,
        public="We have identified the issue as a bad deploy.",
        impact="30% of checkouts fail",
        actions="rolling back",
    )
    assert unfilled(ready) is None
    assert compose(ready, T0) == (
        "Incident Update #3 (14:35 UTC): Checkout down [P1]\n"
        "Status: Identified\n"
        "Impact: 30% of checkouts fail\n"
        "Actions: rolling back\n"
        "Next update: in 15 minutes (14:50 UTC) or when status changes\n"
        "\n"
        "Status page: We have identified the issue as a bad deploy."
    )
    resolved = ready.with_status(Status.RESOLVED)
    assert resolved.next_minutes is None
    assert resolved.public == "We have identified the issue as a bad deploy."  # edited: kept
    assert "Next update: none (resolved)" in compose(resolved, T0)
