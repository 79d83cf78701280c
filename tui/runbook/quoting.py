"""Where a position in a shell command sits (bare, quoted, comment, here-document), and
how to put a value there so the shell reads it back unchanged.

Substituting a pod name into `kubectl logs <pod>` is easy; into
`psql -c "... WHERE pid = <PID>"` it is not: a `$(...)` in the value would run
inside the double quotes; and in `sh -c "kubectl logs <pod>"` a second shell reads
the text again. `embed` writes the value in the way each context needs.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Literal

Context = Literal["plain", "single", "double", "comment", "heredoc", "literal"]

# What shlex.quote leaves alone: safe to write as is, even inside quotes.
_SAFE = re.compile(r"[\w@%+=:,./-]+", re.ASCII)
_HEREDOC = re.compile(r"<<(-?)[ \t]*(?:'([^'\n]*)'|\"([^\"\n]*)\"|\\?([A-Za-z0-9_.-]+))")


@dataclass(frozen=True, slots=True)
class Region:
    context: Context
    start: int
    end: int


def regions(text: str) -> list[Region]:
    """Split `text` into regions of one context each; quote characters belong to none."""
    out: list[Region] = []
    n = len(text)
    i = start = 0
    heredocs: list[tuple[str, bool, bool]] = []  # delimiter, quoted, strip tabs

    def close(kind: Context, upto: int) -> None:
        if upto > start:
            out.append(Region(kind, start, upto))

    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c in "'\"" or (c == "$" and text.startswith("$'", i)):
            close("plain", i)
            quote = "'" if c == "$" else c
            body = i + (2 if c == "$" else 1)
            stop = _closing(text, body, quote)
            out.append(Region("single" if quote == "'" else "double", body, stop))
            i = start = min(stop + 1, n)
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n;|&("):
            close("plain", i)
            stop = text.find("\n", i)
            stop = n if stop < 0 else stop
            out.append(Region("comment", i, stop))
            i = start = stop
        elif c == "<" and (match := _HEREDOC.match(text, i)) and not text.startswith("<<<", i):
            delimiter = match.group(2) or match.group(3) or match.group(4) or ""
            quoted = match.group(4) is None or text[match.end(1) :].lstrip().startswith("\\")
            heredocs.append((delimiter, quoted, match.group(1) == "-"))
            i = match.end()
        elif c == "\n" and heredocs:
            close("plain", i + 1)
            i = start = _bodies(text, i + 1, heredocs, out)
            heredocs = []
        else:
            i += 1
    close("plain", n)
    return out


def _closing(text: str, i: int, quote: str) -> int:
    """Index of the quote closing a string whose body starts at `i` (or len(text))."""
    n = len(text)
    while i < n:
        if text[i] == "\\" and quote == '"':
            i += 2
        elif text[i] == quote:
            return i
        else:
            i += 1
    return n


def _bodies(text: str, i: int, heredocs: list[tuple[str, bool, bool]], out: list[Region]) -> int:
    for delimiter, quoted, strip in heredocs:
        body = i
        while i < len(text):
            stop = text.find("\n", i)
            stop = len(text) if stop < 0 else stop
            line = text[i:stop]
            if (line.lstrip("\t") if strip else line) == delimiter:
                out.append(Region("literal" if quoted else "heredoc", body, i))
                i = min(stop + 1, len(text))
                break
            i = stop + 1
        else:
            out.append(Region("literal" if quoted else "heredoc", body, len(text)))
            return len(text)
    return i


def is_safe(value: str) -> bool:
    """Needs no quoting anywhere: letters, digits and @%+=:,./-_ only."""
    return _SAFE.fullmatch(value) is not None


def embed(value: str, context: Context, *, reread: bool = False) -> str:
    """`value` written so that, at a position of `context`, the shell reads exactly it.

    `reread` says the text around the position is a script a second shell reads again
    (`sh -c "..."`, `watch '...'`, `ssh host ...`): the value is then quoted for that
    shell too, so it stays one word and nothing in it runs there either.
    """
    if "\0" in value:
        raise ValueError("a value cannot contain a NUL character")
    if context in ("literal", "heredoc"):
        # A line equal to the delimiter would end the document and run what follows.
        if "\n" in value:
            raise ValueError("a value with a line break cannot go into a here-document")
        return value if context == "literal" else re.sub(r"([\\$`])", r"\\\1", value)
    if is_safe(value):
        return value
    quoted = shlex.quote(value)
    if context == "plain":
        return shlex.quote(quoted) if reread else quoted
    mark = "'" if context == "single" else '"'
    if not reread:
        # Close the surrounding quotes, add the value quoted on its own, reopen: the
        # shell joins the three into one word, and nothing in the value is expanded.
        return mark + quoted + mark
    # Escape the inner shell's quoting for the quotes around it.
    if context == "single":
        return quoted.replace("'", "'\\''")
    return re.sub(r'([\\"$`])', r"\\\1", quoted)
