"""What the app does for the incident process: timers, prompts, status updates, roles, TODOs.

The clocks themselves are plain functions (tui/process_timers.py) of what the
timeline holds, so every console on a file shows the same ones. This flow
keeps the process facts folded from the events the app reads, checks the
clocks once a second (the app's injected clock), records each prompt that
came due once (`record_transition`: several consoles write it once), tells the
operator, and runs the dialogs whose answers become timeline events.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tui.process_timers import DuePrompt, TimerView, due_prompts, levels, timer_view
from tui.safetext import one_line
from tui.status_templates import Draft, compose, event_data, new_draft
from tui.timeline.model import Event, EventKind, format_ts
from tui.timeline.process import ROLES, ProcessFolder

if TYPE_CHECKING:
    from tui.app import WarRoomApp


class ProcessFlow:
    def __init__(self, app: WarRoomApp) -> None:
        self.app = app
        self.facts = ProcessFolder()
        self._recording = False
        self._told: set[str] = set()  # prompts this console already announced

    # -- facts and clocks -------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Called for every event the app reads from the file, in commit order."""
        self.facts.apply(event)

    def view(self, now: datetime) -> TimerView | None:
        """The clocks, once the file has been read (None before: nothing to show yet)."""
        folder = self.app.folder
        if folder is None or not folder.event_count:
            return None
        return timer_view(folder.snapshot(), self.facts, self.app.settings.process, now)

    def tick(self, now: datetime) -> TimerView | None:
        """Once a second: announce what came due, and record it once in the timeline."""
        view = self.view(now)
        if view is None:
            return None
        prompts = due_prompts(view, self.facts)
        self._announce(view, prompts)
        if prompts and not self._recording:
            self._recording = True
            self.app.run_worker(self._record(prompts), group="process-prompts", exit_on_error=False)
        return view

    def _announce(self, view: TimerView, prompts: list[DuePrompt]) -> None:
        # From the clocks, not from the recorded prompt: another console may have
        # recorded it, and this operator must still be told.
        if view.update_overdue and view.update_due_at is not None:
            key = f"update {format_ts(view.update_due_at)}"
            if key not in self._told:
                self._told.add(key)
                self.app.notify(
                    f"Status update #{view.update_number} is due: u composes it"
                    f" (Z puts it off {self.app.settings.process.snooze_minutes:g} min).",
                    severity="warning",
                    timeout=15,
                    markup=False,
                )
        level = view.escalation_due
        if level is not None and f"escalation {level.name}" not in self._told:
            self._told.add(f"escalation {level.name}")
            why = "not acknowledged" if level.until == "acknowledged" else "not mitigated"
            self.app.notify(
                f"Escalate to {level.name} ({level.role}): {why} {level.minutes:g} min after"
                " declaration. E records the escalation.",
                severity="error",
                timeout=30,
                markup=False,
            )

    async def _record(self, prompts: list[DuePrompt]) -> None:
        try:
            for prompt in prompts:
                await self.app.record_transition(
                    EventKind.TIMER_PROMPT,
                    prompt.text,
                    subject=prompt.subject,
                    state=prompt.state,
                    quiet_state="",
                    data=prompt.data,
                    source="process",
                )
                # The follower reads it back soon; until then, do not write it again.
                self.facts.last_prompt[prompt.subject] = prompt.state
        finally:
            self._recording = False

    # -- status updates ---------------------------------------------------------------

    def _draft(self) -> Draft:
        state = self.app.state
        view = self.view(self.app.clock())
        minutes = view.update_minutes if view else 15.0
        draft = new_draft(
            len(self.facts.updates) + 1, state.incident.title, state.severity, state.status, minutes
        )
        last = self.facts.last_update
        if last is not None:
            # Impact and actions carry over: the next update usually edits them.
            draft = replace(draft, impact=last.impact, actions=last.actions)
        return draft

    async def status_update(self) -> None:
        from tui.screens.status_update import StatusUpdateComposer

        draft = self._draft()
        while True:
            result = await self.app.push_screen_wait(StatusUpdateComposer(draft, self.app.clock))
            if result is None:
                return
            draft = result.draft
            if result.action == "save":
                await self._save(draft)
                continue  # back to the composer, with the draft
            if await self._post(draft):
                return

    async def _post(self, draft: Draft) -> bool:
        app = self.app
        if draft.status is not app.state.status:
            # "Status: Identified" in an update is the incident's status from now on.
            await app.record_status(draft.status)
        now = app.clock()
        message = compose(draft, now)
        event = await app.record(EventKind.STATUS_UPDATE, message, data=event_data(draft, now))
        if event is None:
            return False  # not recorded: the composer opens again with the draft
        app.copy_to_clipboard(message)
        app.notify(f"Status update #{draft.number} recorded, and copied to the clipboard.")
        return True

    async def _save(self, draft: Draft) -> None:
        from tui.screens.dialogs import NoteDialog

        now = self.app.clock()
        name = f"status-update-{draft.number}-{now:%Y%m%d-%H%M}.txt"
        answer = await self.app.push_screen_wait(
            NoteDialog(
                "Save the status update to",
                text=str(Path.cwd() / name),
                placeholder="a new file's path",
                hint="Enter saves (never over an existing file) · Esc cancels",
            )
        )
        if not answer:
            return
        try:
            path = await asyncio.to_thread(_write_new, Path(answer), compose(draft, now) + "\n")
        except OSError as error:
            self.app.notify(f"Not saved: {error}", severity="error", markup=False)
            return
        self.app.notify(f"Saved to {path}", markup=False)

    # -- the reminder -----------------------------------------------------------------

    async def snooze(self) -> None:
        app = self.app
        now = app.clock()
        view = self.view(now)
        if view is None or view.update_due_at is None:
            app.notify("No status update is due.")
            return
        minutes = app.settings.process.snooze_minutes
        until = now + timedelta(minutes=minutes)
        if until <= view.update_due_at:
            app.notify(
                f"Nothing to put off: the next update is due at {view.update_due_at:%H:%M} UTC."
            )
            return
        event = await app.record(
            EventKind.TIMER_SNOOZED,
            f"Status update reminder put off {minutes:g} min, to {until:%H:%M} UTC",
            data={"timer": "status_update", "minutes": minutes, "until": format_ts(until)},
        )
        if event is not None:
            app.notify(f"Reminder put off to {until:%H:%M} UTC.")

    # -- escalation, roles, action items ------------------------------------------------

    async def escalate(self) -> None:
        from tui.screens.process_dialogs import EscalateDialog

        app = self.app
        view = self.view(app.clock())
        due = view.escalation_due if view else None
        answer = await app.push_screen_wait(EscalateDialog(levels(app.settings.process), due=due))
        if answer is None:
            return
        level, who = answer
        # When it answers a prompt, say which: the postmortem shows how late it came.
        due_at = view.escalation_due_at if view and due and due.name == level.name else None
        data = {
            "level": level.name,
            "role": level.role,
            "to": who,
            "due_at": format_ts(due_at) if due_at else None,
        }
        event = await app.record(
            EventKind.ESCALATION, f"Escalated to {level.name} ({level.role}): {who}", data=data
        )
        if event is not None:
            app.notify(f"Escalation to {level.name} recorded.", markup=False)

    async def assign_roles(self) -> None:
        from tui.screens.process_dialogs import RolesDialog

        app = self.app
        current = dict(self.facts.roles)
        answer = await app.push_screen_wait(RolesDialog(current))
        if answer is None:
            return
        changed = 0
        for role, names in answer.items():
            previous = current.get(role, ())
            if names == previous:
                continue
            who = ", ".join(names) or "nobody"
            event = await app.record(
                EventKind.ROLE_ASSIGNED,
                f"{ROLES[role]}: {who}",
                data={"role": role, "names": list(names), "previous": list(previous)},
            )
            if event is None:
                return
            changed += 1
        app.notify(f"Roles recorded ({changed} changed)." if changed else "Roles unchanged.")

    async def add_todo(self) -> None:
        from tui.screens.dialogs import NoteDialog

        app = self.app
        text = ""
        while True:
            answer = await app.push_screen_wait(
                NoteDialog(
                    "Add an action item (TODO)",
                    text=text,
                    placeholder="what should be done after the incident",
                    hint="Enter records it (it goes to the postmortem) · Esc cancels",
                )
            )
            if answer is None:
                return
            event = await app.record(EventKind.TODO, answer)
            if event is not None:
                app.notify(
                    f"Action item recorded (#{event.seq}): {one_line(answer, max_chars=60)}",
                    markup=False,
                )
                return
            text = answer


def _write_new(path: Path, body: str) -> Path:
    """Write a new file (never over an existing one); returns where."""
    path = path.expanduser()
    with path.open("x", encoding="utf-8") as handle:
        handle.write(body)
    return path
