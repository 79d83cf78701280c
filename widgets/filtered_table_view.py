"""What the Pods and Containers views share: a live table, a filter, a sort, a summary.

Rows are kept by key; changes are noted as they arrive and written to the tables
in batches by the subclass's `flush`, since each DataTable write repaints every
visible cell. Two tables: the full one is never rebuilt; a filter fills the small
filtered one with the rows it lets through and shows it instead, so clearing a
filter costs no refill however many rows there are.

A subclass names its widgets (`PREFIX`), its sort keys (`SORTS`), how a row
becomes cells (`row_cells`), how typed text becomes a filter (`parse`) and what
its summary line says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.safetext import cell
from widgets.keyed_table import KeyedTable

ARROWS = {False: "▼", True: "▲"}  # natural order (worst/biggest/youngest first), reversed

Row = TypeVar("Row")


class RowFilter(Protocol[Row]):  # type: ignore[misc]
    text: str

    def __call__(self, row: Row) -> bool: ...


class FilteredTableView(Vertical, Generic[Row]):
    # Which of the field and the two tables shows is set on the widgets themselves
    # (`display`), not by a class on the view: a class change restyles the whole
    # view, a few tens of milliseconds of the key that applies a filter.
    DEFAULT_CSS = """
    FilteredTableView > .view-summary { height: 1; padding: 0 1; }
    /* The Input type in the selector outranks Input's own `:focus` border. */
    FilteredTableView > Input.view-filter { display: none; height: 1; border: none; padding: 0 1; }
    FilteredTableView > .view-filtered { display: none; }
    """

    PREFIX: ClassVar[str]  # widget ids: PREFIX-summary, -filter, -table, -filtered
    SORTS: ClassVar[Mapping[str, Callable[[Any], Any]]]
    SORT_LABELS: ClassVar[Mapping[str, str]] = {}  # header text to name a sort by
    WAITING = "waiting…"
    FILTER_HINT = ""

    def __init__(self, clock: Callable[[], datetime], *, id: str) -> None:
        super().__init__(id=id)
        self._clock = clock
        self.rows: dict[str, Row] = {}
        self.filter: RowFilter[Row] | None = None
        self.sort_column = "status"
        self.reverse = False
        # Row key -> the row to write at the next flush (None: remove it).
        self._pending: dict[str, Row | None] = {}

    # -- what a subclass says -------------------------------------------------------------

    def columns(self) -> Sequence[tuple[str, str]]:
        raise NotImplementedError

    def row_cells(self, row: Row, now: datetime) -> dict[str, Text]:
        raise NotImplementedError

    def parse(self, text: str) -> RowFilter[Row] | None:
        raise NotImplementedError

    # -- widgets --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        prefix = self.PREFIX
        yield Static(Text(self.WAITING, style="dim"), id=f"{prefix}-summary",
                     classes="view-summary")  # fmt: skip
        yield Input(placeholder=self.FILTER_HINT, id=f"{prefix}-filter", classes="view-filter")
        yield KeyedTable(self.columns(), id=f"{prefix}-table", classes="view-full")
        yield KeyedTable(self.columns(), id=f"{prefix}-filtered", classes="view-filtered")

    def on_mount(self) -> None:
        self._label_sort_column()

    @property
    def full(self) -> KeyedTable:
        return self.query_one(f"#{self.PREFIX}-table", KeyedTable)

    @property
    def filtered(self) -> KeyedTable:
        return self.query_one(f"#{self.PREFIX}-filtered", KeyedTable)

    @property
    def table(self) -> KeyedTable:
        """The table on screen."""
        return self.filtered if self.filter is not None else self.full

    @property
    def selected_row(self) -> Row | None:
        key = self.table.selected_key
        return None if key is None else self.rows.get(key)

    # -- data -----------------------------------------------------------------------------

    def _put(self, key: str, row: Row, now: datetime, sort: Callable[[Row], Any]) -> None:
        cells, order = self.row_cells(row, now), sort(row)
        self.full.put(key, cells, order)
        if self.filter is not None:
            if self.filter(row):
                self.filtered.put(key, cells, order)
            else:
                self.filtered.drop(key)

    def _settle(self) -> None:
        self.table.settle()
        if self.filter is not None:
            self.full.settle()  # kept in order while hidden, so clearing the filter is instant

    # -- filter ---------------------------------------------------------------------------

    def open_filter(self) -> None:
        field = self.query_one(f"#{self.PREFIX}-filter", Input)
        field.value = self.filter.text if self.filter else ""
        field.display = True
        # Focused now, not at the next turn of the loop: what is typed right after
        # the key, already queued behind it, goes into the field, not to the pane.
        self.screen.set_focus(field)

    def close_filter(self) -> None:
        self.query_one(f"#{self.PREFIX}-filter", Input).display = False
        self.table.focus()

    @property
    def filtering(self) -> bool:
        return self.query_one(f"#{self.PREFIX}-filter", Input).display

    def set_filter(self, text: str) -> None:
        # A chosen row stays chosen; a cursor following the head keeps following it.
        selected = None if self.table.at_head else self.table.selected_key
        self.filter = self.parse(text)
        if self.filter is None:
            self.filtered.replace_all(())
            self.full.settle()
        else:
            self._fill_filtered()
        self.filtered.display = self.filter is not None
        self.full.display = self.filter is None
        if selected is not None:
            self.table.select(selected)  # the same row stays selected, if it is shown
        self._show_summary()

    def _fill_filtered(self) -> None:
        assert self.filter is not None
        now, sort, wanted = self._clock(), self.SORTS[self.sort_column], self.filter
        self.filtered.replace_all(
            (key, self.row_cells(row, now), sort(row))
            for key, row in self.rows.items()
            if wanted(row)
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.set_filter(event.value)
        self.close_filter()

    # -- sort -----------------------------------------------------------------------------

    def cycle_sort(self) -> None:
        columns = tuple(self.SORTS)
        index = columns.index(self.sort_column)
        self._sort_by(columns[(index + 1) % len(columns)], reverse=False)

    def reverse_sort(self) -> None:
        self._sort_by(self.sort_column, reverse=not self.reverse)

    def _sort_by(self, column: str, *, reverse: bool) -> None:
        self.sort_column, self.reverse = column, reverse
        sort = self.SORTS[column]
        for table in (self.full, self.filtered):
            for key in [key for key in table.keys if key not in self.rows]:
                table.drop(key)  # removed since the last flush: no place in the new order
            table.set_order({key: sort(self.rows[key]) for key in table.keys}, reverse=reverse)
        self._label_sort_column()
        self._settle()
        self._show_summary()

    def _label_sort_column(self) -> None:
        for table in (self.full, self.filtered):
            for key, label in self.columns():
                if key in self.SORTS:
                    # Room for the arrow is kept on every sortable label: widths never jump.
                    mark = ARROWS[self.reverse] if key == self.sort_column else " "
                    table.set_label(key, f"{label} {mark}")

    @property
    def sort_description(self) -> str:
        name = self.SORT_LABELS.get(self.sort_column, self.sort_column)
        return f"{name} {ARROWS[self.reverse]}"

    # -- summary --------------------------------------------------------------------------

    def _show_summary(self) -> None:
        # One line, always: no layout pass needed (it would repaint the whole screen).
        self.query_one(f"#{self.PREFIX}-summary", Static).update(self.summary(), layout=False)

    def summary(self) -> Text:
        raise NotImplementedError

    def _append_filter(self, line: Text) -> None:
        """The summary's tail while a filter is on: what was typed and how many it shows."""
        if self.filter is not None:
            line.append("  filter: ", "dim")
            line.append_text(cell(self.filter.text, "bold cyan"))
            line.append(f" ({self.filtered.row_count} shown)", "dim")


class FilterSortKeys:
    """The filter and sort keys of a pane that shows a FilteredTableView.

    Mixed into the pane (before its Widget base); the pane names its view.
    """

    @property
    def filtered_view(self) -> FilteredTableView[Any]:
        raise NotImplementedError

    if TYPE_CHECKING:  # provided by the pane's Widget, later in its bases

        def refresh_bindings(self) -> None: ...

    def action_filter(self) -> None:
        self.filtered_view.open_filter()
        self.refresh_bindings()

    def action_clear_filter(self) -> None:
        view = self.filtered_view
        if view.filter is not None:
            view.set_filter("")
        view.close_filter()
        self.refresh_bindings()

    def action_sort(self) -> None:
        self.filtered_view.cycle_sort()

    def action_reverse_sort(self) -> None:
        self.filtered_view.reverse_sort()
