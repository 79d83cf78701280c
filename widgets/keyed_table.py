"""A DataTable updated by key and kept in order without rebuilding.

The Kubernetes views get many small changes a second against thousands of
rows. `KeyedTable` adds a new row, rewrites only the cells whose text or style
changed, removes a gone row, and re-sorts only when a row may have moved: a
new row (added at the bottom), or a row whose sort key changed and no longer
sits between its neighbours.

The cursor stays on the row it was on, whatever moves around it, so an action
never lands on a row the operator did not choose. The first row is the
exception: a cursor there follows the head of the table, as `watch kubectl get
pods` would, so that the worst or newest rows sorting in on top are in view
rather than scrolled off by a cursor clinging to the row they pushed down.

Rows are ordered by keys the owner computes from its data (not from the cells,
which hold formatted text): the anchor column's cells are `KeyedText`, which
knows its row, so `DataTable.sort` can look the order key up.

Rendering (lines reused across updates and moves) is `LastingTable`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message

from widgets.lasting_table import LastingTable


class KeyedText(Text):
    """A cell that knows the key of its row."""

    __slots__ = ("row_key",)

    row_key: str


def keyed(text: Text, row_key: str) -> KeyedText:
    copy = KeyedText(
        text.plain,
        style=text.style,
        justify=text.justify,
        overflow=text.overflow,
        no_wrap=text.no_wrap,
        end=text.end,
        spans=list(text.spans),
    )
    copy.row_key = row_key
    return copy


def same(a: object, b: Text) -> bool:
    """Two cells that look identical (Text equality ignores the base style)."""
    return isinstance(a, Text) and a.plain == b.plain and a.style == b.style and a.spans == b.spans


class KeyedTable(LastingTable):
    DEFAULT_CSS = """
    KeyedTable { height: 1fr; }
    """
    # Home and End go to the first and last row (DataTable's own scroll sideways),
    # so the way back to following the head is one key.
    BINDINGS = [
        Binding(
            "home",
            "scroll_top",
            "First row",
            show=False,
            id="table.first_row",
            tooltip="Cursor to the first row, where it follows what sorts to the top",
        ),
        Binding(
            "end",
            "scroll_bottom",
            "Last row",
            show=False,
            id="table.last_row",
            tooltip="Cursor to the last row",
        ),
    ]

    class Edge(Message):
        """Up on the first row or down on the last: the owner may move focus on."""

        def __init__(self, table: KeyedTable, step: int) -> None:
            super().__init__()
            self.table = table
            self.step = step

    def __init__(
        self,
        columns: Sequence[tuple[str, str]],
        *,
        anchor: str = "name",
        edges: bool = False,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(cursor_type="row", id=id, classes=classes)
        self.column_spec = list(columns)
        self.anchor = anchor
        self.edges = edges
        self.reverse = False
        self._order: dict[str, Any] = {}
        self._unsorted = False
        self._moved: set[str] = set()
        # The row the cursor is on, by key: remembered when the cursor moves, so
        # rows removed or sorted above it do not carry the cursor to another row.
        self._selected: str | None = None
        # The cursor is on the first row: it stays there, whichever row that is.
        self._at_head = True

    def on_mount(self) -> None:
        self.set_columns(self.column_spec)

    # -- columns -----------------------------------------------------------------------

    def set_columns(self, columns: Sequence[tuple[str, str]]) -> None:
        """Replace the columns (rare: a context column comes or goes). Empties the table."""
        self.column_spec = list(columns)
        self.clear(columns=True)
        self._order.clear()
        self._moved.clear()
        self._selected = None
        for key, label in self.column_spec:
            self.add_column(Text(label), key=key)

    def set_label(self, key: str, label: str) -> None:
        column = self.columns.get(key)  # type: ignore[call-overload]
        if column is not None:
            column.label = Text(label)
            column.content_width = max(column.content_width, len(label))
            self.refresh()

    # -- rows --------------------------------------------------------------------------

    def __contains__(self, key: object) -> bool:
        return key in self._order

    @property
    def keys(self) -> Iterable[str]:
        return self._order.keys()

    def put(self, key: str, cells: Mapping[str, Text], order: Any) -> None:
        """Add the row, or rewrite the cells of it that changed."""
        if key not in self._order:
            self._order[key] = order
            values = [cells.get(str(column.key.value), Text()) for column in self.ordered_columns]
            anchor = self.get_column_index(self.anchor)
            values[anchor] = keyed(values[anchor], key)
            self.add_row(*values, key=key)
            self._unsorted = True
            return
        for column_key, value in cells.items():
            if column_key not in self.columns:
                continue
            if same(self.get_cell(key, column_key), value):
                continue
            if column_key == self.anchor:
                value = keyed(value, key)
            column = self.columns[column_key]  # type: ignore[index]
            # Widening only: re-measuring a narrower column scans the whole table.
            self.update_cell(
                key, column_key, value, update_width=value.cell_len > column.content_width
            )
        if self._order[key] != order:
            self._order[key] = order
            self._moved.add(key)

    def update_text(self, key: str, column_key: str, value: Text) -> None:
        """One cell that depends on time (an age): rewritten only if its text changed."""
        if key in self._order and not same(self.get_cell(key, column_key), value):
            self.update_cell(key, column_key, value)

    def drop(self, key: str) -> None:
        if key in self._order:
            del self._order[key]
            self._moved.discard(key)
            self.remove_row(key)

    def replace_all(self, rows: Iterable[tuple[str, Mapping[str, Text], Any]]) -> None:
        """Show exactly these rows (a new filter): emptied and refilled in one go,
        since removing thousands of rows one by one costs far more."""
        selected, at_head = self._selected, self._at_head
        self.clear()
        self._order.clear()
        self._moved.clear()
        self._selected, self._at_head = selected, at_head
        for key, cells, order in rows:
            self.put(key, cells, order)
        self.settle()

    # -- order and cursor ----------------------------------------------------------------

    def set_order(self, orders: Mapping[str, Any], *, reverse: bool | None = None) -> None:
        """New order keys for every row (the sort column changed): sorted at `settle`."""
        fresh = {key: orders[key] for key in self._order if key in orders}
        self._order.update(fresh)
        if reverse is not None:
            self.reverse = reverse
        self._unsorted = True

    def settle(self) -> None:
        """Re-sort if a row may have moved, and keep the cursor on its row."""
        if self._unsorted or (self._moved and not self._in_place(self._moved)):
            self._reorder()
        self._unsorted = False
        self._moved.clear()
        self._restore_cursor()

    def _order_of(self, anchor: KeyedText) -> Any:
        return self._order[anchor.row_key]

    def _reorder(self) -> None:
        """What `DataTable.sort` does, at a fifth of the cost.

        `sort` wraps every row in a Python key function that picks the anchor cell
        out of the row's dict (17 ms for 5,000 rows, on every flush where a pod
        changes state). Sorting the row keys by the order map directly gives the
        same order. It sets the same private state `sort` sets (row locations and
        the update count that invalidates DataTable's render caches), which is
        why textual's version is pinned below 9.
        """
        order = self._order
        keys = sorted(self._data, key=lambda row_key: order[row_key.value], reverse=self.reverse)
        self._row_locations = TwoWayDict({row_key: index for index, row_key in enumerate(keys)})
        self._update_count += 1
        self.refresh()

    def _in_place(self, keys: Iterable[str]) -> bool:
        for key in keys:
            index = self.get_row_index(key)
            order = self._order[key]
            before = self.key_at(index - 1)
            after = self.key_at(index + 1)
            if before is not None and not self._ordered(self._order[before], order):
                return False
            if after is not None and not self._ordered(order, self._order[after]):
                return False
        return True

    def _ordered(self, first: Any, second: Any) -> bool:
        return bool(first >= second) if self.reverse else bool(first <= second)

    def key_at(self, index: int) -> str | None:
        if not 0 <= index < self.row_count:
            return None
        value = self.coordinate_to_cell_key(Coordinate(index, 0)).row_key.value
        return None if value is None else str(value)

    @property
    def selected_key(self) -> str | None:
        return self.key_at(self.cursor_row)

    @property
    def at_head(self) -> bool:
        """The cursor is on the first row and follows whatever sorts there."""
        return self._at_head

    def select(self, key: str) -> None:
        """Put the cursor on the row of `key` (if shown); it stays with that row."""
        if key in self._order:
            index = self.get_row_index(key)
            if index != self.cursor_row:
                self.move_cursor(row=index)
            self._selected, self._at_head = key, False

    def _restore_cursor(self) -> None:
        if self._at_head:
            if self.cursor_row != 0:
                self.move_cursor(row=0)
            self._selected = self.key_at(0)
        elif self._selected is not None and self._selected in self._order:
            self.select(self._selected)
        else:
            self._selected = self.selected_key

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if old != new:
            self._selected = self.key_at(new.row)
            self._at_head = new.row == 0

    # -- keys --------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        if self.edges and self.cursor_row >= self.row_count - 1:
            self.post_message(self.Edge(self, 1))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.edges and self.cursor_row <= 0:
            self.post_message(self.Edge(self, -1))
        else:
            super().action_cursor_up()
