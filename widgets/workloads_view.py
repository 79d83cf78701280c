"""The Workloads view: deployments, autoscalers and nodes, problems first.

What `kubectl get deploy`, `get hpa`, `get nodes` and `top nodes` print, in three
sections. Each section is its own table with its own cursor; up on a section's
first row and down on its last move to the neighbouring section, so the view
reads as one list from the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.sources.kube.cache import Key
from widgets.keyed_table import KeyedTable
from widgets.kube_cells import (
    DEPLOYMENT_COLUMNS,
    HPA_COLUMNS,
    NODE_COLUMNS,
    Cells,
    deployment_cells,
    deployment_order,
    hpa_cells,
    hpa_order,
    node_cells,
    node_order,
)
from widgets.pods_view import row_id


class Section:
    """One kind: its rows, how they become cells, and their order."""

    def __init__(
        self,
        name: str,
        title: str,
        columns: Sequence[tuple[str, str]],
        cells: Callable[[Any], Cells],
        order: Callable[[Any], Any],
    ) -> None:
        self.name = name
        self.title = title
        self.all_columns = columns
        self.cells = cells
        self.order = order
        self.rows: dict[str, Any] = {}
        self.pending: dict[str, Any] = {}  # row id -> row to write (None: remove)

    def columns(self, multi_context: bool) -> list[tuple[str, str]]:
        return [c for c in self.all_columns if multi_context or c[0] != "context"]

    def heading(self) -> Text:
        problems = sum(1 for row in self.rows.values() if row.problem)
        text = Text.assemble((self.title, "bold"), (f" {len(self.rows)}", "dim"))
        if problems:
            text.append(f" · {problems} need a look", "bold yellow")
        return text


class WorkloadsView(Vertical):
    DEFAULT_CSS = """
    WorkloadsView .section-heading { height: 1; padding: 0 1; }
    WorkloadsView #deployments-table { height: auto; max-height: 50%; }
    WorkloadsView #hpas-table { height: auto; max-height: 20%; }
    WorkloadsView #nodes-table { height: 1fr; min-height: 3; }
    """

    def __init__(self, *, id: str = "workloads-view") -> None:
        super().__init__(id=id)
        self.sections = {
            "deployments": Section("deployments", "Deployments", DEPLOYMENT_COLUMNS,
                                   deployment_cells, deployment_order),
            "hpas": Section("hpas", "Autoscalers (HPA)", HPA_COLUMNS, hpa_cells, hpa_order),
            "nodes": Section("nodes", "Nodes", NODE_COLUMNS, node_cells, node_order),
        }  # fmt: skip
        self.multi_context = False
        self.current = "deployments"  # the section last focused: the one actions apply to

    def compose(self) -> ComposeResult:
        for name, section in self.sections.items():
            yield Static(section.heading(), classes="section-heading", id=f"{name}-heading")
            yield KeyedTable(section.columns(False), edges=True, id=f"{name}-table")

    def table(self, name: str) -> KeyedTable:
        return self.query_one(f"#{name}-table", KeyedTable)

    @property
    def focus_target(self) -> KeyedTable:
        return self.table(self.current)

    @property
    def selected_row(self) -> Any:
        key = self.table(self.current).selected_key
        return None if key is None else self.sections[self.current].rows.get(key)

    def apply(self, name: str, updated: Mapping[Key, Any], removed: Iterable[Key]) -> None:
        """Note what changed; the tables follow at the next `flush`."""
        section = self.sections[name]
        for key in removed:
            rid = row_id(key)
            if section.rows.pop(rid, None) is not None:
                section.pending[rid] = None
        for key, row in updated.items():
            rid = row_id(key)
            section.rows[rid] = row
            section.pending[rid] = row

    def flush(self) -> None:
        for name, section in self.sections.items():
            if not section.pending:
                continue
            table = self.table(name)
            for rid, row in section.pending.items():
                if row is None:
                    table.drop(rid)
                else:
                    table.put(rid, section.cells(row), section.order(row))
            section.pending.clear()
            table.settle()
            self.query_one(f"#{name}-heading", Static).update(section.heading(), layout=False)

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): every row is written again."""
        for section in self.sections.values():
            section.pending = dict(section.rows)
        self.flush()

    def set_multi_context(self, multi: bool) -> None:
        if multi == self.multi_context:
            return
        self.multi_context = multi
        for name, section in self.sections.items():
            self.table(name).set_columns(section.columns(multi))
            section.pending = dict(section.rows)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        for name in self.sections:
            if event.widget is self.table(name):
                self.current = name

    def on_keyed_table_edge(self, message: KeyedTable.Edge) -> None:
        message.stop()
        names = list(self.sections)
        index = names.index(self.current) + message.step
        # Empty sections are stepped over: there is nothing to put the cursor on.
        while 0 <= index < len(names) and not self.table(names[index]).row_count:
            index += message.step
        if 0 <= index < len(names):
            target = self.table(names[index])
            target.focus()
            if target.row_count:
                target.move_cursor(row=0 if message.step > 0 else target.row_count - 1)
