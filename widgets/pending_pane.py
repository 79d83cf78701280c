"""A pane's frame, drawn in the console's first frame before the real pane exists.

The real panes (tables, log view, runbook parser...) take a few hundred
milliseconds to import and lay out. The console draws its whole layout first,
with these frames in place, and swaps the real panes in right after
(ConsoleScreen.hydrate): the operator sees the console at once.
"""

from __future__ import annotations

from rich.text import Text

from widgets.pane import Pane


class PendingPane(Pane):
    DEFAULT_CSS = """
    PendingPane { color: $text-muted; padding: 0 1; }
    """

    def render(self) -> Text:
        # Drawn by the frame itself: a child widget would cost the first frame more.
        return Text("starting…")
