"""`warroom review`: a small app around the review screen, on an already opened reader."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.filter import LineFilter
from textual.screen import Screen

from tui.keymap import KeyMap
from tui.no_color import NO_COLOR_CSS, without_colour
from tui.screens.review import ReviewScreen
from tui.timeline.query import ReviewQuery
from tui.timeline.reader import TimelineReader


class ReviewApp(App[None]):
    TITLE = "warroom review"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.ctrl_quit")]
    CSS = NO_COLOR_CSS  # applies under NO_COLOR only (tui/no_color.py)

    def __init__(
        self, reader: TimelineReader, *, poll_seconds: float = 1.0, keymap: KeyMap | None = None
    ) -> None:
        super().__init__()
        self.reader = reader
        self.poll_seconds = poll_seconds
        if keymap is not None and keymap.remaps:
            self.set_keymap(dict(keymap.remaps))

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return without_colour(filters) if self.no_color else filters

    def get_default_screen(self) -> Screen[Any]:
        return ReviewScreen(ReviewQuery(self.reader), poll_seconds=self.poll_seconds)
