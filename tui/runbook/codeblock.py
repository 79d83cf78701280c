"""A code block's lines as an operator runs them: commands, explanations, output.

Runbook code blocks hold shell commands, but also templates, YAML and prose put
in a fence for its monospace. Tagged blocks are trusted (`bash` runs, `yaml`
does not); an untagged block runs when most of what it holds reads like
commands. A runnable block is split into commands the way bash would read them:
a backslash continuation, an unclosed quote, a here-document or a `for ... done`
loop stays one command, because running half of it would fail or do harm.
"""

from __future__ import annotations

import re

from tui.runbook.model import CommandLine
from tui.runbook.shell import parse

SHELL_LANGUAGES = frozenset({"bash", "sh", "shell", "zsh", "ksh", "fish", "shellscript"})
CONSOLE_LANGUAGES = frozenset({"console", "shell-session", "sh-session", "shellsession"})
# One command longer than this many lines is not waiting for its end: it has none.
MAX_COMMAND_LINES = 400

_PROMPT = "$ "
# A command starts with a lower-case program name, a path, or VAR=value assignments;
# prose starts with a capital, a list marker, a number or a "Key:" label.
_COMMAND_START = re.compile(
    r"(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*(?:\.{0,2}/\S+|~/\S+|[a-z][a-z0-9_.+-]*)(?:\s|$)"
)


def read_code_block(code: str, language: str, first_line: int) -> tuple[bool, list[CommandLine]]:
    """Is the block runnable, and its lines (commands, comments, output) if it is."""
    lang = language.lower()
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    transcript = lang in CONSOLE_LANGUAGES or (
        lang not in SHELL_LANGUAGES and any(line.startswith(_PROMPT) for line in lines)
    )
    if transcript:
        result = _split_transcript(lines, first_line)
        return bool(result), result
    if lang and lang not in SHELL_LANGUAGES:
        return False, []
    result = _split_script(lines, first_line)
    if lang in SHELL_LANGUAGES:
        return True, result
    commands = [line for line in result if line.kind == "command"]
    looks = [line for line in commands if _looks_like_command(line.text)]
    if commands and len(looks) * 2 >= len(commands):
        return True, result
    return False, []


def _looks_like_command(text: str) -> bool:
    first = text.split("\n", 1)[0].strip()
    word = first.split(maxsplit=1)[0] if first else ""
    if not word or word.endswith((":", ",")) or "://" in word:
        return False
    return _COMMAND_START.match(first) is not None


def _split_script(lines: list[str], first_line: int) -> list[CommandLine]:
    out: list[CommandLine] = []
    explanation: list[str] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped:
            explanation = []  # a blank line ends what the comments above were explaining
            i += 1
            continue
        if stripped.startswith("#"):
            out.append(CommandLine("comment", stripped, first_line + i))
            if not stripped.startswith("#!"):
                explanation.append(stripped.lstrip("#").strip())
            i += 1
            continue
        end = _command_end(lines, i)
        text, comment = _trailing_comment("\n".join(lines[i : end + 1]).strip())
        out.append(
            CommandLine("command", text, first_line + i, comment, " ".join(e for e in explanation))
        )
        explanation = []
        i = end + 1
    return out


def _command_end(lines: list[str], start: int) -> int:
    """Index of the last line of the command starting at `start`."""
    end = start
    while (
        end + 1 < len(lines)
        and end - start < MAX_COMMAND_LINES
        and not parse("\n".join(lines[start : end + 1])).complete
    ):
        end += 1
    return end


def _trailing_comment(text: str) -> tuple[str, str]:
    """Split `kubectl top pods  # Monitor memory` into the command and its comment."""
    comments = parse(text).comments
    if comments and comments[-1].end == len(text) and "\n" not in text[comments[-1].start :]:
        head = text[: comments[-1].start].rstrip()
        if head:
            return head, comments[-1].text[1:].strip()
    return text, ""


def _split_transcript(lines: list[str], first_line: int) -> list[CommandLine]:
    """`$ cmd` lines are commands (prompt dropped); the lines after them are their output."""
    out: list[CommandLine] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith(_PROMPT):
            if line.strip():
                out.append(CommandLine("output", line, first_line + i))
            i += 1
            continue
        buf = [line[len(_PROMPT) :]]
        start = i
        while (
            i + 1 < len(lines)
            and len(buf) < MAX_COMMAND_LINES
            and not parse("\n".join(buf)).complete
        ):
            i += 1
            follow = lines[i]
            buf.append(follow[2:] if follow.startswith("> ") else follow)
        text, comment = _trailing_comment("\n".join(buf).strip())
        if text:
            out.append(CommandLine("command", text, first_line + start, comment))
        i += 1
    return out
