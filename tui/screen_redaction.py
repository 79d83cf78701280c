"""The screen's redaction switch: which Redactor (tui/redact.py) masks what is shown.

Kept apart from the patterns: every display helper consults this switch, so it
loads with the console, while compiling the patterns waits until redaction is
first turned on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.redact import Redactor

# The redactor the screen uses while redaction is on; None while it is off. Set by
# the console (WarRoomApp.set_redaction); read by tui/safetext.py's display helpers.
screen: Redactor | None = None
# Bumped on every change, so caches of rendered text can key on it.
screen_generation = 0


def set_screen(redactor: Redactor | None) -> None:
    global screen, screen_generation
    screen = redactor
    screen_generation += 1


def on_screen(text: str) -> str:
    """`text` as the screen may show it: redacted while redaction is on."""
    redactor = screen
    return text if redactor is None else redactor.redact(text)
