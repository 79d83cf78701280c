"""Presentation mode: the console shared on a big screen in a war-room call.

On: a high-contrast theme (near-black, white text, saturated accents), the banner in
three rows with the clock in large digits, and redaction on (no secrets on a shared
screen). Off: the theme and the redaction state from before come back.

Switching is a matter of the view, not of the incident: nothing is recorded in the
timeline (a redaction change records itself, if the redaction code decides so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.theme import Theme

if TYPE_CHECKING:
    from tui.app import WarRoomApp

PRESENT_THEME = Theme(
    name="warroom-present",
    primary="#3b9cff",
    secondary="#00d7ff",
    accent="#ffd700",
    warning="#ffaf00",
    error="#ff3b3b",
    success="#00e65c",
    foreground="#ffffff",
    background="#000000",
    surface="#0b0b0b",
    panel="#1c1c1c",
    boost="#262626",
    dark=True,
    # Borders and panels stay clearly apart from the background.
    luminosity_spread=0.2,
    # Text at full strength: a projector washes out anything dimmer.
    text_alpha=1.0,
)


@dataclass
class Presentation:
    """Presentation mode's switch, and what to restore when it is turned off."""

    app: WarRoomApp
    active: bool = False
    _previous_theme: str = ""
    _previous_redaction: bool = False

    def toggle(self) -> None:
        if self.active:
            self.leave()
        else:
            self.enter()

    def enter(self) -> None:
        if self.active:
            return
        app = self.app
        self.active = True
        self._previous_theme = app.theme
        # `redacting` may be missing on a build without redaction: then it stays off.
        self._previous_redaction = bool(getattr(app, "redacting", False))
        app.theme = PRESENT_THEME.name
        redacted = self._set_redaction(True)
        app.console_screen.banner.present(True)
        app.refresh_banner()
        extra = ", secrets redacted" if redacted else ""
        app.notify(f"Presentation mode: high contrast, large banner{extra}. P turns it off.")

    def leave(self) -> None:
        if not self.active:
            return
        app = self.app
        self.active = False
        app.theme = self._previous_theme
        self._set_redaction(self._previous_redaction)
        app.console_screen.banner.present(False)
        app.refresh_banner()
        redaction = "redaction stays on" if self._previous_redaction else "redaction off"
        app.notify(f"Presentation mode off: the usual theme, one-line banner, {redaction}.")

    def _set_redaction(self, enabled: bool) -> bool:
        """Switch redaction if this build has it; True when it is now `enabled`."""
        set_redaction = getattr(self.app, "set_redaction", None)
        if set_redaction is None:
            return False
        set_redaction(enabled)
        return True
