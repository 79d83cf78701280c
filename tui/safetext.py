"""Making untrusted text safe to show: nothing from outside is ever markup or raw.

Pod names, log lines, command output, runbook text and even notes typed by a
colleague can carry terminal escapes or Rich/Textual markup. Everything shown goes
through `clean` (control characters become visible symbols, bidirectional
overrides are neutralised, absurd lengths are cut) and is wrapped in a `Text`,
which Textual never parses as markup.

What goes on screen also passes `on_screen` (tui/redact.py): while redaction is
on, secrets are masked. `plain` and `cell` do it themselves; a widget that builds
its own `Text` from strings uses `screen_line` and `screen_clean`. `one_line` and
`clean` never redact: they also prepare text that is recorded, and the incident
file keeps the truth.
"""

from __future__ import annotations

import re

from rich.text import Text

from tui.screen_redaction import on_screen

# C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f, which
# include the 8-bit CSI and OSC introducers some terminals still honour).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional embeddings, overrides and isolates reorder what follows them:
# "Trojan source" text. Shown as a visible marker instead.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

DEFAULT_MAX_CHARS = 10_000
CUT_MARKER = " …[cut {} chars]"


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400 "Control Pictures": ␀ ␇ ␛ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def clean(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return `text` with every control character made visible and length bounded."""
    if len(text) > max_chars:
        text = text[:max_chars] + CUT_MARKER.format(len(text) - max_chars)
    text = text.replace("\t", "    ")
    text = _CONTROL.sub(_visible, text)
    return _BIDI.sub("\ufffd", text)


def one_line(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Like `clean`, with line breaks shown as ⏎ so a value stays on its row."""
    return clean(text.replace("\r\n", "\n"), max_chars=max_chars).replace("\n", " ⏎ ")


def screen_clean(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """`clean` for the screen: secrets masked first while redaction is on."""
    return clean(on_screen(text), max_chars=max_chars)


def screen_line(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """`one_line` for the screen: secrets masked first while redaction is on."""
    return one_line(on_screen(text), max_chars=max_chars)


def plain(text: str, style: str = "", *, max_chars: int = DEFAULT_MAX_CHARS) -> Text:
    """A `Text` holding cleaned text for the screen: never interpreted as markup."""
    return Text(screen_clean(text, max_chars=max_chars), style=style, no_wrap=False)


def cell(text: str, style: str = "", *, max_chars: int = 500) -> Text:
    """A single-line `Text` for a table cell or a label."""
    shown = screen_line(text, max_chars=max_chars)
    return Text(shown, style=style, no_wrap=True, overflow="ellipsis")
