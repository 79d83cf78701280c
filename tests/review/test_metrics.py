"""Metrics from milestones: the documented formulas, and milestones out of order."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import run_coroutine
from tests.helpers.fixed import T0
from tests.review.script import write_script
from tui.timeline.metrics import compute_metrics
from tui.timeline.model import Event, EventKind, Incident, Milestone, Severity, Status, format_ts
from tui.timeline.reader import TimelineReader

INCIDENT = Incident("i", "Checkout down", Severity.P1, T0, "alice@b")


def event(minute: float, kind: str, **data: Any) -> Event:
    return Event(
        uuid=f"e{minute}{kind}",
        ts=T0 + timedelta(minutes=minute),
        kind=kind,
        actor="alice@b",
        source="operator",
        text="",
        data=data,
    )


def mark(minute: float, milestone: Milestone, at: float) -> Event:
    return event(
        minute,
        EventKind.MILESTONE,
        milestone=milestone.value,
        at=format_ts(T0 + timedelta(minutes=at)),
    )


def test_the_scripted_incident(tmp_path: Path) -> None:
    path = tmp_path / "incident.db"
    run_coroutine(write_script(path))
    with TimelineReader(path) as reader:
        metrics = compute_metrics(reader.incident, (r.to_event() for r in reader.rows()))
    minutes = {m.name: m.value / timedelta(minutes=1) for m in metrics.measures if m.value}
    # start = impact_started (-10); detected -4, acknowledged +3, mitigated +21, resolved +50
    assert minutes == {
        "time to detect": 6,
        "time to acknowledge": 13,
        "time to mitigate": 31,
        "time to resolve": 60,
    }
    assert metrics.start_basis == "impact_started"
    assert metrics.ack_after_declaration == timedelta(minutes=3)
    assert metrics.target_severity is Severity.P1  # in force when acknowledged
    assert metrics.duration == timedelta(minutes=60)
    assert metrics.impact == timedelta(minutes=31)
    assert not metrics.ongoing
    assert metrics.time_in_status == {
        Status.INVESTIGATING: timedelta(minutes=10),
        Status.IDENTIFIED: timedelta(minutes=13),
        Status.MONITORING: timedelta(minutes=27),
    }
    assert metrics.time_in_severity == {
        Severity.P1: timedelta(minutes=12),
        Severity.P0: timedelta(minutes=38),
    }
    # Updates at +8, +20, +40 (promised by +35: 5 min late), +50.
    assert metrics.updates.count == 4
    assert metrics.updates.late == 1
    assert metrics.updates.longest_gap == timedelta(minutes=20)
    assert metrics.out_of_order == ()


def test_without_impact_start_everything_counts_from_declaration() -> None:
    metrics = compute_metrics(
        INCIDENT, [mark(1, Milestone.ACKNOWLEDGED, 1), mark(9, Milestone.RESOLVED, 9)]
    )
    assert metrics.start == T0 and metrics.start_basis == "declared"
    detect = metrics.measure("time to detect")
    assert detect.value is None and detect.note == "no impact_started milestone"
    assert metrics.measure("time to acknowledge").formula == "acknowledged − declared"
    assert metrics.measure("time to resolve").value == timedelta(minutes=9)
    assert metrics.measure("time to mitigate").note == "no mitigated milestone"


def test_detection_defaults_to_the_declaration() -> None:
    metrics = compute_metrics(INCIDENT, [mark(1, Milestone.IMPACT_STARTED, -7)])
    detect = metrics.measure("time to detect")
    assert detect.value == timedelta(minutes=7)
    assert "declaration used" in detect.note


def test_milestones_out_of_order_are_reported_not_hidden() -> None:
    events = [
        mark(1, Milestone.DETECTED, 5),
        mark(2, Milestone.ACKNOWLEDGED, 2),
        mark(3, Milestone.MITIGATED, 4),
    ]
    metrics = compute_metrics(INCIDENT, events)
    assert len(metrics.out_of_order) == 2
    assert metrics.out_of_order[0].startswith(
        "acknowledged (2026-11-22 14:37:00 UTC) is before detected"
    )
    assert "mitigated (2026-11-22 14:39:00 UTC) is before detected" in metrics.out_of_order[1]


def test_corrections_use_the_latest_mark() -> None:
    events = [mark(1, Milestone.ACKNOWLEDGED, 1), mark(5, Milestone.ACKNOWLEDGED, 2)]
    metrics = compute_metrics(INCIDENT, events)
    assert metrics.corrections == 1
    assert metrics.ack_after_declaration == timedelta(minutes=2)


def test_an_open_incident_runs_to_as_of_and_counts_a_missed_update() -> None:
    metrics = compute_metrics(
        INCIDENT, [event(5, EventKind.NOTE)], as_of=T0 + timedelta(minutes=40)
    )
    assert metrics.ongoing
    assert metrics.time_in_status == {Status.INVESTIGATING: timedelta(minutes=40)}
    assert metrics.updates.count == 0
    assert metrics.updates.late_details == (
        (T0 + timedelta(minutes=15), timedelta(minutes=25), False),
    )
