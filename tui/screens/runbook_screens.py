"""Runbook dialogs: pick a runbook, give a command's missing values, confirm a run.

Each returns its answer through `dismiss` and never acts: the app fills, runs
and records. Esc always cancels. Runbook titles, commands and values are
untrusted text: they go through `tui.safetext` into `Text`, never markup.

    RunbookPickerScreen(runbooks, suggestions, problems)   -> Runbook | None
    PlaceholderScreen(command, asks)                        -> dict[str, str] | None
    RunConfirmScreen(plan, origin, production=, timeout=)   -> bool
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.runbook.model import Runbook
from tui.runbook.suggest import Suggestion, fuzzy
from tui.runbook_plan import Ask, RunPlan
from tui.safetext import cell, clean, one_line, plain
from tui.screens.deliberate import DeliberateKeys
from tui.screens.dialogs import dialog_css


def runbook_label(runbook: Runbook, reason: str = "") -> Text:
    """Title, severity, tags and file name on one line; why it is suggested on a second."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if reason:
        text.append("★ ", "bold yellow")
    text.append_text(cell(runbook.title, "bold"))
    if runbook.severity:
        text.append("  ")
        urgent = runbook.severity in ("P0", "P1")
        text.append_text(cell(runbook.severity, "bold red" if urgent else ""))
    if runbook.tags:
        text.append("  ")
        text.append_text(cell(", ".join(runbook.tags), "dim"))
    if runbook.path is not None:
        text.append("  ")
        text.append_text(cell(runbook.path.name, "dim italic"))
    if reason:
        text.append("\n    matches ", "dim")
        text.append_text(cell(reason, "yellow"))
    return text


