"""Dialogs of the incident process: name the roles, record an escalation."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.process_timers import Level
from tui.screens.dialogs import dialog_css
from tui.timeline.process import ROLES

Roles = dict[str, tuple[str, ...]]


def parse_names(text: str) -> tuple[str, ...]:
    """'alice, bob' -> ('alice', 'bob'): names are free text, separated by commas."""
    return tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))


class RolesDialog(ModalScreen[Roles | None]):
    """Who is commander, scribe, comms and the subject experts; returns every role."""

    DEFAULT_CSS = dialog_css(
        "RolesDialog",
        """
    RolesDialog Grid { grid-size: 2; grid-columns: 20 1fr; height: auto; grid-gutter: 0 1; }
    """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "Save", id="roles.save"),
    ]

    def __init__(self, roles: Roles) -> None:
        super().__init__()
        self._roles = roles

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text("Roles"), classes="dialog-title")
            with Grid():
                for role, title in ROLES.items():
                    yield Label(title)
                    names = ", ".join(self._roles.get(role, ()))
                    hint = "names, separated by commas" if role == "sme" else "a name"
                    yield Input(names, placeholder=hint, compact=True, id=f"role-{role}")
            yield Label(
                Text("Enter moves on; Enter on the last (or ctrl+s) records · Esc cancels"),
                classes="dialog-hint",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"role-{list(ROLES)[-1]}":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        self.dismiss(
            {role: parse_names(self.query_one(f"#role-{role}", Input).value) for role in ROLES}
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class EscalateDialog(ModalScreen[tuple[Level, str] | None]):
    """Pick the level (the one due is preselected) and who was paged."""

    DEFAULT_CSS = dialog_css("EscalateDialog")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, levels: Sequence[Level], *, due: Level | None) -> None:
        super().__init__()
        self._levels = list(levels)
        self._due = due

    def compose(self) -> ComposeResult:
        options = []
        for level in self._levels:
            label = Text.assemble(
                (f"{level.name}  ", "bold"),
                (f"{level.role:<22}", ""),
                (f"if not {level.until} after {level.minutes:g} min", "dim"),
            )
            if self._due is not None and level.name == self._due.name:
                label.append("  due now", "bold red")
            options.append(Option(label, id=level.name))
        with Vertical(classes="dialog"):
            yield Label(Text("Escalate"), classes="dialog-title")
            yield OptionList(*options, id="levels")
            yield Label(Text("Who was paged?"))
            yield Input(placeholder="name (or the rotation's)", id="paged")
            yield Static(Text(""), classes="dialog-error", id="escalate-error")
            yield Label(
                Text("Pick with Enter, then Enter in 'Who' records it · Esc cancels"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        names = [level.name for level in self._levels]
        option_list = self.query_one(OptionList)
        option_list.highlighted = names.index(self._due.name) if self._due else 0

    def on_option_list_option_selected(self, _event: OptionList.OptionSelected) -> None:
        self.query_one("#paged", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None:
            self.query_one("#escalate-error", Static).update(Text("Choose a level first."))
            return
        who = event.value.strip()
        if not who:
            self.query_one("#escalate-error", Static).update(Text("Say who was paged."))
            return
        self.dismiss((self._levels[index], who))

    def action_cancel(self) -> None:
        self.dismiss(None)
