"""The Pods view: `kubectl get pods -A -o wide` plus `top pods`, live, worst first.

Every pod in view is kept by row id; changes are noted as they arrive (`apply`)
and written to the tables in batches (`flush`, paced by the pane), because each
write makes Textual's DataTable repaint every visible cell (about 50 ms at
160x48): one batch a second instead of a repaint per message keeps the console
light under thousands of updates a minute.

Two tables: `#pods-table` holds every pod and is never rebuilt; a filter fills
the small `#pods-filtered` with the pods it lets through and shows it instead,
so clearing a filter costs no refill however many pods there are. A very large
first batch (5,000 pods) is added in chunks, worst pods first, so the screen
stays responsive and the top of the table is right from the first chunk.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.safetext import cell
from tui.sources.kube.cache import Key
from tui.sources.kube.rows import PodRow, status_rank
from widgets.keyed_table import KeyedTable
from widgets.kube_cells import (
    POD_COLUMNS,
    POD_SORTS,
    age,
    pod_cells,
    pod_label,
    rank_style,
    restarts_text,
)
from widgets.kube_filter import PodFilter, parse_filter

SORT_COLUMNS = tuple(POD_SORTS)
ARROWS = {False: "▼", True: "▲"}  # natural order (worst/biggest/youngest first), reversed
CHUNK = 1000  # new rows added per flush: about a quarter of a second of DataTable work


def row_id(key: Key) -> str:
    """A table row key for a (context, kind, uid) key."""
    return "\x1f".join(key)


class PodsView(Vertical):
    DEFAULT_CSS = """
    PodsView #pods-summary { height: 1; padding: 0 1; }
    PodsView #pods-filter { display: none; height: 1; border: none; padding: 0 1; }
    PodsView.-filtering #pods-filter { display: block; }
    PodsView #pods-filtered { display: none; }
    PodsView.-filtered #pods-filtered { display: block; }
    PodsView.-filtered #pods-table { display: none; }
    """

    def __init__(self, clock: Callable[[], datetime], *, id: str = "pods-view") -> None:
        super().__init__(id=id)
        self._clock = clock
        self.rows: dict[str, PodRow] = {}
        self.counts: Counter[str] = Counter()
        self.filter: PodFilter | None = None
        self.sort_column = "status"
        self.reverse = False
        self.multi_context = False
        self.waiting = True  # no complete list yet: "0 pods" would be a lie
        # Row id -> the row to write at the next flush (None: remove it).
        self._pending: dict[str, PodRow | None] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("waiting for pods…", style="dim"), id="pods-summary")
        yield Input(placeholder="name, label=value, or status (!negates) · Enter · Esc clears",
                    id="pods-filter")  # fmt: skip
        yield KeyedTable(self._columns(), id="pods-table")
        yield KeyedTable(self._columns(), id="pods-filtered")

    def on_mount(self) -> None:
        self._label_sort_column()

    @property
    def full(self) -> KeyedTable:
        return self.query_one("#pods-table", KeyedTable)

    @property
    def filtered(self) -> KeyedTable:
        return self.query_one("#pods-filtered", KeyedTable)

    @property
    def table(self) -> KeyedTable:
        """The table on screen."""
        return self.filtered if self.filter is not None else self.full

    @property
    def selected_row(self) -> PodRow | None:
        key = self.table.selected_key
        return None if key is None else self.rows.get(key)

    # -- data ------------------------------------------------------------------------------

    def apply(self, updated: Mapping[Key, PodRow], removed: Iterable[Key]) -> None:
        """Note what changed; the tables follow at the next `flush`."""
        for key in removed:
            rid = row_id(key)
            gone = self.rows.pop(rid, None)
            if gone is not None:
                self._count(gone, -1)
                self._pending[rid] = None
        for key, row in updated.items():
            rid = row_id(key)
            previous = self.rows.get(rid)
            if previous is not None:
                self._count(previous, -1)
            self.rows[rid] = row
            self._count(row, 1)
            self._pending[rid] = row

    def _count(self, row: PodRow, step: int) -> None:
        label = pod_label(row)
        self.counts[label] += step
        if self.counts[label] <= 0:
            del self.counts[label]

    def flush(self, chunk: int = CHUNK) -> bool:
        """Write what changed to the tables; True when new rows are still waiting."""
        full, filtered, wanted = self.full, self.filtered, self.filter
        sort = POD_SORTS[self.sort_column]
        now = self._clock()
        new: list[str] = []
        for rid, row in self._pending.items():
            if row is None:
                full.drop(rid)
                filtered.drop(rid)
            elif rid not in full:
                new.append(rid)
            else:
                self._put(rid, row, now, sort)
        later: set[str] = set()
        if len(new) > chunk:
            first = heapq.nsmallest(chunk, new, key=lambda rid: sort(self.rows[rid]))
            later = set(new) - set(first)
            new = first
        for rid in new:
            self._put(rid, self.rows[rid], now, sort)
        self._pending = {rid: self.rows[rid] for rid in later}
        self.table.settle()
        if wanted is not None:
            full.settle()  # kept in order while hidden, so clearing the filter is instant
        self._show_summary()
        return bool(self._pending)

    def _put(self, rid: str, row: PodRow, now: datetime, sort: Callable[[PodRow], Any]) -> None:
        cells, order = pod_cells(row, now), sort(row)
        self.full.put(rid, cells, order)
        if self.filter is not None:
            if self.filter(row):
                self.filtered.put(rid, cells, order)
            else:
                self.filtered.drop(rid)

    def set_multi_context(self, multi: bool) -> None:
        if multi == self.multi_context:
            return
        self.multi_context = multi
        for table in (self.full, self.filtered):
            table.set_columns(self._columns())
        self._label_sort_column()
        # Every row is written again, in chunks, at the next flushes.
        self._pending = dict(self.rows)
        if self.filter is not None:
            self._fill_filtered()

    def _columns(self) -> list[tuple[str, str]]:
        return [c for c in POD_COLUMNS if self.multi_context or c[0] != "context"]

    def tick(self) -> None:
        """Move ages on: only the cells whose text changed are rewritten."""
        now = self._clock()
        table = self.table
        for rid in list(table.keys):
            row = self.rows.get(rid)
            if row is None:
                continue  # removed since the last flush: gone at the next one
            style = rank_style(row.rank)
            text = age(row.created, now)
            if table.get_cell(rid, "age").plain != text:
                table.update_text(rid, "age", Text(text, style=style, no_wrap=True))
            if row.restarts and row.last_restart is not None:
                text = restarts_text(row, now)
                if table.get_cell(rid, "restarts").plain != text:
                    table.update_text(rid, "restarts", Text(text, style=style, no_wrap=True))

    # -- filter ------------------------------------------------------------------------------

    def open_filter(self) -> None:
        field = self.query_one("#pods-filter", Input)
        field.value = self.filter.text if self.filter else ""
        self.add_class("-filtering")
        field.focus()

    def close_filter(self) -> None:
        self.remove_class("-filtering")
        self.table.focus()

    @property
    def filtering(self) -> bool:
        return self.has_class("-filtering")

    def set_filter(self, text: str) -> None:
        selected = self.table.selected_key
        self.filter = parse_filter(text, self.counts)
        if self.filter is None:
            self.filtered.replace_all(())
            self.full.settle()
        else:
            self._fill_filtered()
        self.set_class(self.filter is not None, "-filtered")
        if selected is not None:
            self.table.select(selected)  # the same pod stays selected, if it is shown
        self._show_summary()

    def _fill_filtered(self) -> None:
        assert self.filter is not None
        now, sort, wanted = self._clock(), POD_SORTS[self.sort_column], self.filter
        self.filtered.replace_all(
            (rid, pod_cells(row, now), sort(row)) for rid, row in self.rows.items() if wanted(row)
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.set_filter(event.value)
        self.close_filter()

    # -- sort --------------------------------------------------------------------------------

    def cycle_sort(self) -> None:
        index = SORT_COLUMNS.index(self.sort_column)
        self._sort_by(SORT_COLUMNS[(index + 1) % len(SORT_COLUMNS)], reverse=False)

    def reverse_sort(self) -> None:
        self._sort_by(self.sort_column, reverse=not self.reverse)

    def _sort_by(self, column: str, *, reverse: bool) -> None:
        self.sort_column, self.reverse = column, reverse
        sort = POD_SORTS[column]
        for table in (self.full, self.filtered):
            for rid in [rid for rid in table.keys if rid not in self.rows]:
                table.drop(rid)  # removed since the last flush: no place in the new order
            table.set_order({rid: sort(self.rows[rid]) for rid in table.keys}, reverse=reverse)
        self._label_sort_column()
        self.table.settle()
        if self.filter is not None:
            self.full.settle()

    def _label_sort_column(self) -> None:
        for table in (self.full, self.filtered):
            for key, label in self._columns():
                if key in POD_SORTS:
                    # Room for the arrow is kept on every sortable label: widths never jump.
                    mark = ARROWS[self.reverse] if key == self.sort_column else " "
                    table.set_label(key, f"{label} {mark}")

    @property
    def sort_description(self) -> str:
        return f"{self.sort_column} {ARROWS[self.reverse]}"

    # -- summary -----------------------------------------------------------------------------

    def _show_summary(self) -> None:
        # One line, always: no layout pass needed (it would repaint the whole screen).
        self.query_one("#pods-summary", Static).update(self.summary(), layout=False)

    def summary(self) -> Text:
        total = sum(self.counts.values())
        line = Text(no_wrap=True, overflow="ellipsis")
        if not total:
            line.append("waiting for pods…" if self.waiting else "no pods in view", "dim")
        else:
            line.append(f"{total} pods", "bold")
            for label, count in sorted(self.counts.items(), key=_summary_order):
                line.append(" · ", "dim")
                line.append(f"{count} ", "bold")
                line.append_text(cell(label, rank_style(_label_rank(label))))
        if self.filter is not None:
            line.append("  filter: ", "dim")
            line.append_text(cell(self.filter.text, "bold cyan"))
            line.append(f" ({self.filtered.row_count} shown)", "dim")
        return line


def _label_rank(label: str) -> int:
    return 2 if label == "NotReady" else status_rank(label)


def _summary_order(item: tuple[str, int]) -> tuple[Any, ...]:
    # Running first (the baseline), then the problems, worst first, then the rest.
    label, count = item
    return (label != "Running", _label_rank(label), -count, label)
