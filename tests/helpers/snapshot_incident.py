"""The incident the screen pictures show: ten minutes in, with a few events.

Shared by the pictures of the console (tests/test_snapshots.py) and of presentation
mode (tests/test_present.py), so both draw the same incident.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from tests.conftest import run_coroutine
from tests.helpers.fixed import T0, FixedClock
from tui.timeline.model import EventKind
from tui.timeline.store import TimelineStore

SNAPSHOT_ACTOR = "alice@bastion-1"


def snapshot_incident(make_incident: Callable[..., Path]) -> tuple[Path, FixedClock]:
    """Create the incident file and its events; its clock stands ten minutes after T0."""
    clock = FixedClock()
    path = make_incident(title="Checkout returns 502 [payments]", clock=clock)

    async def script() -> None:
        store = await TimelineStore.open(path, clock=clock)
        for minutes, kind, text, data in (
            (2, EventKind.NOTE, "502s from the ingress for /api/checkout", {}),
            (4, EventKind.STATUS_CHANGED, "Status: investigating → identified",
             {"to": "identified"}),
            (6, EventKind.NOTE, "payments pods CrashLoopBackOff: DB connection refused", {}),
        ):  # fmt: skip
            at = T0 + timedelta(minutes=minutes)
            await store.append(kind, text, data=data, actor=SNAPSHOT_ACTOR, at=at)
        await store.close()

    run_coroutine(script())
    clock.now = T0 + timedelta(minutes=10)
    return path, clock
