"""A pane's frame, drawn in the console's first frame before the real pane exists.

The real panes (tables, log view, runbook parser...) take a few hundred
milliseconds to import and lay out. The console draws its whole layout first,
with these frames in place, and swaps the real panes in right after
(ConsoleScreen.hydrate): the operator sees the console at once.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from widgets.pane import Pane


class PendingPane(Pane):
    DEFAULT_CSS = """
    PendingPane > Static { color: $text-muted; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static("starting…")
