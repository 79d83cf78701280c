"""16 colours (TERM=screen, xterm-16color, a console): a theme that survives the mapping.

Textual draws in 24-bit colour and the terminal driver rounds each colour to the
nearest of the 16. Rounded that way, the default theme's orange accent (the
focused pane's border) and its warning colour both become bright red, the same
red as errors: focus would read as an alarm, and a warning as an error. This
theme is the default one with its signal colours set to the 16's own, so each
keeps a colour of its own: focus bright cyan, warning yellow, error red,
success green.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import App
from textual.theme import BUILTIN_THEMES, Theme

SIXTEEN_COLOUR_THEME: Theme = replace(
    BUILTIN_THEMES["textual-dark"],
    name="warroom-16",
    primary="#00AAAA",  # cyan
    secondary="#5555FF",  # bright blue
    accent="#55FFFF",  # bright cyan: focus, not an alarm
    warning="#FFFF55",  # bright yellow
    error="#FF5555",  # bright red
    success="#55FF55",  # bright green
)


def wants_sixteen_colours(color_system: str | None, *, headless: bool) -> bool:
    """A real terminal with 16 colours (tests and screenshots draw in 24-bit colour)."""
    return color_system == "standard" and not headless


def use_sixteen_colour_theme(app: App[object]) -> None:
    """Switch to the 16-colour theme when the terminal has only 16 colours.

    Called once the driver exists (on mount): Rich takes an unknown or absent TERM
    for 16 colours, which a headless test run must not follow.
    """
    app.register_theme(SIXTEEN_COLOUR_THEME)
    if wants_sixteen_colours(app.console.color_system, headless=app.is_headless):
        app.theme = SIXTEEN_COLOUR_THEME.name
