"""A pane whose data source is not connected: it says so, and why, plainly."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from widgets.pane import Pane


class PaneMessage(Static, can_focus=True):
    """A focusable block of text: the pane's focus target when it has no table."""

    DEFAULT_CSS = """
    PaneMessage { padding: 1 2; color: $text-muted; height: 1fr; }
    """


class UnavailablePane(Pane):
    def __init__(self, title: str, number: int, *, id: str, headline: str, detail: str) -> None:
        super().__init__(title, number, id=id)
        self.headline = headline
        self.detail = detail

    def compose(self) -> ComposeResult:
        text = Text.assemble((self.headline, "bold yellow"), "\n\n", self.detail)
        yield PaneMessage(text)

    def on_mount(self) -> None:
        self.set_status(self.headline.split(":")[-1].strip())
