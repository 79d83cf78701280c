"""One log line, made safe to show: escapes removed, colours kept as spans, length bounded.

A container or a file can write anything: terminal escapes that retitle the
window, clear the screen, print hyperlinks or answer back; bytes that are not
UTF-8; bidirectional overrides that reorder what the reader sees; megabyte
lines. `sanitize` keeps only what is useful (the text and its SGR colours) and
turns the rest into something visible and inert.

Order matters:
1. decode (invalid UTF-8 becomes U+FFFD);
2. pre-cut absurd lines, so the regex work below is bounded;
3. remove every escape sequence except SGR (CSI ... m), including unterminated
   ones at the end, so a cut never leaves half a sequence behind;
4. split on the SGR sequences that are left: each one only changes the style
   state (colour, bold, dim, italic, underline, reverse; nothing else, so no
   link, blink or concealed text);
5. make each text segment visible with the `tui.safetext` rules and expand tabs;
6. cut at `max_chars` and count what was cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tui.safetext import clean

Span = tuple[int, int, str]

DEFAULT_MAX_CHARS = 4000
TAB_SIZE = 8
# Raw characters looked at before anything is cut: room for colour escapes around
# `max_chars` visible ones. What lies beyond is only counted.
PRECUT_FACTOR = 4
PRECUT_SLACK = 1024

# Escape sequences, 7-bit and 8-bit. String sequences (OSC, DCS, SOS, PM, APC) end at
# BEL or ST; unterminated, they end where the next ESC starts or at the end of the line
# (a terminal would swallow the rest too). A CSI cut short at the end of the text is
# matched as well, so no half sequence survives a cut.
_ESCAPE = re.compile(
    r"""
      \x1b\[ [0-?]* [ -/]* (?:[@-~]|\Z)                     # CSI (SGR is kept, see _keep)
    | \x9b [0-?]* [ -/]* (?:[@-~]|\Z)                       # 8-bit CSI: always removed
    | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]) [^\x07\x1b\x9c]* (?:\x07|\x1b\\|\x9c)?
    | \x1b [ -/]* [0-~]                                     # other ESC sequences
    | \x1b                                                  # lone ESC
    | [\x80-\x9f]                                           # any other C1 control
    """,
    re.VERBOSE,
)
# An escape sequence still open at the end of a text (where a pre-cut would fall).
_OPEN_AT_END = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*\Z"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*\Z"
    r"|\x1b[ -/]*\Z"
)
_SGR = re.compile(r"\x1b\[([0-9;:]*)m")
_NEEDS_ESCAPE_WORK = re.compile(r"[\x1b\x80-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# ANSI colour numbers 0-15 as Rich names them.
_BASIC = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
_NAMES = (*_BASIC, *(f"bright_{name}" for name in _BASIC))


def sanitize(
    raw: bytes | str, max_chars: int = DEFAULT_MAX_CHARS
) -> tuple[str, tuple[Span, ...], int]:
    """Return (safe text, colour spans on it, number of characters cut)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else raw
    if len(text) <= max_chars and text.isprintable():
        return text, (), 0  # the common case: nothing to do
    budget = max_chars * PRECUT_FACTOR + PRECUT_SLACK
    dropped = 0
    if len(text) > budget:
        cut = budget
        opened = _OPEN_AT_END.search(text, 0, budget)
        if opened is not None:
            cut = opened.start()  # never cut inside an escape sequence: cut before it
        text, rest = text[:cut], text[cut:]
        dropped = _visible_length(rest)
    if _NEEDS_ESCAPE_WORK.search(text):
        text = _ESCAPE.sub(_keep_sgr, text)
    shown, spans = _render(text)
    if len(shown) > max_chars:
        dropped += len(shown) - max_chars
        shown = shown[:max_chars]
        spans = tuple((s, min(e, max_chars), style) for s, e, style in spans if s < max_chars)
    return shown, spans, dropped


def _visible_length(rest: str) -> int:
    """How many characters of the cut-off part would have been shown (escapes aside)."""
    if not _NEEDS_ESCAPE_WORK.search(rest):
        return len(rest)
    # No callback here (SGR goes too): this runs in C even over a megabyte.
    return len(_ESCAPE.sub("", rest))


def _keep_sgr(match: re.Match[str]) -> str:
    sequence = match.group()
    return sequence if _SGR.fullmatch(sequence) else ""


def _render(text: str) -> tuple[str, tuple[Span, ...]]:
    """Apply SGR sequences as spans; make every segment of text safe and visible."""
    out: list[str] = []
    spans: list[Span] = []
    length = 0
    style = _Style()
    position = 0
    for match in _SGR.finditer(text):
        length = _segment(text[position : match.start()], style, out, spans, length)
        style = style.apply(match.group(1))
        position = match.end()
    _segment(text[position:], style, out, spans, length)
    return "".join(out), _merged(spans)


def _segment(chunk: str, style: _Style, out: list[str], spans: list[Span], length: int) -> int:
    if not chunk:
        return length
    safe = _visible(chunk, length)
    out.append(safe)
    end = length + len(safe)
    name = style.name()
    if name:
        spans.append((length, end, name))
    return end


