"""The frame every pane shares: a numbered, titled border that can be zoomed."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.widget import Widget


class Pane(Vertical):
    """A bordered region of the console. Subclasses compose its content.

    The pane itself never takes focus; its first focusable child does, so Tab
    and the number keys land somewhere that scrolls or has a cursor.
    """

    ALLOW_MAXIMIZE = True

    DEFAULT_CSS = """
    Pane {
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        border-title-style: bold;
        height: 1fr;
        width: 1fr;
    }
    Pane:focus-within {
        border: round $accent;
        border-title-color: $accent;
    }
    """

    def __init__(self, title: str, number: int, *, id: str) -> None:
        super().__init__(id=id)
        self.title = title
        self.number = number
        self.border_title = f"{number} {title}"

    @property
    def focus_target(self) -> Widget:
        for widget in self.query("*"):
            if widget.focusable:
                return widget
        return self

    @property
    def status_text(self) -> str:
        """The border's subtitle (the pane's state), as plain text."""
        subtitle = self._border_subtitle
        return subtitle.plain if subtitle is not None else ""

    def set_status(self, text: str | Text) -> None:
        """A short state shown in the border (e.g. 'live', 'not connected').

        A plain string may carry an error message from outside: it becomes Text,
        never markup.
        """
        self.border_subtitle = Text(text) if isinstance(text, str) else text
