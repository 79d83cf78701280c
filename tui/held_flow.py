"""What the console does while the incident file's disk is full.

Every write goes through a holding queue (tui/timeline/pending.py): on a full
disk the event is kept in memory, in order, and the operator is told at once and
for as long as anything is held (on the banner, in the Timeline pane's border,
and as "held" rows in that pane).
A retry runs every few seconds in its own worker while something is held, and
every new event tries the held ones first. When they are all in the file the
warning goes and the operator is told how many were written.

Held events live only in this process. On quit the console tries once more;
what still cannot be written goes to a recovery file next to the incident file
(or in the state directory if that disk is full too), and the command line
prints where and how to import it (`warroom recover`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from rich.text import Text
from textual.css.query import NoMatches

from tui.timeline.model import Event
from tui.timeline.pending import HoldingQueue, recovery_lines
from tui.timeline.store import StoreError

if TYPE_CHECKING:
    from tui.app import WarRoomApp

# How often held events are tried again while nothing new is recorded.
HELD_RETRY_SECONDS = 3.0


class HeldFlow:
    def __init__(self, app: WarRoomApp, wake_timeline: Callable[[], None]) -> None:
        self.app = app
        self._wake_timeline = wake_timeline
        self._queue: HoldingQueue | None = None
        self.retry_seconds = HELD_RETRY_SECONDS
        self._retrying = False
        # What the operator was last shown: a change in either is news.
        self._shown_count = 0
        self._taken_seen = 0
        self._written_since_full = 0
        # Lines for the command line to print once the screen is gone.
        self.exit_notices: list[str] = []

    @property
    def count(self) -> int:
        return self._queue.count if self._queue is not None else 0

    def warning(self) -> str | None:
        """'DISK FULL: 3 events held in memory, not yet in FILE', or None when nothing is held."""
        count = self.count
        if not count:
            return None
        events = "event" if count == 1 else "events"
        return f"DISK FULL: {count} {events} held in memory, not yet in {self.app.db_path.name}"

    def queue(self) -> HoldingQueue:
        if self._queue is None:
            store = self.app.store
            if store is None:
                raise StoreError("the incident file is not open")
            self._queue = HoldingQueue(store)
        return self._queue

    # -- writing ------------------------------------------------------------------------

    async def append(self, kind: str, text: str, **fields: Any) -> Event:
        """Write or hold (seq 0); raises StoreError for anything but a full disk."""
        try:
            return await self.queue().append(kind, text, **fields)
        finally:
            self._changed()

    async def record_transition(self, kind: str, text: str, **fields: Any) -> Event | None:
        try:
            return await self.queue().record_transition(kind, text, **fields)
        finally:
            self._changed()

    async def _retry(self) -> None:
        """While anything is held: try again every few seconds, off the recording path."""
        try:
            while self.count:
                await asyncio.sleep(self.retry_seconds)
                await self.queue().flush()
                self._changed()
        finally:
            self._retrying = False

    # -- telling the operator -----------------------------------------------------------

    def _changed(self) -> None:
        queue = self._queue
        if queue is None:
            return
        taken = queue.taken - self._taken_seen
        self._taken_seen = queue.taken
        self._written_since_full += taken
        if taken:
            self._wake_timeline()  # the follower reads them back as ordinary events
        count = queue.count
        if count == self._shown_count and not taken:
            return
        if count and not self._shown_count:
            self.app.notify(
                f"{self.app.db_path}: the disk is full. New events are held in memory and"
                " written when space returns; quitting now saves them to a recovery file.",
                title="DISK FULL",
                severity="error",
                timeout=20,
                markup=False,
            )
        elif not count and self._shown_count:
            written = self._written_since_full
            self._written_since_full = 0
            self.app.notify(
                f"{written} held {'event' if written == 1 else 'events'} written to"
                f" {self.app.db_path.name}.",
                markup=False,
            )
        self._shown_count = count
        if count and not self._retrying:
            self._retrying = True
            self.app.run_worker(self._retry(), name="held-events", exit_on_error=False)
        self._show(tuple(item.event for item in queue.held))

    def _show(self, held: tuple[Event, ...]) -> None:
        """The warning on the banner (the whole width, every layout) and on the Timeline pane."""
        from widgets.banner import IncidentBanner

        warning = self.warning()
        try:
            screen = self.app.console_screen
            banner = screen.query_one(IncidentBanner)
            pane = screen.pane("timeline")
        except (LookupError, NoMatches):
            return
        banner.notice = None if warning is None else Text(f" {warning} ", "bold white on red")
        self.app.refresh_banner()
        show = getattr(pane, "show_held", None)  # the first frame's stand-in has none
        if show is not None:
            show(held, warning)

    # -- quitting -----------------------------------------------------------------------

    async def last_write(self) -> None:
        """On quit: one more try, then a recovery file for what is still held."""
        queue = self._queue
        if queue is None or not queue.count:
            return
        await queue.flush()
        count = queue.count
        if not count:
            return
        events = "event" if count == 1 else "events"
        lost = f"DISK FULL: {count} held {events} could not be written to {self.app.db_path}"
        directories = [
            self.app.db_path.resolve().parent,
            Path(platformdirs.user_state_dir("warroom")) / "held",
        ]
        try:
            saved = await asyncio.to_thread(queue.save_recovery, directories)
        except OSError as error:
            # Nowhere to write: the terminal is the last place they can go.
            self.exit_notices.append(
                f"{lost}, nor saved to a recovery file ({error.strerror or error}). Copy these"
                " lines to a file and import it with 'warroom recover FILE':"
            )
            self.exit_notices += recovery_lines(queue.store, queue.held).splitlines()
            return
        self.exit_notices.append(
            f"{lost}; saved to {saved}. Import them when there is room: warroom recover {saved}"
        )
