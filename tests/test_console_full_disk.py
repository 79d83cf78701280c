"""The console on a full incident file (a real file capped with `PRAGMA max_page_count` on the
console's own connection): it keeps running, holds what the operator and the host sampler
record, warns on screen until the held events are written, and loses nothing on quit."""

from __future__ import annotations

import asyncio
import html
import re
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.helpers.cli import warroom
from tests.helpers.fixed import NO_CLUSTER, FixedClock, FrozenSampler, frozen_sample
from tests.helpers.full_disk import fill_up, make_room
from tui.app import WarRoomApp
from tui.config import Settings
from tui.screens.dialogs import NoteDialog
from tui.timeline.reader import TimelineReader
from tui.timeline.verify import verify_file
from widgets.timeline_pane import TimelinePane

ROOT_DISK_ALERT = "bastion-1: Disk / rose to critical: 96.0% (threshold 90%)"
NOTE = "pool exhausted, [b]rolling back[/b]"


def rows(path: Path, kind: str) -> list[str]:
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT text FROM events WHERE kind = ? ORDER BY seq", (kind,))
        return [text for (text,) in found.fetchall()]


def screen_text(app: WarRoomApp) -> str:
    """What the terminal shows, as plain text (the screenshot, without its SVG)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def timeline_rows(app: WarRoomApp) -> list[tuple[str, str]]:
    """(# column, who: what) of the Timeline pane, top first."""
    table = app.console_screen.query_one(TimelinePane).table
    return [
        (table.get_row_at(i)[0].plain, table.get_row_at(i)[3].plain) for i in range(table.row_count)
    ]


def notified(app: WarRoomApp, fragment: str) -> bool:
    return any(fragment in notification.message for notification in app._notifications)


@pytest.fixture
def sampler() -> FrozenSampler:
    return FrozenSampler()


@pytest.fixture
def app(
    settings: Settings,
    make_incident: Callable[..., Path],
    clock: FixedClock,
    sampler: FrozenSampler,
) -> WarRoomApp:
    fast = replace(settings, host=replace(settings.host, refresh_seconds=0.2))
    console = WarRoomApp(
        fast,
        make_incident(clock=clock),
        actor="alice@bastion-1",
        clock=clock,
        sampler_factory=lambda: sampler,
        kube_options=NO_CLUSTER,
    )
    console.held_flow.retry_seconds = 0.2
    return console


async def fill_the_disk(pilot: object, app: WarRoomApp) -> None:
    """Once the console has recorded the host's first crossings, the file is full."""
    await wait_for(lambda: len(rows(app.db_path, "host_alert")) == 2, pilot)
    await fill_up(await app.wait_for_store())


async def add_note(pilot: object, app: WarRoomApp, text: str) -> None:
    await pilot.press("n")  # type: ignore[attr-defined]
    assert isinstance(app.screen, NoteDialog)
    await pilot.press(*text, "enter")  # type: ignore[attr-defined]


async def test_full_disk_holds_warns_and_writes_everything_when_space_returns(
    app: WarRoomApp, sampler: FrozenSampler
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await fill_the_disk(pilot, app)

        await add_note(pilot, app, NOTE)
        await wait_for(lambda: app.held_flow.count == 1, pilot)
        assert notified(app, "Note held in memory")
        assert not notified(app, "Note recorded")
        sampler.sample_value = frozen_sample(disk_percent=96.0)  # the root disk fills up too
        await wait_for(lambda: app.held_flow.count == 2, pilot)

        warning = "DISK FULL: 2 events held in memory, not yet in incident.db"
        await wait_for(lambda: warning in screen_text(app), pilot)
        assert notified(app, "the disk is full")
        held = [text for mark, text in timeline_rows(app) if mark == "held"]
        assert sorted(held) == sorted([f"alice: {NOTE}", f"alice: {ROOT_DISK_ALERT}"])
        assert NOTE not in rows(app.db_path, "note")  # held, not in the file
        await pilot.pause(0.6)  # several retries on the full file: still held, still warned
        assert app.held_flow.count == 2
        assert warning in screen_text(app)

        await make_room(await app.wait_for_store())
        await wait_for(lambda: app.held_flow.count == 0, pilot)
        await wait_for(lambda: "DISK FULL" not in screen_text(app), pilot)
        assert notified(app, "2 held events written")
        await wait_for(lambda: all(mark != "held" for mark, _ in timeline_rows(app)), pilot)
        assert (app.console_screen.query_one(TimelinePane).table.get_row_at(0)[0].plain
                != "held")  # fmt: skip

    assert rows(app.db_path, "note")[-1] == NOTE
    assert rows(app.db_path, "note").count(NOTE) == 1
    assert rows(app.db_path, "host_alert").count(ROOT_DISK_ALERT) == 1
    with TimelineReader(app.db_path) as reader:
        assert verify_file(reader).ok


async def test_quitting_while_full_saves_the_held_events_for_recover(
    app: WarRoomApp, env: dict[str, str]
) -> None:
    async with app.run_test(size=(160, 48)) as pilot:
        await fill_the_disk(pilot, app)
        await add_note(pilot, app, NOTE)
        await wait_for(lambda: app.held_flow.count == 1, pilot)
    # The console is gone and the disk still full: the note went to a recovery file.
    assert NOTE not in rows(app.db_path, "note")
    [notice] = app.held_flow.exit_notices
    saved = Path(notice.rsplit("warroom recover ", 1)[1])
    assert saved.parent == app.db_path.parent
    assert saved.name.startswith("incident.db.held-")
    assert f"1 held event could not be written to {app.db_path}" in notice

    result = await asyncio.to_thread(warroom, "recover", str(saved), env=env)
    assert result.returncode == 0, result.stderr
    assert rows(app.db_path, "note").count(NOTE) == 1
    with TimelineReader(app.db_path) as reader:
        assert verify_file(reader).ok
