"""The review screen driven with Pilot: filters, search, jump, details, summary, following."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Static

from tests.conftest import run_coroutine, wait_for
from tests.review.script import write_script
from tests.test_timeline_processes import appender
from tui.screens.dialogs import ChoiceDialog
from tui.screens.review import ReviewScreen
from tui.screens.review_app import ReviewApp
from tui.screens.review_ask import AskDialog
from tui.screens.review_detail import ReviewDetail
from tui.screens.review_summary import ReviewSummary
from tui.timeline.reader import TimelineReader
from widgets.review_header import ReviewHeader


@pytest.fixture
def scripted(tmp_path: Path) -> Path:
    path = tmp_path / "incident.db"
    run_coroutine(write_script(path))
    return path


@asynccontextmanager
async def review(path: Path, size: tuple[int, int] = (120, 40)) -> AsyncIterator[tuple]:  # type: ignore[type-arg]
    reader = TimelineReader(path)
    app = ReviewApp(reader, poll_seconds=0.1)
    try:
        async with app.run_test(size=size) as pilot:
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            await settle(pilot, screen)
            yield pilot, screen
    finally:
        reader.close()


async def settle(pilot, screen: ReviewScreen) -> None:  # type: ignore[no-untyped-def]
    view = screen.list
    await wait_for(
        lambda: screen._cancel is None and view.loaded and screen.summary is not None, pilot
    )
    await pilot.pause(0.05)


def rows(screen: ReviewScreen) -> list[str]:
    view = screen.list
    return [view.row_text(e).plain for p in range(view.total) if (e := view.event_at(p))]


def shown_text(screen: Screen[object]) -> str:
    """Every line the screen's Static widgets draw (scrolled out of view or not)."""
    lines = []
    for widget in screen.query(Static):
        lines += ["".join(s.text for s in widget.render_line(y)) for y in range(widget.size.height)]
    return "\n".join(lines)


def header(screen: ReviewScreen) -> str:
    widget = screen.query_one(ReviewHeader)
    return "\n".join("".join(s.text for s in widget.render_line(y)) for y in range(2))


async def test_opens_with_every_event_and_the_incident(scripted: Path) -> None:
    async with review(scripted) as (_pilot, screen):
        shown = rows(screen)
        assert len(shown) == 25
        assert "declared" in shown[0] and "Incident declared: Checkout returns 502" in shown[0]
        # Untrusted text stays text.
        assert any("upstream [bold]payments[/] <b>" in row for row in shown)
        top = header(screen)
        assert "Checkout returns 502" in top and "RESOLVED" in top and "P0" in top
        assert "25 events" in top and "row 1 of 25" in top
        # Pinned now: pinned when recorded (#9) and pinned afterwards (#7).
        assert [row.split()[0] for row in shown if "★" in row] == ["7★11-22", "9★11-22"]


async def test_filter_by_kind_actor_source_and_pinned(scripted: Path) -> None:
    async with review(scripted) as (pilot, screen):
        await pilot.press("k")
        await wait_for(lambda: isinstance(screen.app.screen, ChoiceDialog), pilot)
        dialog = screen.app.screen
        choices = [v for v, _ in dialog._choices]  # type: ignore[attr-defined]
        assert choices[0] == "(all)" and "milestone" in choices
        dialog.dismiss("milestone")
        await wait_for(lambda: screen.filter.kind == "milestone" and screen.list.total == 5, pilot)
        await settle(pilot, screen)
        assert all(" milestone " in row for row in rows(screen))
        assert "filter: kind=milestone  5 match" in header(screen)

        screen.apply_filter(screen.filter.__class__(actor="bob@bastion-2"))
        await wait_for(lambda: screen.list.total == 6, pilot)
        screen.apply_filter(screen.filter.__class__(source="kubernetes"))
        await wait_for(lambda: screen.list.total == 2, pilot)
        await pilot.press("escape")
        await wait_for(lambda: screen.list.total == 25, pilot)
        await pilot.press("p")
        await wait_for(lambda: screen.list.total == 2, pilot)
        await settle(pilot, screen)
        assert [r.split("★")[0].strip() for r in rows(screen)] == ["7", "9"]


async def test_search_looks_in_text_and_data(scripted: Path) -> None:
    async with review(scripted) as (pilot, screen):
        await pilot.press("slash")
        await wait_for(lambda: isinstance(screen.app.screen, AskDialog), pilot)
        await pilot.press(*"10.0.0.7", "enter")  # only in the log evidence's data
        await wait_for(lambda: screen.filter.text == "10.0.0.7" and screen._cancel is None, pilot)
        await settle(pilot, screen)
        assert screen.list.total == 1
        assert "connection refused" in rows(screen)[0]
        # LIKE metacharacters are searched for literally.
        screen.apply_filter(screen.filter.__class__(text="100%"))
        await wait_for(lambda: screen.filter.text == "100%" and screen._cancel is None, pilot)
        assert screen.list.total == 0
        assert "no match" in header(screen)
        screen.apply_filter(screen.filter.__class__(text="[BOLD]"))  # case-insensitive
        await wait_for(lambda: screen.list.total == 1, pilot)


