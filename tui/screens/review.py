"""The review screen: a read-only, filterable, searchable view of a whole timeline.

Every query runs in a thread (`asyncio.to_thread`): on a million events a
search takes a few tenths of a second and the screen keeps drawing. A newer
filter interrupts the query of an older one. A file another process is still
writing is followed: `PRAGMA data_version` is polled, and new matching events
are appended to the list (which keeps its place, or follows the end after G).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from dataclasses import replace

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from tui.safetext import one_line
from tui.timeline.model import Status
from tui.timeline.query import (
    JUMP_HELP,
    Positions,
    ReviewFilter,
    ReviewQuery,
    Summary,
    parse_jump,
)
from tui.timeline.store import StoreError
from widgets.key_bar import KeyBar
from widgets.review_header import ReviewHeader, ReviewHeading
from widgets.review_list import PAGE, ReviewList

ALL = "(all)"
SUMMARY_EVERY_S = 5.0


class ReviewScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "search", "Search", tooltip="Search text and data", id="review.search"),
        Binding("k", "facet('kind')", "Kind", tooltip="Only events of one kind", id="review.kind"),
        Binding(
            "a", "facet('actor')", "Actor", tooltip="Only events by one person", id="review.actor"
        ),
        Binding(
            "o",
            "facet('source')",
            "Source",
            tooltip="Only events from one source (operator, kubernetes, logs…)",
            id="review.source",
        ),
        Binding("p", "toggle_pinned", "Pinned", tooltip="Only pinned events", id="review.pinned"),
        Binding("t", "jump", "Jump", tooltip="Jump to a time", id="review.jump"),
        Binding("s", "summary", "Summary", tooltip="Milestones and metrics", id="review.summary"),
        Binding("escape", "clear", "Clear", tooltip="Clear every filter", id="review.clear"),
        Binding("q", "app.quit", "Quit", id="review.quit"),
    ]

    def __init__(self, queries: ReviewQuery, *, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.queries = queries
        self.poll_seconds = poll_seconds
        self.filter = ReviewFilter()
        self.positions = Positions()
        self.summary: Summary | None = None
        self._cursor = (0, False)
        self._busy = ""
        self._cancel: threading.Event | None = None  # set to stop the running search
        self._version: int | None = None
        self._summary_at = 0.0
        self._events = 0  # in the file, whatever the filter

    def compose(self) -> ComposeResult:
        yield ReviewHeader(id="review-header")
        yield ReviewList(id="review-list")
        yield KeyBar()

    @property
    def list(self) -> ReviewList:
        return self.query_one(ReviewList)

    def on_mount(self) -> None:
        self._show_header()
        self.list.focus()
        self.apply_filter(self.filter)
        self.load_summary()
        if not self.queries.reader.immutable:
            self.follow()

    # -- the header ------------------------------------------------------------------------

    def _show_header(self) -> None:
        summary = self.summary
        incident = self.queries.incident
        position, following = self._cursor
        self.query_one(ReviewHeader).show(
            ReviewHeading(
                title=incident.title,
                severity=summary.state.severity if summary else incident.severity,
                status=summary.state.status if summary else Status.INVESTIGATING,
                events=self._events or self.positions.total,
                matching=self.positions.total,
                position=position,
                filter=self.filter.describe(),
                following=following,
                live=not self.queries.reader.immutable,
                busy=self._busy,
            )
        )

    def on_review_list_cursor_moved(self, message: ReviewList.CursorMoved) -> None:
        self._cursor = (message.position, message.following)
        self._show_header()

    # -- loading -----------------------------------------------------------------------------

    @work(group="review-filter", exclusive=True, exit_on_error=False)
    async def apply_filter(self, flt: ReviewFilter, *, cursor_seq: int | None = None) -> None:
        """Show the events matching `flt`; keep the cursor on `cursor_seq` if it matches."""
        if self._cancel is not None:
            self._cancel.set()  # a superseded search stops scanning
        cancel = self._cancel = threading.Event()
        self.filter = flt
        self._busy = "searching…" if flt.text else "loading…"
        self._show_header()
        try:
            positions = await asyncio.to_thread(self.queries.positions, flt, cancel)
        except StoreError as error:
            if not cancel.is_set():
                self.notify(f"Cannot read the file: {error}", severity="error", markup=False)
            return
        finally:
            if self._cancel is cancel:
                self._cancel = None
        if cancel.is_set():
            return
        self.positions = positions
        cursor = positions.index_at_or_after(cursor_seq) if cursor_seq is not None else 0
        self.list.reset(positions.total, cursor=cursor, max_seq=positions.last_seq())
        self._busy = "" if positions.total or not flt.active else "no match"
        self._show_header()

    @work(group="review-pages", exit_on_error=False)
    async def on_review_list_page_wanted(self, message: ReviewList.PageWanted) -> None:
        positions = self.positions
        try:
            events = await asyncio.to_thread(self.queries.page, positions, message.start, PAGE)
        except (StoreError, sqlite3.Error) as error:
            self.notify(f"Cannot read the file: {error}", severity="error", markup=False)
            return
        self.list.set_page(message.generation, message.start, events)

    @work(group="review-summary", exclusive=True, exit_on_error=False)
    async def load_summary(self) -> None:
        self._summary_at = time.monotonic()
        try:
            self.summary = await asyncio.to_thread(self.queries.summary)
            self._events = self.summary.events
        except StoreError as error:
            self.notify(f"Cannot read the file: {error}", severity="error", markup=False)
            return
        self.list.set_pinned(frozenset(self.summary.pinned))
        self._show_header()

    @work(group="review-follow", exit_on_error=False)
    async def follow(self) -> None:
        """Poll for events other processes commit, and add those that match."""
        reader = self.queries.reader
        while True:
            await asyncio.sleep(self.poll_seconds)
            if self._cancel is not None:
                continue  # a filter is loading: it will hold everything up to now
            try:
                version = await asyncio.to_thread(reader.data_version)
                if version == self._version:
                    continue
                first = self._version is None
                self._version = version
                if first:
                    continue
                positions, flt = self.positions, self.filter
                newer, upto = await asyncio.to_thread(self.queries.newer, flt, positions)
                self._events = await asyncio.to_thread(reader.count)
            except StoreError as error:
                self._busy = one_line(f"cannot read: {error}", max_chars=80)
                self._show_header()
                continue
            if positions is not self.positions or flt is not self.filter:
                continue  # the filter changed meanwhile: its own load has it all
            positions.extend(newer, upto)
            self.list.grow(positions.total, max_seq=positions.last_seq())
            # The header's status and counts follow, a few times a minute at most:
            # on a busy million-event file the summary costs a fifth of a second.
            if time.monotonic() - self._summary_at >= SUMMARY_EVERY_S:
                self.load_summary()

    # -- actions -----------------------------------------------------------------------------

    def _current_seq(self) -> int | None:
        event = self.list.event_at(self.list.cursor)
        return event.seq if event is not None else None

    def _refilter(self, flt: ReviewFilter) -> None:
        self.apply_filter(flt, cursor_seq=self._current_seq())

    @work(group="review-dialogs", exit_on_error=False)
    async def action_search(self) -> None:
        from tui.screens.review_ask import AskDialog

        answer = await self.app.push_screen_wait(
            AskDialog(
                "Search text and data",
                text=self.filter.text,
                placeholder="words in the event's text or its data (empty: no search)",
            )
        )
        if answer is not None:
            self._refilter(replace(self.filter, text=answer.strip()))

    @work(group="review-dialogs", exit_on_error=False)
    async def action_facet(self, column: str) -> None:
        from tui.screens.dialogs import ChoiceDialog

        self._busy = f"counting {column}s…"
        self._show_header()
        try:
            values = await asyncio.to_thread(self.queries.facet, column)
        finally:
            self._busy = ""
            self._show_header()
        choices = [(ALL, "no filter"), *((v, f"{n:,} events") for v, n in values)]
        current = getattr(self.filter, column) or ALL
        answer = await self.app.push_screen_wait(
            ChoiceDialog(f"Only events with this {column}", choices, current=current)
        )
        if answer is not None:
            self._refilter(replace(self.filter, **{column: None if answer == ALL else answer}))

    def action_toggle_pinned(self) -> None:
        self._refilter(replace(self.filter, pinned=not self.filter.pinned))

    def action_clear(self) -> None:
        if self.filter.active:
            self._refilter(ReviewFilter())

    @work(group="review-dialogs", exit_on_error=False)
    async def action_jump(self) -> None:
        from tui.screens.review_ask import AskDialog

        started = self.queries.incident.started_at

        def check(text: str) -> str | None:
            try:
                parse_jump(text, started)
            except ValueError as error:
                return str(error)
            return None

        answer = await self.app.push_screen_wait(
            AskDialog("Jump to a time", placeholder=JUMP_HELP, check=check)
        )
        if answer is None:
            return
        moment = parse_jump(answer, started)
        position = await asyncio.to_thread(self.queries.position_at, self.positions, moment)
        self.list.following = False
        self.list.move_to(position)

    @work(group="review-dialogs", exit_on_error=False)
    async def action_summary(self) -> None:
        from tui.screens.review_summary import ReviewSummary

        summary = self.summary or await asyncio.to_thread(self.queries.summary)
        await self.app.push_screen_wait(ReviewSummary(summary))

    @work(group="review-dialogs", exit_on_error=False)
    async def on_review_list_opened(self, message: ReviewList.Opened) -> None:
        from tui.screens.review_detail import ReviewDetail

        found = await asyncio.to_thread(self.queries.stored, message.event.seq)
        if found is None:
            return
        event, chain_hash = found
        pinned = event.uuid in (self.summary.pinned if self.summary else set())
        await self.app.push_screen_wait(ReviewDetail(event, chain_hash=chain_hash, pinned=pinned))
