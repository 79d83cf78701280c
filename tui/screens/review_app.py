"""`warroom review`: a small app around the review screen, on an already opened reader."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tui.screens.review import ReviewScreen
from tui.timeline.query import ReviewQuery
from tui.timeline.reader import TimelineReader


class ReviewApp(App[None]):
    TITLE = "warroom review"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.ctrl_quit")]

    def __init__(self, reader: TimelineReader, *, poll_seconds: float = 1.0) -> None:
        super().__init__()
        self.reader = reader
        self.poll_seconds = poll_seconds

    def get_default_screen(self) -> Screen[Any]:
        return ReviewScreen(ReviewQuery(self.reader), poll_seconds=self.poll_seconds)
