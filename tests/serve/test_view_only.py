"""Viewer mode (`--view-only`, what `warroom serve` runs): the real console on a real
incident file, driven with Pilot. Every way of acting is refused before a dialog opens,
nothing reaches the file, and the timeline still follows what other processes append."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.message import Message

from tests.conftest import wait_for
from tests.helpers.console_text import banner_text, timeline_texts
from tests.helpers.fixed import NO_CLUSTER, FixedClock, FrozenSampler
from tui.app import WarRoomApp
from tui.config import Settings
from tui.screens.console import ConsoleScreen
from tui.view_only import NOTICE, WRITING_ACTIONS
from widgets.container_requests import ContainerActionRequested
from widgets.ingress_pane import IngressPane
from widgets.kube_requests import RESTART, ActionRequested, DrillRequested
from widgets.logs_pane import LogEvidence, LogSaveRequested
from widgets.runbook_pane import RunbookPane
from widgets.timeline_pane import TimelinePane

# Every console key that records something (tui/screens/console.py), and what it records.
WRITING_KEYS = ["n", "s", "S", "a", "M", "u", "t", "R", "E", "Z"]
# The palette's commands that record something (WarRoomApp.get_system_commands).
WRITING_COMMANDS = [
    "Add a note",
    "Change status",
    "Change severity",
    "Acknowledge",
    "Mark a milestone",
    "Post a status update",
    "Add an action item (TODO)",
    "Assign roles",
    "Escalate",
    "Snooze the status-update reminder",
]


# App actions on the console's keys that only change what this screen shows.
VIEWING_ACTIONS = {"toggle_present", "toggle_redaction", "help", "quit"}


def test_every_app_action_on_the_console_keys_is_decided_for_viewers() -> None:
    # A new app action must be named here or in tui/view_only.py: never allowed by default.
    actions = {
        binding.action.removeprefix("app.")
        for binding in ConsoleScreen.BINDINGS
        if isinstance(binding, Binding) and binding.action.startswith("app.")
    }
    assert actions - VIEWING_ACTIONS == WRITING_ACTIONS
    assert not VIEWING_ACTIONS & WRITING_ACTIONS


def event_count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])


def refusals(app: WarRoomApp) -> int:
    # The notifications the app raised (Textual keeps them until they time out).
    return sum(1 for notification in app._notifications if notification.message == NOTICE)


@pytest.fixture
def incident(make_incident: Callable[..., Path], clock: FixedClock) -> Path:
    return make_incident(title="Checkout returns 502", clock=clock)


@pytest.fixture
def viewer(settings: Settings, incident: Path, clock: FixedClock) -> WarRoomApp:
    return WarRoomApp(
        settings,
        incident,
        actor="viewer@bastion-1",
        clock=clock,
        sampler_factory=FrozenSampler,
        kube_options=NO_CLUSTER,
        view_only=True,
    )


async def opened(app: WarRoomApp, pilot: object) -> None:
    await wait_for(lambda: app.store is not None, pilot)
    await wait_for(lambda: app.console_screen.query_one(TimelinePane).table.row_count > 0, pilot)


async def test_the_file_is_opened_read_only_and_the_banner_says_view_only(
    viewer: WarRoomApp,
) -> None:
    async with viewer.run_test(size=(160, 40)) as pilot:
        await opened(viewer, pilot)
        assert viewer.store is not None and viewer.store.readonly
        assert "VIEW ONLY" in banner_text(viewer)
        assert "READ-ONLY" not in banner_text(viewer)


@pytest.mark.parametrize("key", WRITING_KEYS)
async def test_every_writing_key_is_refused_without_a_dialog(
    viewer: WarRoomApp, incident: Path, key: str
) -> None:
    before = event_count(incident)
    async with viewer.run_test(size=(160, 40)) as pilot:
        await opened(viewer, pilot)
        viewer.console_screen.activate_pane("timeline")  # no pane of its own uses these keys
        await pilot.press(key)
        await wait_for(lambda: refusals(viewer) == 1, pilot)
        await pilot.pause()
        assert isinstance(viewer.screen, ConsoleScreen), f"{key} opened {viewer.screen}"
    assert event_count(incident) == before


@pytest.mark.parametrize("command", WRITING_COMMANDS)
async def test_every_writing_palette_command_is_refused(
    viewer: WarRoomApp, incident: Path, command: str
) -> None:
    before = event_count(incident)
    async with viewer.run_test(size=(160, 40)) as pilot:
        await opened(viewer, pilot)
        await pilot.press("ctrl+p")
        await wait_for(lambda: not isinstance(viewer.screen, ConsoleScreen), pilot)
        await pilot.press(*command)
        await pilot.pause(0.3)  # the palette searches as it is typed
        await pilot.press("enter")
        await wait_for(lambda: refusals(viewer) == 1, pilot)
        await wait_for(lambda: isinstance(viewer.screen, ConsoleScreen), pilot)
        await pilot.pause()
        assert isinstance(viewer.screen, ConsoleScreen), f"{command} opened {viewer.screen}"
    assert event_count(incident) == before


async def test_pinning_from_the_timeline_pane_is_refused(
    viewer: WarRoomApp, incident: Path
) -> None:
    before = event_count(incident)
    async with viewer.run_test(size=(160, 40)) as pilot:
        await opened(viewer, pilot)
        viewer.console_screen.activate_pane("timeline")
        await pilot.press("p")
        await wait_for(lambda: refusals(viewer) == 1, pilot)
    assert event_count(incident) == before


# What each pane posts when its key is pressed (the rows do not matter: the request is
# refused before anything looks at them).
PANE_REQUESTS: dict[str, tuple[str, Callable[[], Message]]] = {
    "kube action": ("pods", lambda: ActionRequested(RESTART, None)),
    "container action": ("pods", lambda: ContainerActionRequested("restart", None)),  # type: ignore[arg-type]
    "drill": ("pods", DrillRequested),
    "log evidence": ("logs", lambda: LogEvidence((), "payments/api")),
    "log save": ("logs", lambda: LogSaveRequested((), "api.log")),
    "runbook step": ("runbook", lambda: RunbookPane.StepToggled(None, None, True)),  # type: ignore[arg-type]
    "runbook run": ("runbook", lambda: RunbookPane.RunRequested(None, None, None, None)),  # type: ignore[arg-type]
    "probe recheck": ("ingress", lambda: IngressPane.RecheckRequested((), probes=True)),
}


@pytest.mark.parametrize("name", list(PANE_REQUESTS))
async def test_requests_from_the_panes_are_refused(
    viewer: WarRoomApp, incident: Path, name: str
) -> None:
    pane_id, make = PANE_REQUESTS[name]
    before = event_count(incident)
    async with viewer.run_test(size=(160, 40)) as pilot:
        await opened(viewer, pilot)
        viewer.console_screen.pane(pane_id).post_message(make())
        await wait_for(lambda: refusals(viewer) == 1, pilot)
        await pilot.pause()
        assert isinstance(viewer.screen, ConsoleScreen)
    assert event_count(incident) == before


async def test_the_timeline_follows_what_another_process_appends(
    viewer: WarRoomApp, incident: Path
) -> None:
    async with viewer.run_test(size=(160, 40)) as pilot:
        await opened(viewer, pilot)
        subprocess.run(
            [sys.executable, "-m", "tui", "note", "--db", str(incident), "Rolled back to v41"],
            check=True,
            capture_output=True,
        )
        await wait_for(lambda: any("Rolled back to v41" in t for t in timeline_texts(viewer)),
                       pilot)  # fmt: skip
        assert viewer.store is not None and viewer.store.readonly


def test_view_only_needs_an_existing_incident_file(tmp_path: Path) -> None:
    for argv, expected in (
        (["--view-only"], "--view-only needs --db"),
        (["--view-only", "--db", str(tmp_path / "missing.db")], "no such incident file"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "tui", *argv], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2
        assert expected in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "missing.db").exists()


def test_view_only_refuses_flags_that_would_change_the_incident(incident: Path) -> None:
    before = event_count(incident)
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--view-only", "--db", str(incident), "--severity", "P0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--severity cannot be used" in done.stderr
    assert event_count(incident) == before
