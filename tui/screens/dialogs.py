"""Modal dialogs: write a note, pick from a list, mark a milestone, read an event.

Each dialog returns its answer through `dismiss`; the app records it and only
then says it is done. Escape always cancels without recording anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.safetext import clean, plain, screen_clean
from tui.timeline.model import Event, Milestone, format_ts
from tui.timeline.when import HELP as WHEN_HELP
from tui.timeline.when import WhenError, parse_when


def dialog_css(screen_class: str, extra: str = "") -> str:
    """Shared dialog styles; DEFAULT_CSS is scoped per class, so the name is filled in."""
    return DIALOG_CSS.replace("SCREEN", screen_class) + extra


DIALOG_CSS = """
SCREEN { align: center middle; }
.dialog {
    width: 72; max-width: 95%; height: auto; max-height: 90%;
    border: thick $accent; background: $surface; padding: 0 1;
}
.dialog-title { text-style: bold; color: $accent; padding-bottom: 1; }
.dialog-hint { color: $text-muted; padding-top: 1; }
.dialog-error { color: $error; height: auto; }
.dialog OptionList { height: auto; max-height: 12; }
"""


class NoteDialog(ModalScreen[str | None]):
    """One line of free text for the timeline."""

    DEFAULT_CSS = dialog_css("NoteDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self,
        title: str = "Add a note",
        *,
        text: str = "",
        placeholder: str = "",
        hint: str = "Enter records it · Esc cancels",
    ) -> None:
        super().__init__()
        self._title = title
        self._hint = hint
        self._text = text
        self._placeholder = placeholder or "what happened, what you saw, what you decided"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title), classes="dialog-title")
            yield Input(value=self._text, placeholder=self._placeholder, id="note-text")
            yield Static(Text(""), classes="dialog-error", id="note-error")
            yield Label(Text(self._hint), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#note-error", Static).update(Text("A note needs some text."))
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one value from a short list; the current value is marked and preselected."""

    DEFAULT_CSS = dialog_css("ChoiceDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self, title: str, choices: Sequence[tuple[str, str]], *, current: str | None = None
    ) -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)
        self._current = current

    def compose(self) -> ComposeResult:
        options = []
        for value, description in self._choices:
            label = Text.assemble(
                (f"{value:<14}", "bold"),
                (description, "dim"),
                (" (current)" if value == self._current else "", "italic"),
            )
            options.append(Option(label, id=value))
        with Vertical(classes="dialog"):
            yield Label(Text(self._title), classes="dialog-title")
            yield OptionList(*options, id="choices")
            yield Label(Text("Enter chooses · Esc cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        values = [value for value, _ in self._choices]
        if self._current in values:
            option_list.highlighted = values.index(self._current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


MILESTONE_HELP: dict[Milestone, str] = {
    Milestone.IMPACT_STARTED: "users started to be affected",
    Milestone.DETECTED: "we noticed (alert, ticket, report)",
    Milestone.ACKNOWLEDGED: "someone owns the response",
    Milestone.MITIGATED: "impact stopped (workaround, rollback)",
    Milestone.RESOLVED: "fixed for good",
}


class MilestoneDialog(ModalScreen[tuple[Milestone, datetime] | None]):
    """Choose a milestone and when it happened (now, or backdated)."""

    DEFAULT_CSS = dialog_css("MilestoneDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, now: Callable[[], datetime]) -> None:
        super().__init__()
        self._now = now

    def compose(self) -> ComposeResult:
        options = [
            Option(Text.assemble((f"{m.value:<16}", "bold"), (MILESTONE_HELP[m], "dim")), id=m)
            for m in Milestone
        ]
        with Vertical(classes="dialog"):
            yield Label(Text("Mark a milestone"), classes="dialog-title")
            yield OptionList(*options, id="milestones")
            yield Label(Text("When (UTC)?"))
            yield Input(placeholder=WHEN_HELP, id="when")
            yield Static(Text(""), classes="dialog-error", id="when-error")
            yield Label(
                Text("Pick with Enter, then Enter again in 'When' · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.query_one("#when", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        option_list = self.query_one(OptionList)
        index = option_list.highlighted
        if index is None:
            self._error("Choose a milestone first.")
            return
        milestone = Milestone(option_list.get_option_at_index(index).id)
        try:
            when = parse_when(event.value, self._now())
        except WhenError as error:
            self._error(str(error))
            return
        self.dismiss((milestone, when))

    def _error(self, message: str) -> None:
        self.query_one("#when-error", Static).update(Text(clean(message)))

    def action_cancel(self) -> None:
        self.dismiss(None)


class EventDetail(ModalScreen[None]):
    """Everything one event holds, read-only."""

    DEFAULT_CSS = dialog_css(
        "EventDetail",
        """
    EventDetail .dialog { width: 100; height: 80%; }
    EventDetail VerticalScroll { height: 1fr; }
    """,
    )
    BINDINGS = [Binding("escape,enter", "close", "Close", id="detail.close")]

    def __init__(self, event: Event, *, pinned: bool) -> None:
        super().__init__()
        self._event = event
        self._pinned = pinned

    def compose(self) -> ComposeResult:
        e = self._event
        header = Text()
        for label, value in (
            ("event", f"#{e.seq}  {e.uuid}"),
            ("time", format_ts(e.ts)),
            ("kind", e.kind),
            ("by", e.actor),
            ("source", e.source),
            ("about", e.subject or "—"),
            ("pinned", "yes" if self._pinned else "no"),
        ):
            header.append(f"{label:>7}  ", "bold")
            header.append(screen_clean(value) + "\n")
        with Vertical(classes="dialog"):
            yield Label(Text("Event"), classes="dialog-title")
            with VerticalScroll():
                yield Static(header)
                yield Static(plain(e.text, max_chars=200_000))
                if e.data:
                    data = json.dumps(e.data, indent=2, sort_keys=True, default=str)
                    yield Static(plain(data, "dim", max_chars=200_000))
            yield Label(Text("Esc closes"), classes="dialog-hint")

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the event is shown again."""
        self.refresh(recompose=True)

    def action_close(self) -> None:
        self.dismiss(None)
