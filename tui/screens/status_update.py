"""The status update composer: the seeds' template, filled in field by field.

Status, impact, actions, when the next update comes, and the status page's
line (prefilled per status from the seeds; a "[blank]" left in it stops the
post). The preview shows exactly what is posted, copied and saved.

Keys: ctrl+s posts (records it in the timeline and copies it), ctrl+y copies
it without posting (OSC 52: the terminal's clipboard, also over SSH), ctrl+o
saves it to a file, Esc cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from tui.safetext import clean
from tui.screens.dialogs import dialog_css
from tui.status_templates import ACTIONS_HINT, IMPACT_HINT, Draft, compose, unfilled
from tui.timeline.model import Status


@dataclass(frozen=True, slots=True)
class ComposerResult:
    action: str  # "post" or "save"
    draft: Draft


class StatusUpdateComposer(ModalScreen[ComposerResult | None]):
    DEFAULT_CSS = dialog_css(
        "StatusUpdateComposer",
        """
    StatusUpdateComposer .dialog { width: 96; height: 90%; max-height: 30; }
    StatusUpdateComposer Grid { grid-size: 2; grid-columns: 14 1fr; height: auto;
                                grid-gutter: 0 1; }
    StatusUpdateComposer Grid Label { color: $text-muted; }
    StatusUpdateComposer #preview { border: round $panel-lighten-2; padding: 0 1;
                                    height: 1fr; }
    """,
    )
    BINDINGS = [
        Binding(
            "ctrl+s",
            "post",
            "Post",
            tooltip="Record it in the timeline, and copy it",
            id="status_update.post",
        ),
        Binding(
            "ctrl+y",
            "copy",
            "Copy",
            tooltip="Copy to the clipboard without posting",
            id="status_update.copy",
        ),
        Binding("ctrl+o", "save", "Save", tooltip="Save it to a file", id="status_update.save"),
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
    ]

    def __init__(self, draft: Draft, now: Callable[[], datetime]) -> None:
        super().__init__()
        self.draft = draft
        self._now = now

    def compose(self) -> ComposeResult:
        draft = self.draft
        title = f"Status update #{draft.number}"
        statuses = [(s.value.capitalize(), s.value) for s in Status]
        minutes = "" if draft.next_minutes is None else str(draft.next_minutes)
        with Vertical(classes="dialog"):
            yield Label(Text(title), classes="dialog-title")
            with Grid():
                yield Label("Status")
                yield Select(
                    statuses, value=draft.status.value, allow_blank=False, compact=True, id="status"
                )
                yield Label("Impact")
                yield Input(draft.impact, placeholder=IMPACT_HINT, compact=True, id="impact")
                yield Label("Actions")
                yield Input(draft.actions, placeholder=ACTIONS_HINT, compact=True, id="actions")
                yield Label("Next in (min)")
                yield Input(
                    minutes,
                    placeholder="none once resolved",
                    type="integer",
                    compact=True,
                    id="minutes",
                )
                yield Label("Status page")
                yield Input(draft.public, compact=True, id="public")
            yield Static(Text(""), id="preview")
            yield Static(Text(""), classes="dialog-error", id="composer-error")
            yield Label(
                Text("ctrl+s post (and copy) · ctrl+y copy · ctrl+o save to a file · Esc cancel"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._refresh_preview()
        self.query_one("#impact", Input).focus()

    @property
    def message(self) -> str:
        return compose(self.draft, self._now())

    def _refresh_preview(self) -> None:
        self.query_one("#preview", Static).update(Text(clean(self.message)))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is Select.BLANK or event.value == self.draft.status.value:
            return
        self.draft = self.draft.with_status(Status(str(event.value)))
        # The status page line and the cadence follow the template (unless edited).
        with self.prevent(Input.Changed):
            self.query_one("#public", Input).value = self.draft.public
            minutes = self.draft.next_minutes
            self.query_one("#minutes", Input).value = "" if minutes is None else str(minutes)
        self._refresh_preview()

    def on_input_changed(self, event: Input.Changed) -> None:
        value = event.value
        if event.input.id == "impact":
            self.draft = replace(self.draft, impact=value)
        elif event.input.id == "actions":
            self.draft = replace(self.draft, actions=value)
        elif event.input.id == "public":
            self.draft = replace(self.draft, public=value)
        elif event.input.id == "minutes":
            minutes = int(value) if value.strip().isdigit() and int(value) > 0 else None
            self.draft = replace(self.draft, next_minutes=minutes)
        self._refresh_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        # Enter moves on, like a form: posting is a deliberate ctrl+s.
        event.stop()
        self.focus_next()

    def _error(self, message: str) -> None:
        self.query_one("#composer-error", Static).update(Text(clean(message)))

    def action_post(self) -> None:
        blank = unfilled(self.draft)
        if blank:
            self._error(f"Replace {blank} first: it is the template's blank.")
            return
        if self.draft.status is not Status.RESOLVED and self.draft.next_minutes is None:
            self._error("Say when the next update comes (minutes), or choose Resolved.")
            return
        self.dismiss(ComposerResult("post", self.draft))

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.message)
        self.notify("Status update copied to the clipboard (not posted).")

    def action_save(self) -> None:
        self.dismiss(ComposerResult("save", self.draft))

    def action_cancel(self) -> None:
        self.dismiss(None)
