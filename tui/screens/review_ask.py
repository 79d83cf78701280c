"""A one-line question for the review (search text, a time to jump to): empty is allowed."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.safetext import clean
from tui.screens.dialogs import dialog_css


class AskDialog(ModalScreen[str | None]):
    """Returns the text (possibly empty), or None on Escape; `check` may refuse it."""

    DEFAULT_CSS = dialog_css("AskDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self,
        title: str,
        *,
        text: str = "",
        placeholder: str = "",
        hint: str = "Enter applies · Esc cancels",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._placeholder = placeholder
        self._hint = hint
        self._check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title), classes="dialog-title")
            yield Input(value=self._text, placeholder=self._placeholder, id="ask")
            yield Static(Text(""), classes="dialog-error", id="ask-error")
            yield Label(Text(self._hint), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        problem = self._check(event.value) if self._check else None
        if problem:
            self.query_one("#ask-error", Static).update(Text(clean(problem)))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
