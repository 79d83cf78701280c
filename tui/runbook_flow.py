"""What the app does for the Runbook pane: the library, the checklist, and its commands.

The runbooks on offer are the bundled ones, then `runbooks.directories`, then
`--runbooks DIR` (a later file of the same name replaces an earlier one), read
in a thread. A step's state lives in the incident file only: checking it
appends a RUNBOOK_STEP event, running one of its commands a RUNBOOK_RUN event,
and opening a runbook folds those events back, so a restarted console, or a
colleague's console on the same file, shows the same checklist. The runbook
the incident last used opens by itself at start.

Running a command is `tui.runbook_runs`' job.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.safetext import one_line
from tui.timeline.model import EventKind
from tui.timeline.store import StoreError, TimelineStore

if TYPE_CHECKING:
    from tui.app import WarRoomApp
    from tui.runbook.model import CommandLine, Runbook, Section, Step
    from tui.runbook.suggest import Signals, Suggestion
    from tui.runbook_runs import CommandRuns

# The runbook modules (a markdown parser, a shell parser, the danger rules) and the
# log sources behind a run are imported where first used, after the first frame: the
# console's start does not wait for them.

# How often the empty pane's "suggested now" lines follow the cluster (seconds).
SUGGEST_SECONDS = 5.0


class RunbookFlow:
    def __init__(self, app: WarRoomApp, runbook_dirs: Sequence[Path] = ()) -> None:
        self.app = app
        self.extra_dirs = tuple(runbook_dirs)
        self.library: list[Runbook] = []
        self.problems: list[str] = []
        self.loaded = asyncio.Event()
        self._runs: CommandRuns | None = None
        self._seen_seq = 0  # the last event of the incident file read
        self._applied: set[int] = set()  # our own events, already shown in the pane

    @property
    def pane(self) -> Any:
        return self.app.console_screen.pane("runbook")

    @property
    def runs(self) -> CommandRuns:
        if self._runs is None:
            from tui.runbook_runs import CommandRuns

            self._runs = CommandRuns(self.app, self.record)
        return self._runs

    def directories(self) -> list[Path]:
        from tui.runbook.library import BUNDLED_DIR

        configured = [Path(d).expanduser() for d in self.app.settings.runbooks.directories]
        return [BUNDLED_DIR, *configured, *self.extra_dirs]

    # -- the library -------------------------------------------------------------------------

    async def start(self) -> None:
        """Read the library, reopen the runbook this incident last used, then follow the
        incident file for steps checked and commands run in other consoles."""
        await self.load()
        store = await self.app.wait_for_store()
        await self._reopen_last(store)
        hinted = time.monotonic()
        while True:
            await asyncio.sleep(self.app.settings.timeline.poll_seconds)
            if self.pane.runbook is not None:
                await self._follow(store)
            elif time.monotonic() - hinted > SUGGEST_SECONDS:
                hinted = time.monotonic()
                self._show_library()

    async def load(self, *, quiet: bool = False) -> None:
        from tui.runbook.library import load_library

        # Parsing a few dozen markdown files takes a moment: off the event loop.
        self.library, self.problems = await asyncio.to_thread(load_library, self.directories())
        self.loaded.set()
        self._show_library()
        if self.problems and not quiet:
            self.app.notify(
                f"{len(self.problems)} runbook file(s) could not be read: "
                + one_line(self.problems[0], max_chars=200),
                severity="warning",
                markup=False,
            )

    def _show_library(self) -> None:
        suggested = [f"{s.runbook.title} ({', '.join(s.matched)})" for s in self.suggestions()]
        self.pane.show_library(len(self.library), self.problems, suggested)

    def signals(self) -> Signals:
        """What the Pods pane shows going wrong: pod statuses, warning event reasons."""
        from tui.runbook.suggest import Signals

        pods = self.app.console_screen.pane("pods")
        if not getattr(pods, "connected", False):
            return Signals()
        statuses = set(pods.pods.counts)
        reasons = {row.reason for row in pods.events.rows.values() if row.warning and row.reason}
        return Signals.of(pod_status=statuses, event_reason=reasons)

    def suggestions(self) -> list[Suggestion]:
        from tui.runbook.suggest import suggest

        return suggest(self.library, self.signals())

    async def pick(self) -> None:
        from tui.screens.runbook_screens import RunbookPickerScreen

        if not self.loaded.is_set():
            self.app.notify("Still reading the runbooks…", markup=False)
            return
        # Read again: a runbook fixed or added during the incident is offered at once.
        await self.load(quiet=True)
        if not self.library:
            self.app.notify("No runbooks found.", severity="warning", markup=False)
            return
        chosen = await self.app.push_screen_wait(
            RunbookPickerScreen(self.library, self.suggestions(), self.problems)
        )
        if chosen is not None:
            await self.open(chosen)

    async def open(self, runbook: Runbook) -> None:
        """Show `runbook` with each step as the incident file has it."""
        from tui.runbook_record import states

        events = await self._events(await self.app.wait_for_store())
        if events is None:
            return
        self.pane.open_runbook(runbook, states(runbook, events))
        if runbook.warnings:
            self.app.notify(
                f"{runbook.name}: {len(runbook.warnings)} warning(s);"
                " `warroom runbook lint` lists them.",
                markup=False,
                timeout=4,
            )

    async def _events(self, store: TimelineStore) -> list[Any] | None:
        try:
            events = await store.events(after_seq=0)
        except StoreError as error:
            self.app.notify(
                f"Cannot read the incident file: {error}", severity="error", markup=False
            )
            return None
        if events:
            self._seen_seq = max(self._seen_seq, events[-1].seq)
        return events

    async def _reopen_last(self, store: TimelineStore) -> None:
        from tui.runbook_record import last_runbook, states

        events = await self._events(store)
        if not events or self.pane.runbook is not None:
            return
        found = last_runbook(events, self.library)
        if found is not None:
            self.pane.open_runbook(found, states(found, events))

    async def _follow(self, store: TimelineStore) -> None:
        """Show steps checked and commands run by other consoles on the same file."""
        from tui.runbook_record import step_change

        try:
            new = await store.events(after_seq=self._seen_seq)
        except StoreError:
            return  # the Timeline pane says what is wrong with the file
        runbook = self.pane.runbook
        for event in new:
            self._seen_seq = max(self._seen_seq, event.seq)
            if event.seq in self._applied or runbook is None:
                continue
            change = step_change(event, runbook)
            if change is None:
                continue
            step_id, checked, run = change
            if checked is not None:
                self.pane.set_checked(step_id, checked)
            if run is not None:
                self.pane.add_run(step_id, run)

    async def record(self, kind: str, text: str, data: dict[str, Any], runbook: Runbook) -> Any:
        """Append an event about `runbook`; None (and the app's message) if it failed."""
        event = await self.app.record(
            kind, text, data=data, source="runbook", subject=f"runbook:{runbook.name}"
        )
        if event is not None:
            self._applied.add(event.seq)  # shown already: the follower must not add it again
        return event

    # -- steps and commands --------------------------------------------------------------------

    async def toggle(self, runbook: Runbook, step: Step, checked: bool) -> None:
        from tui.runbook_record import step_entry

        text, data = step_entry(runbook, step, checked)
        event = await self.record(EventKind.RUNBOOK_STEP, text, data, runbook)
        # Shown as done only once it is in the file; otherwise back as it was.
        if self.pane.runbook is runbook:
            self.pane.set_checked(step.id, checked if event is not None else not checked)

    async def run(
        self, runbook: Runbook, section: Section, step: Step | None, line: CommandLine
    ) -> None:
        await self.runs.run(runbook, section, step, line)

    def stop(self) -> None:
        """Stop the command running, if any (c, or the console closing)."""
        if self._runs is not None:
            self._runs.stop()