class RunbookPickerScreen(ModalScreen[Runbook | None]):
    """Suggested runbooks first (what the console sees going wrong), then all of them;
    typing narrows the list by title, tags and file name, letters in order."""

    DEFAULT_CSS = dialog_css(
        "RunbookPickerScreen",
        """
    RunbookPickerScreen .dialog { width: 110; }
    RunbookPickerScreen OptionList { height: auto; max-height: 20; }
    """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="list.down"),
        Binding("up", "move(-1)", "Up", show=False, id="list.up"),
    ]

    def __init__(
        self,
        runbooks: Sequence[Runbook],
        suggestions: Sequence[Suggestion] = (),
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self.runbooks = list(runbooks)
        self.suggestions = list(suggestions)
        self.problems = list(problems)
        self._reasons = {id(s.runbook): ", ".join(s.matched) for s in self.suggestions}
        self.shown: list[Runbook] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Open a runbook ({len(self.runbooks)})"), classes="dialog-title")
            yield Input(placeholder="type to search: title, tags, file name", id="picker-query")
            yield OptionList(id="picker-list")
            if self.problems:
                note = Text(f"{len(self.problems)} runbook file(s) could not be read: ", "yellow")
                note.append(one_line("; ".join(self.problems), max_chars=300), "dim")
                yield Static(note, id="picker-problems")
            yield Static(Text(""), classes="dialog-error", id="picker-error")
            yield Label(
                Text("Type to search · ↑↓ choose · Enter opens · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#picker-query", Input).focus()

    def _fill(self, query: str) -> None:
        if query.strip():
            found = fuzzy(self.runbooks, query)
        else:
            # Nothing typed: what fits the incident first, then everything else.
            suggested = [s.runbook for s in self.suggestions]
            chosen = {id(r) for r in suggested}
            found = suggested + [r for r in fuzzy(self.runbooks, "") if id(r) not in chosen]
        self.shown = found
        option_list = self.query_one("#picker-list", OptionList)
        option_list.set_options(
            Option(runbook_label(r, self._reasons.get(id(r), "")), id=f"runbook-{i}")
            for i, r in enumerate(found)
        )
        option_list.highlighted = 0 if found else None
        self.query_one("#picker-error", Static).update(Text("" if found else "No runbook matches."))

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._pick(self.query_one("#picker-list", OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._pick(event.option_index)

    def _pick(self, index: int | None) -> None:
        if index is None or not 0 <= index < len(self.shown):
            return
        self.dismiss(self.shown[index])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # From the search field the arrows move the list; in the list they are its own.
        if action == "move":
            return isinstance(self.focused, Input)
        return True

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class PlaceholderScreen(ModalScreen[dict[str, str] | None]):
    """The values a command needs that the selection does not give, asked once per run.

    Secrets (passwords, tokens) are typed without echo and never offered again.
    """

    DEFAULT_CSS = dialog_css(
        "PlaceholderScreen",
        """
    PlaceholderScreen .dialog { width: 90; }
    PlaceholderScreen #values { height: auto; max-height: 14; }
    PlaceholderScreen #values Label { padding-top: 1; }
    PlaceholderScreen #values Input { background: $boost; }
    PlaceholderScreen #placeholder-command { color: $text-muted; }
    """,
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, command: str, asks: Sequence[Ask]) -> None:
        super().__init__()
        self.command = command
        self.asks = list(asks)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Values for this command"), classes="dialog-title")
            yield Static(plain(self.command, max_chars=1000), id="placeholder-command")
            with VerticalScroll(id="values"):
                for index, ask in enumerate(self.asks):
                    label = Text.assemble(cell(ask.label, "bold"), ":")
                    if ask.secret:
                        label.append(" (secret: not shown, not recorded)", "dim")
                    yield Label(label)
                    yield Input(
                        value=ask.default,
                        password=ask.secret,
                        placeholder=clean(ask.label),
                        id=f"value-{index}",
                        compact=True,
                    )
            yield Static(Text(""), classes="dialog-error", id="placeholder-error")
            yield Label(
                Text("Enter goes to the next value, then to the confirmation · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one("#value-0", Input).focus()

    def inputs(self) -> list[Input]:
        return [self.query_one(f"#value-{i}", Input) for i in range(len(self.asks))]

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#placeholder-error", Static).update(Text(""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        fields = self.inputs()
        empty = [i for i, field in enumerate(fields) if not field.value.strip()]
        if not empty:
            pairs = zip(self.asks, fields, strict=True)
            self.dismiss({ask.key: field.value for ask, field in pairs})
            return
        current = fields.index(event.input) if event.input in fields else -1
        later = [i for i in empty if i > current]
        target = later[0] if later else empty[0]
        if target == current:
            label = self.asks[current].label
            self.query_one("#placeholder-error", Static).update(
                Text.assemble(cell(label), " needs a value.")
            )
        fields[target].focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class RunConfirmScreen(DeliberateKeys, ModalScreen[bool]):
    """The command exactly as it will run, where, and how risky; True only on an
    explicit yes (after typing `plan.confirm_word`, when there is one)."""

    DEFAULT_CSS = dialog_css(
        "RunConfirmScreen",
        """
    RunConfirmScreen .dialog { width: 100; }
    RunConfirmScreen .dialog-title { padding-bottom: 0; }
    RunConfirmScreen .dialog-hint { padding-top: 0; }
    RunConfirmScreen.-dangerous .dialog { border: thick $error; }
    RunConfirmScreen #run-production {
        display: none; background: $error; color: $text; text-style: bold; padding: 0 1;
    }
    RunConfirmScreen.-production #run-production { display: block; }
    /* Every row counts at 80x24: the command stands out by its background, not a box. */
    RunConfirmScreen #run-command {
        background: $boost; padding: 0 1; height: auto; max-height: 6; overflow-y: auto;
    }
    RunConfirmScreen #run-target { padding-top: 1; }
    RunConfirmScreen #run-danger { padding-top: 1; }
    RunConfirmScreen #run-type { padding-top: 1; }
    RunConfirmScreen #run-word { margin-bottom: 1; }
    """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("n", "cancel", "No", id="confirm.no"),
        Binding("enter", "confirm", "Run", id="confirm.accept"),
        Binding("y", "confirm", "Yes", id="confirm.yes"),
    ]

    def __init__(self, plan: RunPlan, origin: str, *, production: bool, timeout: float) -> None:
        classes = " ".join(
            name
            for name, wanted in (("-production", production), ("-dangerous", plan.danger.dangerous))
            if wanted
        )
        super().__init__(classes=classes)
        self.plan = plan
        self.origin = origin
        self.production = production
        self.timeout = timeout

    @property
    def typed(self) -> bool:
        return self.plan.confirm_word is not None

    def compose(self) -> ComposeResult:
        danger = self.plan.danger
        title = {
            "read": "Run this command?",
            "change": "Run this command? It changes things",
            "dangerous": "DANGEROUS command: run it?",
        }[danger.level]
        target = self.plan.target
        with Vertical(classes="dialog"):
            yield Label(Text(title), classes="dialog-title")
            yield Label(
                Text(f"PRODUCTION: context {clean(target.context or '')}"), id="run-production"
            )
            yield Static(cell(self.origin, "dim", max_chars=300), id="run-origin")
            yield Static(plain(self.plan.shown, "bold", max_chars=4000), id="run-command")
            yield Static(self._target_text(), id="run-target")
            yield Static(self._danger_text(), id="run-danger")
            if self.typed:
                word = self.plan.confirm_word or ""
                yield Label(
                    Text.assemble("Type ", cell(word, "bold"), " to confirm:"), id="run-type"
                )
                yield Input(placeholder=clean(word), id="run-word", compact=True)
            yield Static(Text(""), classes="dialog-error", id="run-error")
            yield Label(self._hint(), classes="dialog-hint", id="run-hint")

    def on_mount(self) -> None:
        if self.typed:
            self.query_one("#run-word", Input).focus()

    def _target_text(self) -> Text:
        target = self.plan.target
        text = Text()
        rows = (
            ("context", target.context or "kubectl's current context"),
            ("namespace", target.namespace or "not set (kubectl's default)"),
            ("kubeconfig", target.kubeconfig or "$KUBECONFIG or ~/.kube/config"),
        )
        for label, value in rows:
            text.append(f"{label:>10}  ", "bold")
            text.append_text(cell(value, "bold" if label == "context" else ""))
            text.append("\n")
        text.rstrip()
        return text

    def _danger_text(self) -> Text:
        danger = self.plan.danger
        text = Text()
        if danger.level == "read":
            text.append("Reads only.", "green")
        else:
            style = "bold red" if danger.dangerous else "yellow"
            text.append("Dangerous: " if danger.dangerous else "Changes: ", style)
            reasons = "; ".join(danger.reasons) or "not known to only read"
            text.append(one_line(reasons, max_chars=400))
        if danger.interactive:
            text.append(
                "\nInteractive: the console steps aside and the command gets this terminal"
                " until it exits.",
                "magenta",
            )
        elif danger.streaming:
            text.append(
                f"\nRuns until stopped: c stops it, and it is stopped after"
                f" {self.timeout:g} s anyway.",
                "dim",
            )
        else:
            text.append(f"\nStopped if still running after {self.timeout:g} s.", "dim")
        return text

    @property
    def allowed(self) -> bool:
        if not self.typed:
            return True
        return self.query_one("#run-word", Input).value == self.plan.confirm_word

    def _hint(self) -> Text:
        if not self.typed:
            return Text("Enter or y runs · Esc or n cancels")
        if self.is_mounted and self.allowed:
            return Text("It matches: Enter runs · Esc cancels")
        return Text("Type the word, then Enter runs · Esc cancels")

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#run-hint", Label).update(self._hint())
        self.query_one("#run-error", Static).update(Text(""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if not self.allowed:
            word = self.plan.confirm_word or ""
            self.query_one("#run-error", Static).update(
                Text.assemble("Type ", cell(word), " exactly to run it.")
            )
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
