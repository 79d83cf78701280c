"""The real console driven with Pilot: focus, zoom, tabs, and every incident action
landing in the incident file."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, OptionList

from tests.conftest import wait_for
from tests.helpers.console_text import banner_text, timeline_texts
from tests.helpers.fixed import NO_CLUSTER, FixedClock, FrozenSampler
from tui.app import WarRoomApp
from tui.config import Settings
from tui.screens.console import PANE_ORDER, ConsoleScreen
from tui.screens.dialogs import MilestoneDialog, NoteDialog
from tui.screens.help import HelpScreen
from tui.timeline.model import format_ts
from widgets.host_pane import HostPane
from widgets.timeline_pane import TimelinePane

ROOT = Path(__file__).resolve().parents[1]


def rows(path: Path, kind: str | None = None) -> list[tuple[str, str, str]]:
    """(kind, text, data) of every event, straight from the file."""
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT kind, text, data FROM events ORDER BY seq").fetchall()
    return [row for row in found if kind is None or row[0] == kind]


@pytest.fixture
def app_factory(
    settings: Settings, make_incident: Callable[..., Path], clock: FixedClock
) -> Callable[..., WarRoomApp]:
    def make(*, title: str = "Checkout returns 502", **overrides: object) -> WarRoomApp:
        path = make_incident(title=title, clock=clock)
        return WarRoomApp(
            overrides.pop("settings", settings),  # type: ignore[arg-type]
            path,
            actor="alice@bastion-1",
            clock=clock,
            sampler_factory=overrides.pop("sampler_factory", FrozenSampler),  # type: ignore[arg-type]
            kube_options=overrides.pop("kube_options", NO_CLUSTER),  # type: ignore[arg-type]
            **overrides,  # type: ignore[arg-type]
        )

    return make


def console(app: WarRoomApp) -> ConsoleScreen:
    screen = app.screen
    assert isinstance(screen, ConsoleScreen)
    return screen


async def started(pilot: object, app: WarRoomApp) -> None:
    await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot)
    await wait_for(lambda: app.console_screen.query_one(TimelinePane).table.row_count > 0, pilot)


async def test_number_keys_tab_and_shift_tab_move_between_panes(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        screen = console(app)
        assert screen.active_pane_id == "host"
        await pilot.press("1")
        assert screen.active_pane_id == "pods"
        assert screen.focused is not None and screen.pane("pods") in screen.focused.ancestors
        await pilot.press("6")
        assert isinstance(screen.focused, DataTable)
        await pilot.press("tab")
        assert screen.active_pane_id == "pods"  # wraps around
        await pilot.press("shift+tab", "shift+tab")
        assert screen.active_pane_id == "runbook"
        for number, pane_id in enumerate(PANE_ORDER, start=1):
            await pilot.press(str(number))
            assert screen.active_pane_id == pane_id


async def test_z_zooms_the_focused_pane_and_back(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        screen = console(app)
        await pilot.press("6", "z")
        assert screen.maximized is screen.pane("timeline")
        await pilot.press("3")  # moving while zoomed zooms the new pane
        assert screen.maximized is screen.pane("host")
        await pilot.press("z")
        assert screen.maximized is None


async def test_small_terminal_shows_one_pane_with_tabs(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, app)
        screen = console(app)
        assert screen.narrow
        displayed = [p.id for p in screen.query("Pane") if p.display]
        assert displayed == ["host"]
        await pilot.press("6")
        displayed = [p.id for p in screen.query("Pane") if p.display]
        assert displayed == ["timeline"]
        assert screen.query_one("#pane-tabs").active == "tab-timeline"  # type: ignore[attr-defined]
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert not screen.narrow
        assert all(p.display for p in screen.query("Pane"))


async def test_note_is_committed_then_shown(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("n")
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"db pool at 100/100 [red]x[/]", "enter")
        await wait_for(lambda: len(rows(app.db_path, "note")) == 1, pilot)
        assert rows(app.db_path, "note")[0][1] == "db pool at 100/100 [red]x[/]"
        note = "alice: db pool at 100/100 [red]x[/]"
        await wait_for(lambda: note in timeline_texts(app), pilot)
        table = app.console_screen.query_one(TimelinePane).table
        row = table.get_row_at(timeline_texts(app).index(note))
        assert row[2].plain == "note"


async def test_empty_note_is_refused_and_escape_cancels(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("n", "enter")
        assert isinstance(app.screen, NoteDialog)  # still open: nothing to record
        await pilot.press("escape")
        assert isinstance(app.screen, ConsoleScreen)
        assert rows(app.db_path, "note") == []


async def test_status_change_lands_in_the_file_and_the_banner(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        assert "INVESTIGATING" in banner_text(app)
        await pilot.press("s")
        assert isinstance(app.screen.focused, OptionList)
        await pilot.press("down", "enter")  # investigating -> identified
        await wait_for(lambda: bool(rows(app.db_path, "status_changed")), pilot)
        data = rows(app.db_path, "status_changed")[0][2]
        assert '"to":"identified"' in data and '"from":"investigating"' in data
        await wait_for(lambda: "IDENTIFIED" in banner_text(app), pilot)


async def test_resolving_records_the_resolved_milestone(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("s", "down", "down", "down", "enter")
        await wait_for(lambda: bool(rows(app.db_path, "milestone")), pilot)
        assert '"milestone":"resolved"' in rows(app.db_path, "milestone")[0][2]
        await wait_for(lambda: "RESOLVED" in banner_text(app), pilot)


async def test_severity_change_lands_in_the_file_and_the_banner(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        assert " P1 " in banner_text(app)
        await pilot.press("S", "up", "enter")  # P1 -> P0
        await wait_for(lambda: bool(rows(app.db_path, "severity_changed")), pilot)
        assert "raised: P1 → P0" in rows(app.db_path, "severity_changed")[0][1]
        await wait_for(lambda: " P0 " in banner_text(app), pilot)


async def test_acknowledge_stops_the_response_clock_once(app_factory, clock: FixedClock) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        assert "ACK due 0:15:00" in banner_text(app)  # P1: 15 minutes
        clock.advance(minutes=16)
        app.refresh_banner()
        assert "ACK OVERDUE +0:01:00" in banner_text(app)
        await pilot.press("a")
        await wait_for(lambda: "ACK alice in 16m" in banner_text(app), pilot)
        await pilot.press("a")  # a second acknowledgement is refused, not recorded
        await pilot.pause(0.3)
        assert len(rows(app.db_path, "milestone")) == 1


async def test_backdated_milestone_is_audited(app_factory, clock: FixedClock) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("M")
        assert isinstance(app.screen, MilestoneDialog)
        await pilot.press("down", "enter")  # impact_started -> detected, focus moves to When
        assert isinstance(app.screen.focused, Input)
        await pilot.press(*"tomorrow", "enter")
        assert isinstance(app.screen, MilestoneDialog)  # refused: cannot read it
        app.screen.query_one(Input).value = ""
        await pilot.press(*"-10m", "enter")
        await wait_for(lambda: bool(rows(app.db_path, "milestone")), pilot)
        _, text, data = rows(app.db_path, "milestone")[0]
        assert f'"at":"{format_ts(clock.now - timedelta(minutes=10))}"' in data
        assert '"backdated_seconds":600.0' in data
        assert "backdated by 10m" in text


async def test_pin_marks_the_selected_event(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("6", "p")
        await wait_for(lambda: bool(rows(app.db_path, "pin_changed")), pilot)
        declared = rows(app.db_path)[0]
        assert declared[0] == "declared"
        assert '"pinned":true' in rows(app.db_path, "pin_changed")[0][2]
        table = app.console_screen.query_one(TimelinePane).table
        await wait_for(lambda: any(table.get_row_at(i)[0].plain.startswith("★")
                                   for i in range(table.row_count)), pilot)  # fmt: skip


async def test_help_lists_the_keys(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ConsoleScreen)


async def test_command_palette_has_every_action(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for expected in (
            "Add a note", "Change status", "Change severity", "Acknowledge", "Mark a milestone",
            "Pin or unpin the selected event", "Zoom the focused pane", "Focus pane: Timeline",
            "Show keys", "Quit",
        ):  # fmt: skip
            assert expected in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Add a note")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)


async def test_events_from_another_process_appear_live(app_factory) -> None:
    app = app_factory()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        # In a thread: blocking this loop would stall the app's own commits.
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "tui", "note", "--db", str(app.db_path), "from bob"],
            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        await wait_for(lambda: any(t.endswith(": from bob") for t in timeline_texts(app)), pilot)


async def test_host_pane_shows_the_sample_and_each_crossing_is_recorded_once(
    app_factory, settings: Settings
) -> None:
    fast = replace(settings, host=replace(settings.host, refresh_seconds=0.2))
    app = app_factory(settings=fast)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        pane = app.console_screen.query_one(HostPane)
        await wait_for(lambda: pane._last is not None, pilot)
        await pilot.pause(1.0)  # several more samples at the same levels
        alerts = rows(app.db_path, "host_alert")
        assert sorted(text for _, text, _ in alerts) == [
            "bastion-1: Disk /var/lib/docker rose to critical: 94.0% (threshold 90%)",
            "bastion-1: Memory rose to warning: 86.9% (threshold 80%)",
        ]
        body = str(pane.query_one("#host-body").render())
        assert "[red]nginx[/]" in body  # a process name is never markup
        assert "/var/lib/docker" in body


async def test_real_host_sampling_runs(app_factory) -> None:
    from tui.sources.host import HostSampler

    app = app_factory(sampler_factory=lambda: HostSampler(top_processes=3))
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        pane = app.console_screen.query_one(HostPane)
        await wait_for(lambda: pane._last is not None, pilot)
        assert pane._last is not None and pane._last.sample.cores >= 1
        assert "live" in str(pane.border_subtitle)


async def test_markup_in_the_title_is_shown_literally(app_factory) -> None:
    app = app_factory(title="[@click=app.quit]boom[/] [b]x")
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        assert "[@click=app.quit]boom[/] [b]x" in banner_text(app)
