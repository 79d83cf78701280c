"""What a runbook is once parsed: sections, steps, commands and text, nothing lost.

Plain dataclasses with no behaviour beyond walking the tree. A section holds an
ordered list of blocks (steps, commands, text) and its sub-sections; a step holds
its own ordered blocks, including its sub-steps. Every block keeps the line it
came from, so warnings and the timeline can point back into the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

# Trigger keys the front matter may use; the UI matches them against live signals.
TRIGGER_KEYS = ("pod_status", "event_reason", "probe", "host_alert")

LineKind = Literal["command", "comment", "output"]
TextKind = Literal["paragraph", "table", "quote", "html", "heading"]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something worth telling the runbook's author; parsing still went on."""

    line: int | None  # 1-based line in the file, when there is one
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True, slots=True)
class Triggers:
    """Which live signals make this runbook worth suggesting."""

    pod_status: tuple[str, ...] = ()
    event_reason: tuple[str, ...] = ()
    probe: tuple[str, ...] = ()
    host_alert: tuple[str, ...] = ()
    # Keys nobody matches on yet: kept so nothing written is lost, reported by lint.
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def by_key(self) -> dict[str, tuple[str, ...]]:
        return {key: getattr(self, key) for key in TRIGGER_KEYS}

    def __bool__(self) -> bool:
        return any(self.by_key().values())


@dataclass(frozen=True, slots=True)
class CommandLine:
    """One thing to run (or read) inside a code block.

    `text` is what the shell gets: continuation lines stay joined with their
    backslash-newlines and a here-document stays whole; a trailing `# comment` is
    moved to `comment`. Comment lines have kind "comment"; in a console transcript
    (`$ cmd` followed by what it printed) the printed lines have kind "output".
    """

    kind: LineKind
    text: str
    line: int  # 1-based line in the file where it starts
    comment: str = ""  # trailing comment of a command line, without the '#'
    explanation: str = ""  # the comment lines right above a command, joined

    @property
    def one_line(self) -> str:
        """The command with its continuation lines joined by spaces, for one row."""
        if "\\\n" not in self.text:
            return self.text
        parts = [part.strip() for part in self.text.split("\\\n")]
        return " ".join(part for part in parts if part)


@dataclass(slots=True)
class Command:
    """A code block: fenced (backticks or tildes) or indented."""

    code: str  # the block's content exactly as written (without the fences)
    language: str  # the info string's first word, "" when there is none
    runnable: bool  # shell commands, as opposed to a template, YAML or prose
    lines: list[CommandLine]  # empty when not runnable
    line: int  # 1-based line of the block's first content line

    @property
    def commands(self) -> list[CommandLine]:
        return [line for line in self.lines if line.kind == "command"]


@dataclass(slots=True)
class Text:
    """Prose: a paragraph, a table rendered as aligned text, a quote, raw HTML."""

    kind: TextKind
    text: str
    line: int


@dataclass(slots=True)
class Step:
    """A list item. `id` is stable across restarts: section slug and index path."""

    id: str  # "check-pods/3.2"
    path: str  # "3.2": third item of the section, second sub-item
    text: str  # the item's first paragraph as plain text, inline code kept in backticks
    line: int
    number: int | None = None  # the number written before an ordered item ("4." -> 4)
    task: bool = False  # written as "- [ ]" or "- [x]"
    checked_in_file: bool = False  # "[x]" in the file: kept, but not progress
    ordered: bool = False
    blocks: list[Block] = field(default_factory=list)  # text, commands, sub-steps in order

    @property
    def substeps(self) -> list[Step]:
        return [block for block in self.blocks if isinstance(block, Step)]

    @property
    def commands(self) -> list[Command]:
        return [block for block in self.blocks if isinstance(block, Command)]


Block = Step | Command | Text


@dataclass(slots=True)
class Section:
    """A heading (ATX or setext, any level) and what follows it up to the next one."""

    title: str
    level: int  # 1-6; 0 for the text before the first heading
    slug: str  # unique in the runbook, as a link anchor would be
    line: int
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


@dataclass(slots=True)
class Runbook:
    path: Path | None
    title: str
    severity: str | None = None
    tags: tuple[str, ...] = ()
    triggers: Triggers = field(default_factory=Triggers)
    sections: list[Section] = field(default_factory=list)  # top level; see walk_sections
    warnings: list[Problem] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)  # the whole front matter
    sha256: str = ""  # of the text parsed, to notice a runbook edited mid-incident

    @property
    def name(self) -> str:
        """The file name, which is what overrides a bundled runbook of the same name."""
        return self.path.name if self.path else self.title

    def walk_sections(self) -> Iterator[Section]:
        """Every section, depth first, in file order."""
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def steps(self) -> Iterator[tuple[Section, Step]]:
        """Every step and sub-step with its section, in file order."""
        for section in self.walk_sections():
            for step in _steps_in(section.blocks):
                yield section, step

    def commands(self) -> Iterator[tuple[Section, Step | None, Command]]:
        """Every code block with the section and (when attached) the step it belongs to."""
        for section in self.walk_sections():
            yield from _commands_in(section, None, section.blocks)

    def step(self, step_id: str) -> Step | None:
        return next((step for _, step in self.steps() if step.id == step_id), None)


def _steps_in(blocks: list[Block]) -> Iterator[Step]:
    for block in blocks:
        if isinstance(block, Step):
            yield block
            yield from _steps_in(block.blocks)


def _commands_in(
    section: Section, step: Step | None, blocks: list[Block]
) -> Iterator[tuple[Section, Step | None, Command]]:
    for block in blocks:
        if isinstance(block, Command):
            yield section, step, block
        elif isinstance(block, Step):
            yield from _commands_in(section, block, block.blocks)