async def test_jump_to_a_time(scripted: Path) -> None:
    async with review(scripted) as (pilot, screen):
        await pilot.press("t")
        await wait_for(lambda: isinstance(screen.app.screen, AskDialog), pilot)
        await pilot.press(*"25:99", "enter")  # refused, with what is accepted
        await pilot.pause(0.05)
        assert isinstance(screen.app.screen, AskDialog)
        await pilot.press("ctrl+u", *"14:50", "enter")
        await wait_for(lambda: screen.list.cursor == 12, pilot)  # #13, the escalation at 14:50
        await pilot.press("t")
        await wait_for(lambda: isinstance(screen.app.screen, AskDialog), pilot)
        await pilot.press(*"+45m", "enter")
        await wait_for(lambda: screen.list.cursor == 20, pilot)  # #21 at 15:20


async def test_event_detail_shows_its_data(scripted: Path) -> None:
    async with review(scripted) as (pilot, screen):
        screen.list.move_to(8)  # the log evidence
        await pilot.press("enter")
        await wait_for(lambda: isinstance(screen.app.screen, ReviewDetail), pilot)
        detail = screen.app.screen
        shown = shown_text(detail)
        assert "dial tcp 10.0.0.7:5432: connection refused" in shown
        assert "log_evidence" in shown and "pinned  yes" in shown
        with sqlite3.connect(scripted) as db:
            digest = db.execute("SELECT hash FROM events WHERE seq = 9").fetchone()[0]
        assert digest in shown
        await pilot.press("escape")
        await wait_for(lambda: isinstance(screen.app.screen, ReviewScreen), pilot)


async def test_summary_has_milestones_and_metrics(scripted: Path) -> None:
    async with review(scripted) as (pilot, screen):
        await pilot.press("s")
        await wait_for(lambda: isinstance(screen.app.screen, ReviewSummary), pilot)
        shown = shown_text(screen.app.screen)
        for text in (
            "impact_started",
            "2026-11-22 14:25:00 UTC",
            "time to mitigate",
            "31m",
            "acknowledged − impact started",
            "investigating 10m",
            "4 posted, 1 late",
            "Incident commander alice",
            "Alert on payments DB pool saturation",
        ):
            assert text in shown, text


async def test_follows_a_file_another_process_is_writing(scripted: Path) -> None:
    async with review(scripted, size=(100, 20)) as (pilot, screen):
        await pilot.press("G")  # the end, and follow
        writer = appender(scripted, 40, "live", 0.02)
        try:
            await wait_for(lambda: screen.list.total == 65, pilot, within=30)
            await settle(pilot, screen)
            assert screen.list.cursor == 64  # still at the end
            assert rows(screen)[-1].endswith("live: live 39")
            assert "following" in header(screen)
            await wait_for(lambda: "65 events" in header(screen), pilot)
            # A filter on the live file sees new events too.
            screen.apply_filter(screen.filter.__class__(text="live 3"))
            await wait_for(lambda: screen.list.total == 11, pilot)  # live 3, live 30..39
        finally:
            _, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
async def test_a_copy_in_a_read_only_directory_opens(scripted: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    shutil.copy(scripted, folder / "incident.db")
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        async with review(folder / "incident.db") as (_pilot, screen):
            assert screen.list.total == 25
            assert screen.queries.reader.immutable
            assert "not followed (read-only copy)" in header(screen)
    finally:
        folder.chmod(stat.S_IRWXU)


async def test_a_file_sqlite_cannot_open_shared_is_read_as_immutable(
    scripted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What happens in a directory we cannot write (the -shm file cannot be made)."""
    real_open = TimelineReader._open

    def refuse_shared(uri: str) -> sqlite3.Connection:
        if "immutable=1" not in uri:
            raise sqlite3.OperationalError("unable to open database file")
        return real_open(uri)

    monkeypatch.setattr(TimelineReader, "_open", staticmethod(refuse_shared))
    async with review(scripted) as (_pilot, screen):
        assert screen.queries.reader.immutable
        assert screen.list.total == 25
        assert "not followed (read-only copy)" in header(screen)


def test_review_command_refuses_bad_files(tmp_path: Path, env: dict[str, str]) -> None:
    from tests.helpers.cli import assert_one_line_error, warroom

    assert_one_line_error(warroom("review", str(tmp_path / "none.db"), env=env), "no such")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    assert_one_line_error(warroom("review", str(other), env=env), "another program")
