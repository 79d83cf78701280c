"""A parsed runbook as checklist rows, and each row as text. Pure: no widget here.

Headings and steps (sub-steps indented under their step) are always listed; a
step's prose and commands appear under it when it is expanded. Commands that
belong to a section rather than to a step are always listed, so every command
of the runbook can be reached; the section's prose shows when it is expanded.
Every piece of runbook text goes through `tui.safetext`: a runbook is untrusted
text like any other.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tui.runbook.model import Command, CommandLine, Runbook, Section, Step
from tui.runbook.model import Text as Prose
from tui.safetext import screen_clean, screen_line

if TYPE_CHECKING:
    from tui.runbook.danger import Danger
    from tui.runbook.progress import RunRecord, StepState

RowKind = Literal["section", "step", "command", "text"]

# Code shown as text (YAML, a template) is cut: the runbook file has the rest.
MAX_CODE_LINES = 12
MAX_PROSE_CHARS = 2000
CHECKED = "[x]"
UNCHECKED = "[ ]"
DANGER_TAGS = {"change": ("changes", "yellow"), "dangerous": ("dangerous", "bold red")}


@dataclass(frozen=True, slots=True)
class Row:
    id: str  # unique among the rows: "step:<step id>", "cmd:<owner>:<n>"…
    kind: RowKind
    depth: int  # sub-step nesting: 0 for a section's own steps
    section: Section
    step: Step | None = None  # the step of a step row, or the step a command belongs to
    line: CommandLine | None = None  # command rows
    text: str = ""  # text rows: prose, comments, code that does not run

    @property
    def owner(self) -> str:
        """The id of what expands to show this row (a step or a section)."""
        if self.kind == "section":
            return self.id
        if self.step is not None:
            return step_row_id(self.step)
        return section_row_id(self.section)


def section_row_id(section: Section) -> str:
    return f"section:{section.slug}"


def step_row_id(step: Step) -> str:
    return f"step:{step.id}"


@lru_cache(maxsize=4096)
def danger_of(command: str) -> Danger:
    """Classified once per command text: rows are rebuilt when a step expands."""
    # The shell parser and the rules load with the first runbook, not with the console.
    from tui.runbook.danger import classify

    return classify(command)


def build_rows(runbook: Runbook, expanded: Collection[str]) -> list[Row]:
    """Every row to list, in file order, given which steps and sections are expanded."""
    rows: list[Row] = []
    for section in runbook.walk_sections():
        if section.title:
            rows.append(Row(section_row_id(section), "section", 0, section))
        shows_prose = section_row_id(section) in expanded
        rows.extend(_blocks(section, None, section.blocks, 0, shows_prose, expanded))
    return rows


def _blocks(
    section: Section,
    step: Step | None,
    blocks: list[Step | Command | Prose],
    depth: int,
    shows_prose: bool,
    expanded: Collection[str],
) -> Iterator[Row]:
    owner = step.id if step is not None else section.slug
    for index, block in enumerate(blocks):
        if isinstance(block, Step):
            yield Row(step_row_id(block), "step", depth, section, block)
            opened = step_row_id(block) in expanded
            yield from _blocks(section, block, block.blocks, depth + 1, opened, expanded)
        elif isinstance(block, Command):
            # A section's own commands are always listed; a step's when it is open.
            if step is None or shows_prose:
                yield from _command_rows(
                    section, step, block, f"{owner}:{index}", depth, shows_prose
                )
        elif shows_prose:
            text = screen_clean(block.text, max_chars=MAX_PROSE_CHARS)
            yield Row(f"text:{owner}:{index}", "text", depth, section, step, text=text)


def _command_rows(
    section: Section,
    step: Step | None,
    block: Command,
    where: str,
    depth: int,
    shows_prose: bool,
) -> Iterator[Row]:
    """A code block's commands (with the comments that explain them), or its code as text.

    Row ids name the block and the line within it, so they stay the same whichever
    steps are expanded (the cursor keeps its place when rows come and go)."""
    if not block.runnable:
        if shows_prose:
            lines = block.code.rstrip("\n").split("\n")
            code = "\n".join(lines[:MAX_CODE_LINES])
            if len(lines) > MAX_CODE_LINES:
                code += f"\n… {len(lines) - MAX_CODE_LINES} more lines in the file"
            yield Row(
                f"text:{where}",
                "text",
                depth,
                section,
                step,
                text=screen_clean(code, max_chars=MAX_PROSE_CHARS),
            )
        return
    output: list[str] = []
    for number, line in enumerate(block.lines):
        if line.kind == "output":
            output.append(line.text)
            continue
        if output and shows_prose:
            yield _output_row(section, step, f"{where}.{number}", depth, output)
        output = []
        if line.kind == "command":
            if line.explanation and shows_prose:
                text = screen_clean("# " + line.explanation, max_chars=MAX_PROSE_CHARS)
                yield Row(f"text:{where}.{number}#", "text", depth, section, step, text=text)
            yield Row(f"cmd:{where}.{number}", "command", depth, section, step, line)
    if output and shows_prose:
        yield _output_row(section, step, f"{where}.end", depth, output)


def _output_row(
    section: Section, step: Step | None, where: str, depth: int, output: list[str]
) -> Row:
    """What the runbook shows a command printing (a console transcript), as text."""
    text = screen_clean("\n".join(output), max_chars=MAX_PROSE_CHARS)
    return Row(f"text:{where}>", "text", depth, section, step, text=text)


def command_lines(step: Step) -> list[CommandLine]:
    """The commands that `x` on a step can run: its own, not its sub-steps'."""
    return [line for block in step.commands for line in block.commands]


