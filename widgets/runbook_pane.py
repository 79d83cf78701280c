"""The Runbook pane: the open runbook as a checklist, and the output of its commands.

The pane renders a parsed `Runbook` and the steps' states folded from the
timeline; it never writes the timeline and never runs anything. Checking a
step, running a command, opening another runbook or stopping a run are
requests posted upward; the app records or runs, and only then tells the pane
(`set_checked`, `add_run`, `run_started`, `run_finished`), so what the pane
shows as done is already in the incident file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.runbook.model import CommandLine, Runbook, Section, Step
from tui.safetext import screen_line
from tui.sources.log_model import LogFeed
from widgets.pane import Pane
from widgets.runbook_output import RunOutput
from widgets.runbook_rows import (
    Row,
    all_steps,
    build_rows,
    command_lines,
    progress_text,
    render,
    step_row_id,
)
from widgets.unavailable_pane import PaneMessage

if TYPE_CHECKING:
    from tui.runbook.progress import RunRecord, StepState

NONE_OPEN = "Runbook: none open"
PICK_HINT = "Press o to pick a runbook: those that fit what is going wrong come first."


class RunbookPane(Pane):
    BINDINGS = [
        Binding("o", "pick", "Open", id="runbook.open",
                tooltip="Pick a runbook: the ones matching what is going wrong come first,"
                        " or type to search"),
        Binding("space", "check", "Check", id="runbook.check",
                tooltip="Check or uncheck the step (recorded in the timeline)"),
        Binding("enter", "expand", "Expand", show=False, id="runbook.expand",
                tooltip="Show or hide the step's text and commands"),
        Binding("x", "run", "Run", id="runbook.run",
                tooltip="Run the command: its final form and target are shown first;"
                        " dangerous ones need a word typed"),
        Binding("c", "stop", "Stop", id="runbook.stop", tooltip="Stop the command running"),
        Binding("v", "toggle_output", "Output", id="runbook.output",
                tooltip="Scroll the command's output, and back to the checklist"),
        Binding("right", "expand(True)", "Open step", show=False, id="runbook.open_step",
                tooltip="Show the step's text and commands"),
        Binding("left", "expand(False)", "Close step", show=False, id="runbook.close_step",
                tooltip="Hide the step's text and commands"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    RunbookPane #runbook-empty { display: none; }
    RunbookPane.-empty #runbook-empty { display: block; }
    RunbookPane.-empty #runbook-progress { display: none; }
    RunbookPane.-empty #runbook-steps { display: none; }
    RunbookPane #runbook-progress { height: 1; padding: 0 1; }
    RunbookPane #runbook-steps {
        height: 1fr; max-height: 100%; border: none; padding: 0; background: transparent;
    }
    RunbookPane RunOutput { display: none; }
    RunbookPane.-ran RunOutput { display: block; }
    RunbookPane.-empty RunOutput { display: none; }
    RunbookPane.-reading RunOutput { height: 80%; }
    """

    class PickRequested(Message):
        """o: the operator wants to open a runbook; the app offers the library."""

    class StepToggled(Message):
        """space: check (or uncheck) a step; the app records it, then calls `set_checked`."""

        def __init__(self, runbook: Runbook, step: Step, checked: bool) -> None:
            super().__init__()
            self.runbook = runbook
            self.step = step
            self.checked = checked

    class RunRequested(Message):
        """x: run one command line of the runbook (`step` is None for a section's own)."""

        def __init__(
            self, runbook: Runbook, section: Section, step: Step | None, line: CommandLine
        ) -> None:
            super().__init__()
            self.runbook = runbook
            self.section = section
            self.step = step
            self.line = line

    class StopRequested(Message):
        """c: stop the command running."""

    def __init__(self, number: int, *, id: str = "runbook", drain_seconds: float = 0.1) -> None:
        super().__init__("Runbook", number, id=id)
        self.runbook: Runbook | None = None
        self.states: dict[str, StepState] = {}
        self.expanded: set[str] = set()
        self.rows: list[Row] = []
        self._pending: set[str] = set()  # steps whose toggle is being recorded
        self._library = Text(PICK_HINT)
        self.output = RunOutput(drain_seconds=drain_seconds, id="runbook-output")
        self.steps_list = OptionList(id="runbook-steps")

    def compose(self) -> ComposeResult:
        yield PaneMessage(self._empty_text(), id="runbook-empty")
        yield Static(id="runbook-progress")
        yield self.steps_list
        yield self.output

    def on_mount(self) -> None:
        self.add_class("-empty")
        self.border_subtitle = Text("none open", style="dim")

    # -- what the app calls ------------------------------------------------------------------

    def show_library(
        self, count: int, problems: Sequence[str] = (), suggested: Sequence[str] = ()
    ) -> None:
        """What the empty pane says once the runbooks are read: which fit right now, and
        which files could not be read. (The same words as before otherwise: the pane does
        not flicker when the library arrives.)"""
        text = Text(PICK_HINT)
        if not count:
            text = Text("No runbooks were found: add a directory with --runbooks DIR.", "yellow")
        for line in suggested[:3]:
            text.append("\nSuggested now: ", "bold yellow")
            text.append(screen_line(line, max_chars=200))
        if problems:
            text.append(f"\n\n{len(problems)} could not be read:", "yellow")
            for problem in problems[:5]:
                text.append("\n  ")
                text.append(screen_line(problem, max_chars=300), "dim")
        self._library = text
        self.query_one("#runbook-empty", PaneMessage).update(self._empty_text())

    def open_runbook(self, runbook: Runbook, states: Mapping[str, StepState]) -> None:
        """Show `runbook` with its steps as recorded; the cursor goes to the first step
        not checked yet, which is where the operator left off."""
        had_focus = self.has_focus_within
        self.runbook = runbook
        self.states = dict(states)
        self.expanded = set()
        self._pending.clear()
        self.remove_class("-empty")
        self.border_title = Text.assemble(
            f"{self.number} Runbook · ", screen_line(runbook.title, max_chars=80)
        )
        self._rebuild()
        first_open = next(
            (s for s in all_steps(runbook) if not self._checked(s.id)),
            None,
        )
        if first_open is not None:
            self._highlight(step_row_id(first_open))
        self._show_progress()
        if had_focus:
            self.focus_target.focus()
        self.refresh_bindings()

    def set_checked(self, step_id: str, checked: bool) -> None:
        self._pending.discard(step_id)
        self._state(step_id).checked = checked
        self._refresh_step(step_id)
        self._show_progress()

    def add_run(self, step_id: str, record: RunRecord) -> None:
        runs = self._state(step_id).runs
        if runs and runs[-1] == record:
            return  # the same record, seen twice (ours, then read back from the file)
        runs.append(record)
        self._refresh_step(step_id)

    def _state(self, step_id: str) -> StepState:
        from tui.runbook.progress import StepState

        return self.states.setdefault(step_id, StepState())

    def run_started(self, shown: str, where: str, feed: LogFeed) -> None:
        self.add_class("-ran")
        self.output.start(shown, where, feed)
        self.border_subtitle = Text("running · c stops it", style="bold yellow")
        self.refresh_bindings()

    def run_finished(self, outcome: Text) -> None:
        self.output.finish(outcome)
        self._show_progress()
        self.refresh_bindings()

    @property
    def focus_target(self) -> Widget:
        if self.runbook is None:
            return self.query_one("#runbook-empty", PaneMessage)
        if self.has_class("-reading"):
            return self.output.log_view
        return self.steps_list

    @property
    def current_row(self) -> Row | None:
        index = self.steps_list.highlighted
        if self.runbook is None or index is None or not 0 <= index < len(self.rows):
            return None
        return self.rows[index]

    @property
    def checked_count(self) -> int:
        if self.runbook is None:
            return 0
        return sum(1 for step in all_steps(self.runbook) if self._checked(step.id))

    # -- rows ----------------------------------------------------------------------------------

    def _checked(self, step_id: str) -> bool:
        state = self.states.get(step_id)
        return state is not None and state.checked

    def _rebuild(self) -> None:
        """List the rows again (after a step opens or closes); the cursor stays on its row."""
        assert self.runbook is not None
        current = self.current_row
        self.rows = build_rows(self.runbook, self.expanded)
        self.steps_list.set_options(
            Option(render(row, self.states, self.expanded), id=row.id, disabled=row.kind == "text")
            for row in self.rows
        )
        if current is not None:
            self._highlight(current.id)
        elif self.rows:
            self.steps_list.highlighted = 0

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the title and rows are drawn again."""
        if self.runbook is not None:
            self.border_title = Text.assemble(
                f"{self.number} Runbook · ", screen_line(self.runbook.title, max_chars=80)
            )
            self._rebuild()

    def _highlight(self, row_id: str) -> None:
        for index, row in enumerate(self.rows):
            if row.id == row_id:
                self.steps_list.highlighted = index
                self.steps_list.scroll_to_highlight()
                return

    def _refresh_step(self, step_id: str) -> None:
        if self.runbook is None:
            return
        row_id = f"step:{step_id}"
        for row in self.rows:
            if row.id == row_id:
                prompt = render(row, self.states, self.expanded)
                self.steps_list.replace_option_prompt(row_id, prompt)
                return

    def _show_progress(self) -> None:
        if self.runbook is None:
            return
        total = len(all_steps(self.runbook))
        checked = self.checked_count
        self.query_one("#runbook-progress", Static).update(progress_text(checked, total))
        if not self.output.running:
            self.border_subtitle = Text(f"{checked}/{total} checked", style="dim")

    def _empty_text(self) -> Text:
        return Text.assemble((NONE_OPEN, "bold yellow"), "\n\n", self._library)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.refresh_bindings()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        # Enter is the list's own key: here it means "open or close this step".
        event.stop()
        self.action_expand()

    # -- keys ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick":
            return True
        if action == "stop":
            return self.output.running
        if action == "toggle_output":
            return self.has_class("-ran")
        row = self.current_row
        if row is None:
            return False
        if action == "check":
            return row.step is not None
        if action == "run":
            if row.kind == "command":
                return True
            return row.kind == "step" and row.step is not None and bool(command_lines(row.step))
        return True

    def action_pick(self) -> None:
        self.post_message(self.PickRequested())

    def action_check(self) -> None:
        row = self.current_row
        if row is None or row.step is None or self.runbook is None:
            return
        step = row.step
        if step.id in self._pending:
            return  # the last press is still being recorded
        self._pending.add(step.id)
        self.post_message(self.StepToggled(self.runbook, step, not self._checked(step.id)))

    def action_expand(self, wanted: bool | None = None) -> None:
        row = self.current_row
        if row is None:
            return
        owner = row.id if row.kind in ("step", "section") else row.owner
        opened = owner in self.expanded
        if wanted is False and owner != row.id:
            self._highlight(owner)  # left on a command, as in a tree: up to its step
            return
        if wanted is not None and wanted == opened:
            return
        if opened:
            self.expanded.discard(owner)
        else:
            self.expanded.add(owner)
        self._rebuild()
        if opened:
            self._highlight(owner)  # what the cursor was on may be gone
        self.refresh_bindings()

    def action_run(self) -> None:
        row = self.current_row
        if row is None or self.runbook is None:
            return
        if row.kind == "command" and row.line is not None:
            self.post_message(self.RunRequested(self.runbook, row.section, row.step, row.line))
            return
        if row.kind != "step" or row.step is None:
            return
        lines = command_lines(row.step)
        if len(lines) == 1:
            self.post_message(self.RunRequested(self.runbook, row.section, row.step, lines[0]))
            return
        if not lines:
            self.notify("This step has no command to run.", markup=False, timeout=3)
            return
        # Several commands: show them and put the cursor on the first; x then runs that one.
        self.expanded.add(row.id)
        self._rebuild()
        first = next(r for r in self.rows if r.kind == "command" and r.step is row.step)
        self._highlight(first.id)
        self.notify(
            f"{len(lines)} commands in this step: choose one, then x.", markup=False, timeout=4
        )
        self.refresh_bindings()

    def action_stop(self) -> None:
        if self.output.running:
            self.post_message(self.StopRequested())

    def action_toggle_output(self) -> None:
        reading = not self.has_class("-reading")
        self.set_class(reading, "-reading")
        self.focus_target.focus()
        self.refresh_bindings()
