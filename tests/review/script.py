"""A scripted incident with every kind of event, at fixed times, with fixed ids."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from tests.helpers.fixed import T0, FixedClock
from tui.timeline.model import EventKind, Severity, format_ts
from tui.timeline.store import TimelineStore

ALICE = "alice@bastion-1"
BOB = "bob@bastion-2"


@contextmanager
def fixed_ids(prefix: str = "00000000") -> Iterator[None]:
    """Event and incident ids from a counter: exports that do not churn."""
    counter = itertools.count(1)
    with mock.patch(
        "tui.timeline.store.new_event_id",
        lambda: f"{prefix}-0000-4000-8000-{next(counter):012d}",
    ):
        yield


def at(minutes: float) -> str:
    return format_ts(T0 + timedelta(minutes=minutes))


# (minute, kind, actor, text, data, extra append fields)
SCRIPT: list[tuple[float, str, str, str, dict[str, Any], dict[str, Any]]] = [
    (
        1,
        EventKind.ROLE_ASSIGNED,
        ALICE,
        "Incident commander: alice",
        {"role": "commander", "names": ["alice"], "previous": []},
        {},
    ),
    (
        1,
        EventKind.ROLE_ASSIGNED,
        ALICE,
        "Scribe: bob",
        {"role": "scribe", "names": ["bob"], "previous": []},
        {},
    ),
    (
        2,
        EventKind.MILESTONE,
        ALICE,
        "Milestone impact_started",
        {"milestone": "impact_started", "at": at(-10)},
        {},
    ),
    (
        2,
        EventKind.MILESTONE,
        ALICE,
        "Milestone detected",
        {"milestone": "detected", "at": at(-4)},
        {},
    ),
    (
        3,
        EventKind.MILESTONE,
        ALICE,
        "Milestone acknowledged",
        {"milestone": "acknowledged", "at": at(3)},
        {},
    ),
    (
        4,
        EventKind.K8S_TRANSITION,
        ALICE,
        "pod payments-7d9: CrashLoopBackOff",
        {"state": "CrashLoopBackOff"},
        {"source": "kubernetes", "subject": "k8s:pod/payments-7d9"},
    ),
    (5, EventKind.NOTE, BOB, "502s on /api/checkout | upstream [bold]payments[/] <b>", {}, {}),
    (
        6,
        EventKind.LOG_EVIDENCE,
        BOB,
        "12 log lines from payments-7d9: connection refused",
        {"lines": [{"text": "dial tcp 10.0.0.7:5432: connection refused"}]},
        {"source": "logs", "pinned": True},
    ),
    (
        8,
        EventKind.STATUS_UPDATE,
        ALICE,
        "Incident Update #1 (14:43 UTC)",
        {
            "number": 1,
            "status": "investigating",
            "impact": "checkout fails for ~30% of users",
            "actions": "checking the payments pods",
            "public": "We are investigating errors.",
            "next_update_minutes": 15,
        },
        {},
    ),
    (
        10,
        EventKind.STATUS_CHANGED,
        ALICE,
        "Status: investigating → identified",
        {"from": "investigating", "to": "identified"},
        {},
    ),
    (
        12,
        EventKind.SEVERITY_CHANGED,
        ALICE,
        "Severity raised: P1 → P0",
        {"from": "P1", "to": "P0"},
        {},
    ),
    (
        15,
        EventKind.ESCALATION,
        ALICE,
        "Escalated to L2 (team lead): carol",
        {"level": "L2", "role": "team lead", "to": "carol"},
        {},
    ),
    (
        18,
        EventKind.K8S_ACTION,
        BOB,
        "Rollout undo of deployment/payments in shop (prod): succeeded",
        {"action": "undo", "result": "succeeded"},
        {"source": "kubernetes"},
    ),
    (
        20,
        EventKind.STATUS_UPDATE,
        ALICE,
        "Incident Update #2 (14:55 UTC)",
        {
            "number": 2,
            "status": "identified",
            "impact": "checkout fails for ~30% of users",
            "actions": "rolled back payments to v41",
            "public": "We have identified the issue as a bad deploy of payments v42.",
            "next_update_minutes": 15,
        },
        {},
    ),
    (
        22,
        EventKind.MILESTONE,
        BOB,
        "Milestone mitigated",
        {"milestone": "mitigated", "at": at(21)},
        {},
    ),
    (
        23,
        EventKind.STATUS_CHANGED,
        ALICE,
        "Status: identified → monitoring",
        {"from": "identified", "to": "monitoring"},
        {},
    ),
    (30, EventKind.TODO, BOB, "Alert on payments DB pool saturation", {}, {}),
    (31, EventKind.NOTE, ALICE, "TODO: a canary stage for payments deploys", {}, {}),
    (
        40,
        EventKind.STATUS_UPDATE,
        ALICE,
        "Incident Update #3 (15:15 UTC)",
        {
            "number": 3,
            "status": "monitoring",
            "impact": "none since 14:56",
            "actions": "watching error rates",
            "public": "A fix has been implemented.",
            "next_update_minutes": 15,
        },
        {},
    ),
    (
        45,
        EventKind.HOST_ALERT,
        ALICE,
        "disk /: warning (82%)",
        {"state": "warning"},
        {"source": "host", "subject": "host:b:disk:/"},
    ),
    (
        50,
        EventKind.STATUS_CHANGED,
        ALICE,
        "Status: monitoring → resolved",
        {"from": "monitoring", "to": "resolved"},
        {},
    ),
    (
        50,
        EventKind.MILESTONE,
        ALICE,
        "Milestone resolved",
        {"milestone": "resolved", "at": at(50)},
        {},
    ),
    (
        50,
        EventKind.STATUS_UPDATE,
        ALICE,
        "Incident Update #4 (15:25 UTC)",
        {
            "number": 4,
            "status": "resolved",
            "impact": "",
            "actions": "",
            "public": "The issue has been resolved.",
            "next_update_minutes": None,
        },
        {},
    ),
]


async def write_script(path: Path, *, pin_transition: bool = True) -> None:
    """Create `path` and record SCRIPT (call inside `fixed_ids()` for stable ids)."""
    clock = FixedClock()
    store = await TimelineStore.create(
        path, title="Checkout returns 502", severity=Severity.P1, actor=ALICE, clock=clock
    )
    transition_id = ""
    for minute, kind, actor, text, data, extra in SCRIPT:
        event = await store.append(
            kind, text, data=data, actor=actor, at=T0 + timedelta(minutes=minute), **extra
        )
        if kind == EventKind.K8S_TRANSITION:
            transition_id = event.uuid
    if pin_transition:
        await store.append(
            EventKind.PIN_CHANGED,
            "Pinned #7",
            data={"target": transition_id, "pinned": True},
            actor=BOB,
            at=T0 + timedelta(minutes=51),
        )
    await store.close()