def all_steps(runbook: Runbook) -> list[Step]:
    return [step for _, step in runbook.steps()]


# -- rendering ----------------------------------------------------------------------------


def render(row: Row, states: Mapping[str, StepState], expanded: Collection[str]) -> RenderableType:
    """The row as shown: a prefix column (indent, box, number) and text that wraps beside it."""
    if row.kind == "section":
        return _section(row, expanded)
    if row.kind == "step":
        assert row.step is not None
        return _step(row, row.step, states.get(row.step.id), expanded)
    if row.kind == "command":
        assert row.line is not None
        return _command(row, row.line)
    indent = "  " * row.depth + "    "
    return _grid(Text(indent), Text(row.text, style="dim"))


def _grid(prefix: Text, body: Text) -> Table:
    # A grid gives wrapped lines a hanging indent: the text stays right of the box.
    grid = Table.grid(expand=True)
    grid.add_column(width=prefix.cell_len, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(prefix, body)
    return grid


def _section(row: Row, expanded: Collection[str]) -> Text:
    section = row.section
    text = Text(no_wrap=False)
    has_prose = any(isinstance(block, Prose) for block in section.blocks)
    if has_prose:
        text.append("▾ " if row.id in expanded else "▸ ", "dim")
    style = "bold underline" if section.level <= 2 else "bold"
    text.append(screen_line(section.title, max_chars=300), style)
    return text


def _step(row: Row, step: Step, state: StepState | None, expanded: Collection[str]) -> Table:
    checked = state is not None and state.checked
    prefix = Text("  " * row.depth)
    prefix.append(CHECKED if checked else UNCHECKED, "bold green" if checked else "bold")
    prefix.append(f" {step.path} ", "dim")
    shown = screen_line(step.text, max_chars=1000) or "(no text)"
    body = Text(shown, style="dim" if checked else "")
    details = _has_details(step)
    commands = len(command_lines(step))
    if details:
        body.append("  ▾" if step_row_id(step) in expanded else "  ▸", "dim")
        if commands:
            body.append(f" {commands} cmd" + ("s" if commands > 1 else ""), "cyan")
    last = state.last_run if state is not None else None
    if last is not None:
        body.append("  ")
        body.append_text(run_badge(last))
    return _grid(prefix, body)


def _has_details(step: Step) -> bool:
    return any(not isinstance(block, Step) for block in step.blocks)


def _command(row: Row, line: CommandLine) -> Table:
    prefix = Text("  " * row.depth + "  $ ", style="bold cyan")
    body = Text(screen_clean(line.text, max_chars=MAX_PROSE_CHARS), style="cyan")
    danger = danger_of(line.text)
    tag = DANGER_TAGS.get(danger.level)
    if tag is not None:
        body.append(f"  {tag[0]}", tag[1])
    if danger.interactive:
        body.append("  interactive", "magenta")
    elif danger.streaming:
        body.append("  runs until stopped", "dim")
    return _grid(prefix, body)


def run_badge(run: RunRecord) -> Text:
    """How the last run of a step's command ended, in a few characters."""
    if run.timed_out:
        return Text("timed out", "yellow")
    if run.cancelled:
        return Text("stopped", "yellow")
    if run.exit_code == 0:
        return Text("✓ exit 0", "green")
    if run.exit_code is None:
        return Text("✗ did not run", "red")
    return Text(f"✗ exit {run.exit_code}", "bold red")


def progress_text(checked: int, total: int, width: int = 20) -> Text:
    """A bar and 'n of m steps' for the line above the checklist."""
    filled = round(width * checked / total) if total else 0
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("█" * filled, "green")
    text.append("░" * (width - filled), "dim")
    text.append(f" {checked} of {total} steps checked", "bold" if checked == total else "")
    return text
