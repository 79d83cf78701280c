"""The help screen (`?`): every key, generated from the bindings themselves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.screens.dialogs import dialog_css
from widgets.help_names import key_name

PANE_HELP = (
    ("Pods", "Kubernetes pods, events and workloads"),
    ("Ingress", "ingresses, TLS certificates, DNS and health probes"),
    ("Host", "this machine: CPU, load, memory, swap, disks, I/O, top processes"),
    ("Logs", "followed pod, container and file logs"),
    ("Runbook", "the checklist for this incident"),
    ("Timeline", "everything recorded, newest first; shared with every console on the file"),
)


def describe_bindings(
    bindings: Iterable[Binding], keymap: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """(key, what it does) rows, with the operator's key map applied; the six
    pane-number bindings fold into one row unless some of them were remapped."""
    keymap = keymap or {}
    rows: list[tuple[str, str]] = []
    fold_numbers = not any(binding_id.startswith("console.pane_") for binding_id in keymap)
    numbers_done = False
    for binding in bindings:
        key = keymap.get(binding.id, binding.key) if binding.id else binding.key
        if fold_numbers and binding.id and binding.id.startswith("console.pane_"):
            if not numbers_done:
                rows.append(("1…6", "Focus pane by number"))
                numbers_done = True
            continue
        # The tooltip is the long form of the footer's one-word description.
        rows.append((key_name(key), binding.tooltip or binding.description))
    return rows


def bindings_table(groups: Iterable[tuple[str, list[tuple[str, str]]]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for title, rows in groups:
        table.add_row(Text(title, style="bold underline"), "")
        for key, description in rows:
            table.add_row(Text(key), Text(description))
        table.add_row("", "")
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = dialog_css(
        "HelpScreen",
        """
    HelpScreen .dialog { width: 80; height: 90%; }
    HelpScreen VerticalScroll { height: 1fr; }
    """,
    )
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, groups: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self._groups = groups

    def compose(self) -> ComposeResult:
        panes = Table.grid(padding=(0, 2))
        panes.add_column(style="bold", no_wrap=True)
        panes.add_column()
        for number, (name, what) in enumerate(PANE_HELP, start=1):
            panes.add_row(Text(f"{number} {name}"), Text(what))
        with Vertical(classes="dialog"):
            yield Label(Text("warroom keys"), classes="dialog-title")
            with VerticalScroll():
                yield Static(bindings_table(self._groups))
                yield Label(Text("Panes", style="bold underline"))
                yield Static(panes)
            yield Label(Text("Esc or ? closes"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
