"""One set of hostile text for every pane: what a cluster, a container, a log, a runbook,
a command or another operator could hand the console to break it or to make it act.

Markup must show literally (and so never act: `[@click=app.quit]` stays text), escape
sequences, bidi overrides, NULs and bells never reach the terminal, a 1 MB line is cut,
and invalid UTF-8 is replaced, never fatal.
"""

from __future__ import annotations

import html
import re
from typing import Any

# Text that must be drawn exactly as written.
MARKUP = "[red]x[/]"
CLICK = "[@click=app.quit]quit[/]"
UNCLOSED = "[b]unclosed"
LITERAL = (MARKUP, CLICK, UNCLOSED)

# One line each, by what it attacks.
LINES = {
    "markup": f"{MARKUP} {UNCLOSED} [/]",
    "click": f"{CLICK} [link=http://evil.example]l[/link]",
    "ansi": "raw \x1b[31mred\x1b[0m clear\x1b[2J\x1b[H home",
    "osc": "title \x1b]0;pwned\x07 link \x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\",
    "bidi": "abc\u202edef \u2066iso\u2069 zero\u200bwidth",
    "nul": "nul\x00byte bell\x07 backspace\x08",
}
HUGE = "H" * 1_000_000
INVALID_UTF8 = b"bad \xff\xfe utf8 \xc3( end"

# Never drawn, whatever the pane.
NEVER_DRAWN = ("\x1b", "\x07", "\x00", "\x08", "\u202e", "\u2066", "\u2069")


def short_names() -> list[str]:
    """Names for objects (pods, ingresses, processes): hostile but one short line."""
    return [MARKUP, CLICK, "ansi\x1b[2Jname", "bidi\u202ename", "nul\x00name"]


def log_bytes() -> bytes:
    """Every hostile line, the 1 MB line and invalid UTF-8, as a log file holds them."""
    lines = [text.encode() for text in LINES.values()]
    return b"\n".join([*lines, HUGE.encode(), INVALID_UTF8]) + b"\n"


def screen_text(app: Any) -> str:
    """Everything the screen shows now, from the app's own screenshot."""
    svg = app.export_screenshot()
    found = (html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S))
    return " ".join(found).replace("\xa0", " ")


def assert_drawn_safely(app: Any, *literal: str) -> str:
    """`literal` texts are on screen exactly; nothing dangerous is; the app still runs."""
    shown = screen_text(app)
    for text in literal:
        assert text in shown, f"{text!r} is not shown literally"
    for char in NEVER_DRAWN:
        assert char not in shown, f"{char!r} reached the screen"
    assert app.is_running
    return shown
