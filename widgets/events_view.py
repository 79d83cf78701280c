"""The Events view: `kubectl get events -A --sort-by=.lastTimestamp`, newest first.

Warnings only by default (what goes wrong), `w` for everything. Only the newest
`limit` events are in the table: a busy cluster keeps thousands, and nobody
reads past the first screens in an incident. The table is brought up to date
when the view is shown, and while shown at most once per batch of updates.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.sources.kube.cache import Key
from tui.sources.kube.rows import EventRow
from widgets.keyed_table import KeyedTable
from widgets.kube_cells import EVENT_COLUMNS, age, event_cells, event_order
from widgets.pods_view import row_id


class EventsView(Vertical):
    DEFAULT_CSS = """
    EventsView #events-summary { height: 1; padding: 0 1; }
    """

    def __init__(
        self, clock: Callable[[], datetime], *, limit: int = 1000, id: str = "events-view"
    ) -> None:
        super().__init__(id=id)
        self._clock = clock
        self.limit = limit
        self.rows: dict[str, EventRow] = {}
        self.warnings_only = True
        self.multi_context = False
        self._stale = True
        self._shown: dict[str, EventRow] = {}  # what the table holds, to skip unchanged rows

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="events-summary")
        yield KeyedTable(self._columns(), anchor="reason", id="events-table")

    @property
    def table(self) -> KeyedTable:
        return self.query_one("#events-table", KeyedTable)

    @property
    def selected_row(self) -> EventRow | None:
        key = self.table.selected_key
        return None if key is None else self.rows.get(key)

    def _columns(self) -> list[tuple[str, str]]:
        return [c for c in EVENT_COLUMNS if self.multi_context or c[0] != "context"]

    def apply(self, updated: Mapping[Key, EventRow], removed: Iterable[Key]) -> None:
        for key in removed:
            if self.rows.pop(row_id(key), None) is not None:
                self._stale = True
        for key, row in updated.items():
            self.rows[row_id(key)] = row
            self._stale = True

    def set_multi_context(self, multi: bool) -> None:
        if multi != self.multi_context:
            self.multi_context = multi
            self.table.set_columns(self._columns())
            self._shown.clear()
            self._stale = True

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the shown rows are written again."""
        self._shown.clear()
        self._stale = True
        self.settle()

    def toggle_warnings(self) -> None:
        self.warnings_only = not self.warnings_only
        self._stale = True
        self.settle()

    def settle(self) -> None:
        """Show the newest `limit` events that pass (call when the view is visible)."""
        if not self._stale:
            return
        self._stale = False
        table = self.table
        candidates = (
            (rid, row) for rid, row in self.rows.items() if row.warning or not self.warnings_only
        )
        wanted = dict(
            heapq.nsmallest(self.limit, candidates, key=lambda item: event_order(item[1]))
        )
        for rid in [rid for rid in table.keys if rid not in wanted]:
            table.drop(rid)
            self._shown.pop(rid, None)
        now = self._clock()
        for rid, row in wanted.items():
            if self._shown.get(rid) is not row or rid not in table:
                table.put(rid, event_cells(row, now), event_order(row))
                self._shown[rid] = row
        table.settle()
        self._show_summary(len(wanted))

    def tick(self) -> None:
        now = self._clock()
        table = self.table
        for rid in list(table.keys):
            row = self.rows.get(rid)
            if row is None:
                continue  # removed since the last settle
            text = age(row.last_seen, now)
            if table.get_cell(rid, "last_seen").plain != text:
                table.update_text(rid, "last_seen", Text(text, style="dim", no_wrap=True))

    def _show_summary(self, shown: int) -> None:
        warnings = sum(1 for row in self.rows.values() if row.warning)
        line = Text(no_wrap=True, overflow="ellipsis")
        if self.warnings_only:
            line.append(f"{warnings} warnings", "bold yellow" if warnings else "bold")
            line.append(f" of {len(self.rows)} events", "dim")
        else:
            line.append(f"{len(self.rows)} events", "bold")
            line.append(f" ({warnings} warnings)", "dim")
        if shown >= self.limit:
            line.append(f" · newest {self.limit} shown", "dim")
        line.append(" · w: " + ("all events" if self.warnings_only else "warnings only"), "dim")
        self.query_one("#events-summary", Static).update(line, layout=False)
