from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.helpers.fixed import T0
from tui.timeline.model import (
    Event,
    EventKind,
    Incident,
    Milestone,
    Severity,
    Status,
    fold_state,
    format_ts,
    parse_ts,
)
from tui.timeline.when import WhenError, parse_when

INCIDENT = Incident("i-1", "Checkout down", Severity.P2, T0, "alice@b")


def event(seq: int, kind: str, data: dict | None = None, *, pinned: bool = False) -> Event:
    return Event(
        uuid=f"e{seq}",
        ts=T0 + timedelta(minutes=seq),
        kind=kind,
        actor="alice@b",
        source="operator",
        text="",
        data=data or {},
        pinned=pinned,
        seq=seq,
    )


def test_timestamps_are_utc_milliseconds_and_round_trip() -> None:
    moment = datetime(2026, 11, 22, 4, 46, 55, 123456, tzinfo=UTC)
    text = format_ts(moment)
    assert text == "2026-11-22T04:46:55.123Z"
    assert parse_ts(text) == moment.replace(microsecond=123000)


def test_response_targets_follow_the_seeds() -> None:
    assert [s.response_target for s in Severity] == [
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=4),
    ]


def test_fold_takes_latest_status_and_severity() -> None:
    state = fold_state(
        INCIDENT,
        [
            event(1, EventKind.DECLARED),
            event(2, EventKind.SEVERITY_CHANGED, {"from": "P2", "to": "P0"}),
            event(3, EventKind.STATUS_CHANGED, {"from": "investigating", "to": "identified"}),
            event(4, EventKind.STATUS_CHANGED, {"from": "identified", "to": "monitoring"}),
            event(5, EventKind.SEVERITY_CHANGED, {"to": "not-a-severity"}),
        ],
    )
    assert state.severity is Severity.P0
    assert state.status is Status.MONITORING
    assert state.event_count == 5


def test_fold_milestones_latest_mark_is_the_correction() -> None:
    earlier = format_ts(T0 - timedelta(minutes=10))
    state = fold_state(
        INCIDENT,
        [
            event(1, EventKind.MILESTONE, {"milestone": "detected"}),
            event(2, EventKind.MILESTONE, {"milestone": "detected", "at": earlier}),
            event(3, EventKind.MILESTONE, {"milestone": "bogus"}),
        ],
    )
    mark = state.milestones[Milestone.DETECTED]
    assert mark.at == T0 - timedelta(minutes=10)
    assert mark.backdated
    assert list(state.milestones) == [Milestone.DETECTED]


def test_fold_pins_and_unpins() -> None:
    state = fold_state(
        INCIDENT,
        [
            event(1, EventKind.NOTE, pinned=True),
            event(2, EventKind.NOTE),
            event(3, EventKind.PIN_CHANGED, {"target": "e2", "pinned": True}),
            event(4, EventKind.PIN_CHANGED, {"target": "e1", "pinned": False}),
        ],
    )
    assert state.pinned == frozenset({"e2"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", T0),
        ("now", T0),
        ("-10m", T0 - timedelta(minutes=10)),
        ("1h30m ago", T0 - timedelta(minutes=90)),
        ("90s", T0 - timedelta(seconds=90)),
        ("14:05", T0.replace(minute=5)),
        ("14:40", T0.replace(minute=40) - timedelta(days=1)),  # later today -> yesterday
        ("2026-11-22 13:00", T0.replace(hour=13, minute=0)),
        ("2026-11-22T13:00:00+01:00", T0.replace(hour=12, minute=0)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, T0) == expected


@pytest.mark.parametrize("text", ["yesterday-ish", "25:00", "2027-01-01 00:00"])
def test_parse_when_refuses_nonsense_and_the_future(text: str) -> None:
    with pytest.raises(WhenError):
        parse_when(text, T0)
