"""Helpers the runbook tests share."""

from __future__ import annotations

import html
import re
import textwrap

from tui.runbook.model import Command, Runbook, Step, Text
from tui.runbook.parser import parse_runbook


def md(text: str) -> Runbook:
    """Parse markdown written indented in a test."""
    return parse_runbook(textwrap.dedent(text).lstrip("\n"))


def all_text(runbook: Runbook) -> str:
    """Every piece of text the model holds, for the nothing-is-lost check."""
    parts = [runbook.title, *(f"{key} {value}" for key, value in runbook.meta.items())]
    for section in runbook.walk_sections():
        parts.append(section.title)
        parts.extend(_blocks(section.blocks))
    return "\n".join(parts)


def _blocks(blocks: list[Step | Command | Text]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Step):
            out.append(block.text)
            if block.number is not None:
                out.append(str(block.number))
            if block.checked_in_file:
                out.append("[x]")
            out.extend(_blocks(block.blocks))
        elif isinstance(block, Command):
            out.extend([block.language, block.code])
        else:
            out.append(block.text)
    return out


def commands_of(runbook: Runbook) -> list[str]:
    return [line.text for _, _, block in runbook.commands() for line in block.commands]


# What markdown uses as syntax: removed from both sides before comparing words.
_SYNTAX = re.compile(r"[#*_`~>|\[\]()!\\\-=+:.<{}\"',;]")


def words(text: str) -> set[str]:
    return set(_SYNTAX.sub(" ", html.unescape(text)).split())