def _visible(chunk: str, column: int) -> str:
    """safetext's rules (controls as pictures, bidi overrides neutralised) plus: a line
    break is a control here too, and tabs stop at real tab stops."""
    if chunk.isprintable():
        return chunk
    chunk = _SURROGATE.sub("\ufffd", chunk)
    if "\t" in chunk:
        pad = column % TAB_SIZE
        chunk = ("x" * pad + chunk).expandtabs(TAB_SIZE)[pad:]
    chunk = chunk.replace("\n", "\u240a")
    return clean(chunk, max_chars=len(chunk) + 1)


def _merged(spans: list[Span]) -> tuple[Span, ...]:
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1][1] == span[0] and merged[-1][2] == span[2]:
            merged[-1] = (merged[-1][0], span[1], span[2])
        else:
            merged.append(span)
    return tuple(merged)


# -- SGR -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Style:
    """The part of a terminal's graphic state a log viewer keeps."""

    bold: bool = False
    dim: bool = False
    italic: bool = False
    underline: bool = False
    reverse: bool = False
    fg: str | None = None
    bg: str | None = None

    def name(self) -> str:
        """A Rich style string ('' for the default style)."""
        words = [
            word
            for word, on in (
                ("bold", self.bold),
                ("dim", self.dim),
                ("italic", self.italic),
                ("underline", self.underline),
                ("reverse", self.reverse),
            )
            if on
        ]
        if self.fg:
            words.append(self.fg)
        if self.bg:
            words += ["on", self.bg]
        return " ".join(words)

    def apply(self, params: str) -> _Style:
        codes = params.split(";") if params else ["0"]
        style = self
        i = 0
        while i < len(codes):
            style, i = style._code(codes, i)
        return style

    def _code(self, codes: list[str], i: int) -> tuple[_Style, int]:
        head, _, sub = codes[i].partition(":")
        if not head.isdigit():
            return self, i + 1  # "" (as in ESC[;1m) and junk change nothing
        code = int(head)
        if code in (38, 48):
            colour, i = _extended_colour(codes, i, sub)
            if colour is None:
                return self, i
            return (replace(self, fg=colour) if code == 38 else replace(self, bg=colour)), i
        return _SIMPLE.get(code, _unknown)(self, code, sub), i + 1


def _extended_colour(codes: list[str], i: int, sub: str) -> tuple[str | None, int]:
    """38;5;n / 38;2;r;g;b, and their colon forms 38:5:n / 38:2::r:g:b."""
    if sub:
        parts = sub.split(":")
        mode, args = parts[0], parts[1:]
        if mode == "2" and len(args) == 4:
            args = args[1:]  # the colour space id is empty or ignored
        return _colour(mode, args), i + 1
    mode = codes[i + 1] if i + 1 < len(codes) else ""
    count = {"5": 1, "2": 3}.get(mode, 0)
    args = codes[i + 2 : i + 2 + count]
    return _colour(mode, args), i + 2 + count


def _colour(mode: str, args: list[str]) -> str | None:
    try:
        values = [int(a) for a in args]
    except ValueError:
        return None
    if mode == "5" and len(values) == 1 and 0 <= values[0] <= 255:
        n = values[0]
        return _NAMES[n] if n < 16 else f"color({n})"
    if mode == "2" and len(values) == 3 and all(0 <= v <= 255 for v in values):
        return "#{:02x}{:02x}{:02x}".format(*values)
    return None


def _unknown(style: _Style, code: int, sub: str) -> _Style:
    return style  # blink, conceal, strike, overline, fonts...: deliberately dropped


def _basic(style: _Style, code: int, sub: str) -> _Style:
    if 30 <= code <= 37:
        return replace(style, fg=_NAMES[code - 30])
    if 40 <= code <= 47:
        return replace(style, bg=_NAMES[code - 40])
    if 90 <= code <= 97:
        return replace(style, fg=_NAMES[code - 90 + 8])
    return replace(style, bg=_NAMES[code - 100 + 8])


_SIMPLE = {
    0: lambda s, c, sub: _Style(),
    1: lambda s, c, sub: replace(s, bold=True),
    2: lambda s, c, sub: replace(s, dim=True),
    3: lambda s, c, sub: replace(s, italic=True),
    # 4:0 is "no underline"; 4:1..4:5 are underline styles.
    4: lambda s, c, sub: replace(s, underline=sub != "0"),
    7: lambda s, c, sub: replace(s, reverse=True),
    22: lambda s, c, sub: replace(s, bold=False, dim=False),
    23: lambda s, c, sub: replace(s, italic=False),
    24: lambda s, c, sub: replace(s, underline=False),
    27: lambda s, c, sub: replace(s, reverse=False),
    39: lambda s, c, sub: replace(s, fg=None),
    49: lambda s, c, sub: replace(s, bg=None),
    **{code: _basic for code in (*range(30, 38), *range(40, 48), *range(90, 98), *range(100, 108))},
}
