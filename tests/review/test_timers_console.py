"""The process in the real console, driven by an injected clock: timers, prompts, status
updates, roles, TODOs and escalation, all landing in the incident file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList, Select

from tests.conftest import wait_for
from tests.helpers.fixed import NO_CLUSTER, T0, FixedClock, FrozenSampler
from tui.app import WarRoomApp
from tui.config import Settings
from tui.screens.dialogs import NoteDialog
from tui.screens.help import HelpScreen
from tui.screens.process_dialogs import EscalateDialog, RolesDialog
from tui.screens.status_update import StatusUpdateComposer
from tui.timeline.model import EventKind, format_ts
from tui.timeline.store import TimelineStore
from widgets.banner import IncidentBanner
from widgets.logs_pane import LogsPane
from widgets.timeline_pane import TimelinePane


def events(path: Path, kind: str) -> list[tuple[str, dict[str, object], str | None]]:
    with sqlite3.connect(path) as db:
        found = db.execute(
            "SELECT text, data, subject FROM events WHERE kind = ? ORDER BY seq", (kind,)
        ).fetchall()
    return [(text, json.loads(data), subject) for text, data, subject in found]


def kinds(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT kind FROM events ORDER BY seq")]


@pytest.fixture
def make_app(
    settings: Settings, make_incident: Callable[..., Path], clock: FixedClock
) -> Callable[[], WarRoomApp]:
    def make() -> WarRoomApp:
        return WarRoomApp(
            settings,
            make_incident(clock=clock),
            actor="alice@bastion-1",
            clock=clock,
            sampler_factory=FrozenSampler,
            kube_options=NO_CLUSTER,
        )

    return make


def banner(app: WarRoomApp) -> str:
    widget = app.console_screen.query_one(IncidentBanner)
    return "".join(segment.text for segment in widget.render_line(0))


async def started(pilot, app: WarRoomApp) -> None:  # type: ignore[no-untyped-def]
    await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot)
    await wait_for(lambda: app.console_screen.query_one(TimelinePane).table.row_count > 0, pilot)
    await wait_for(lambda: app.process_flow.view(app.clock()) is not None, pilot)
    app.refresh_banner()


async def test_update_reminder_and_escalation_prompts_follow_the_clock(
    make_app: Callable[[], WarRoomApp], clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        await started(pilot, app)
        assert "next update 0:15:00" in banner(app)
        assert "ESCALATE" not in banner(app)
        clock.advance(minutes=5)
        app.refresh_banner()
        assert "ESCALATE L1 (on-call engineer)" in banner(app)
        await wait_for(lambda: len(events(app.db_path, EventKind.TIMER_PROMPT)) == 1, pilot)
        text, data, subject = events(app.db_path, EventKind.TIMER_PROMPT)[0]
        assert subject == "process:escalation"
        assert data["level"] == "L1" and data["due_at"] == format_ts(clock.now)
        assert text.startswith("Escalation L1 due: not acknowledged 5 min after declaration")
        clock.advance(minutes=11)  # 16 min: the first update is a minute late, L2 is due
        for _ in range(3):  # ticks again and again: each prompt is recorded once
            app.refresh_banner()
            await pilot.pause(0.1)
        assert "UPDATE DUE +0:01:00" in banner(app)
        assert "ESCALATE L2 (team lead)" in banner(app)
        await wait_for(lambda: len(events(app.db_path, EventKind.TIMER_PROMPT)) == 3, pilot)
        await pilot.pause(0.3)
        prompts = events(app.db_path, EventKind.TIMER_PROMPT)
        assert len(prompts) == 3
        assert prompts[1][2] == "process:status_update"
        assert prompts[1][1]["due_at"] == format_ts(T0.replace(minute=50))
        assert prompts[2][1]["level"] == "L2"
        # A second console on the same file finds the prompt already there.
        other = await TimelineStore.open(app.db_path)
        again = await other.record_transition(
            EventKind.TIMER_PROMPT,
            "x",
            subject="process:escalation",
            state="L2 due",
            quiet_state="",
            actor="bob@b",
            source="process",
        )
        await other.close()
        assert again is None


async def test_status_update_is_composed_posted_copied_and_resets_the_reminder(
    make_app: Callable[[], WarRoomApp], clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        clock.advance(minutes=16)
        app.refresh_banner()
        assert "UPDATE DUE +0:01:00" in banner(app)
        await pilot.press("u")
        await wait_for(lambda: isinstance(app.screen, StatusUpdateComposer), pilot)
        composer = app.screen
        assert isinstance(composer, StatusUpdateComposer)
        assert (
            "We'll provide an update in 15 minutes." in composer.query_one("#public", Input).value
        )
        await pilot.press(*"checkout fails for 30% [red]x[/]", "enter")  # impact; Enter moves on
        await pilot.press(*"rolling back payments")
        # Identified: the template's blank must be filled before posting.
        composer.query_one(Select).value = "identified"
        await pilot.pause(0.05)
        public = composer.query_one("#public", Input)
        assert "[brief technical description]" in public.value
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, StatusUpdateComposer)
        assert "Replace [brief technical description]" in str(
            composer.query_one("#composer-error").render()
        )
        public.value = "We have identified the issue as a bad payments deploy."
        await pilot.press("ctrl+y")  # copy only
        assert app.clipboard.startswith("Incident Update #1 (14:51 UTC): Checkout returns 502")
        assert not events(app.db_path, EventKind.STATUS_UPDATE)
        await pilot.press("ctrl+s")
        await wait_for(lambda: bool(events(app.db_path, EventKind.STATUS_UPDATE)), pilot)
        text, data, _ = events(app.db_path, EventKind.STATUS_UPDATE)[0]
        assert data == {
            "number": 1,
            "status": "identified",
            "impact": "checkout fails for 30% [red]x[/]",
            "actions": "rolling back payments",
            "public": "We have identified the issue as a bad payments deploy.",
            "next_update_minutes": 15,
            "next_update_at": format_ts(T0.replace(minute=66 - 60, hour=15)),
        }
        assert text.splitlines()[1:4] == [
            "Status: Identified",
            "Impact: checkout fails for 30% [red]x[/]",
            "Actions: rolling back payments",
        ]
        assert app.clipboard == text
        # The status change comes first: the update speaks for the new status.
        order = kinds(app.db_path)
        assert order.index(EventKind.STATUS_CHANGED) < order.index(EventKind.STATUS_UPDATE)
        await wait_for(lambda: "next update 0:15:00" in banner(app), pilot)
        assert app.state.status.value == "identified"


async def test_status_update_can_be_saved_to_a_file(
    make_app: Callable[[], WarRoomApp], tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        app.action_status_update()
        await wait_for(lambda: isinstance(app.screen, StatusUpdateComposer), pilot)
        # Typing starts once the composer has put the cursor in its first field.
        await wait_for(lambda: isinstance(app.focused, Input), pilot)
        await pilot.press(*"nobody yet")
        await pilot.press("ctrl+o")
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
        target = tmp_path / "update.txt"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        # Back in the composer, with the draft, after saving.
        await wait_for(lambda: isinstance(app.screen, StatusUpdateComposer), pilot)
        assert app.screen.query_one("#impact", Input).value == "nobody yet"
        assert target.read_text().splitlines()[2] == "Impact: nobody yet"
        await pilot.press("escape")
        assert not events(app.db_path, EventKind.STATUS_UPDATE)


async def test_snooze_puts_the_reminder_off(
    make_app: Callable[[], WarRoomApp], clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("Z")  # nothing due yet: nothing recorded
        await pilot.pause(0.2)
        assert not events(app.db_path, EventKind.TIMER_SNOOZED)
        clock.advance(minutes=16)
        await pilot.press("Z")
        await wait_for(lambda: bool(events(app.db_path, EventKind.TIMER_SNOOZED)), pilot)
        _, data, _ = events(app.db_path, EventKind.TIMER_SNOOZED)[0]
        assert data["until"] == format_ts(T0.replace(minute=56))
        await wait_for(lambda: "update snoozed 0:05:00" in banner(app), pilot)


async def test_roles_todo_and_escalation(
    make_app: Callable[[], WarRoomApp], clock: FixedClock
) -> None:
    app = make_app()
    async with app.run_test(size=(200, 48)) as pilot:
        await started(pilot, app)
        await pilot.press("R")
        await wait_for(lambda: isinstance(app.screen, RolesDialog), pilot)
        await pilot.press(*"alice", "enter", *"bob", "enter", "enter", *"dan, erin", "enter")
        await wait_for(lambda: len(events(app.db_path, EventKind.ROLE_ASSIGNED)) == 3, pilot)
        roles = [
            (d["role"], d["names"]) for _, d, _ in events(app.db_path, EventKind.ROLE_ASSIGNED)
        ]
        assert roles == [("commander", ["alice"]), ("scribe", ["bob"]), ("sme", ["dan", "erin"])]
        await wait_for(lambda: "IC alice · scribe bob · SME dan, erin" in banner(app), pilot)

        await pilot.press("t")
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
        await pilot.press(*"alert on pool saturation", "enter")
        await wait_for(lambda: bool(events(app.db_path, EventKind.TODO)), pilot)
        assert events(app.db_path, EventKind.TODO)[0][0] == "alert on pool saturation"

        clock.advance(minutes=16)
        app.refresh_banner()
        assert "ESCALATE L2" in banner(app)
        await pilot.press("E")
        await wait_for(lambda: isinstance(app.screen, EscalateDialog), pilot)
        assert app.screen.query_one(OptionList).highlighted == 1  # the level due
        await pilot.press("enter", *"carol", "enter")
        await wait_for(lambda: bool(events(app.db_path, EventKind.ESCALATION)), pilot)
        text, data, _ = events(app.db_path, EventKind.ESCALATION)[0]
        assert text == "Escalated to L2 (team lead): carol"
        assert data["due_at"] == format_ts(T0.replace(minute=50))
        await wait_for(lambda: "ESCALATE" not in banner(app), pilot)


async def test_pane_keys_win_in_their_pane_and_the_palette_and_help_have_them(
    settings: Settings, make_incident: Callable[..., Path], clock: FixedClock, tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("started\n")
    app = WarRoomApp(
        settings,
        make_incident(clock=clock),
        actor="alice@bastion-1",
        clock=clock,
        sampler_factory=FrozenSampler,
        kube_options=NO_CLUSTER,
        log_files=[log],
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, app)
        logs = app.console_screen.query_one(LogsPane)
        await wait_for(lambda: not logs.has_class("-empty"), pilot)
        await pilot.press("4", "t")  # the Logs pane: t shows timestamps
        await pilot.pause(0.1)
        assert logs.view.timestamps
        assert not isinstance(app.screen, NoteDialog)
        await pilot.press("3", "t")  # elsewhere: an action item
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
        await pilot.press("escape")
        titles = [command.title for command in app.get_system_commands(app.console_screen)]
        for title in (
            "Post a status update",
            "Add an action item (TODO)",
            "Assign roles",
            "Escalate",
            "Snooze the status-update reminder",
        ):
            assert title in titles
        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), pilot)
        keys = [key for _, rows in app.screen._groups for key, _ in rows]  # type: ignore[attr-defined]
        for key in ("u", "t", "R", "E", "Z"):
            assert key in keys
