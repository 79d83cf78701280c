"""A DataTable whose rendered lines outlive table updates and row moves.

DataTable keys its render caches (cells, rows, lines) on a counter that every
update bumps. With 5,000 pods changing a few at a time, each flush of changes
makes the next frame render every visible line again (about 30 ms at 160x48
here), and a key pressed just then waits for it. Yet a rendered line depends
only on its row's cell values, the column widths, its highlight (cursor,
hover) and the styles, not on the update counter.

So `LastingTable` keeps rendered lines by row key, and reuses them as long as
the row's cell values are the same objects (`update_cell` stores a new one)
and nothing else they depend on changed, wherever the row has moved; and it
keeps rendered cells by what they show. A frame after a flush draws again
only the rows whose cells changed, and of those only the cells never drawn.

The one positional thing in a rendered line or cell is the meta DataTable puts
in it for the mouse (the row and column under the pointer). A reused one keeps
the row it was first drawn at, so the mouse handlers here read the row from
the pointer's position instead; the column is part of every cache key.

Every row must be one line high (rows added without a height): the geometry
shortcuts below rest on it. These override DataTable internals, which is why
textual is pinned below 9.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual import events
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.render import measure
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

Key = TypeVar("Key")
Value = TypeVar("Value")
CellKey = tuple[Any, ...]
LineKey = tuple[Any, ...]
Values = tuple[object, ...]  # a row's cell values, held to compare by identity


class RecentlyUsed(Generic[Key, Value]):
    """The `size` most recently used entries.

    Not textual's LRUCache: setting a key it holds keeps the old value there, and
    here a row's line is set again under the same key whenever its cells change.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[Key, Value] = OrderedDict()

    def get(self, key: Key) -> Value | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def __setitem__(self, key: Key, value: Value) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()


class LastingTable(DataTable[Text]):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # DataTable's own caches, keyed on the update counter, go stale at every
        # update, yet up to 10,000 entries would live on as objects that every full
        # garbage collection walks. A few screens' worth is all that pays.
        self._row_render_cache.maxsize = 200
        self._row_renderable_cache.maxsize = 200
        self._line_cache.maxsize = 200
        self._cell_render_cache.maxsize = 200
        # (column, what the cell shows, how it is drawn) -> its rendered lines
        self._lasting_cells: RecentlyUsed[CellKey, Any] = RecentlyUsed(2000)
        # (row, where and how it is drawn) -> (the row's values drawn, the line)
        self._lasting_lines: RecentlyUsed[LineKey, tuple[Values, Strip]] = RecentlyUsed(500)
        # Worked out once per frame (see render_lines), not once per line.
        self._frame_style: Style | None = None
        self._frame_widths: tuple[int, ...] = ()

    # -- lines ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # The base style and the column widths, once per frame: DataTable works the
        # style out on each line, walking every ancestor's styles.
        self._frame_style = self.rich_style
        self._frame_widths = self._column_widths()
        try:
            return super().render_lines(crop)
        finally:
            self._frame_style, self._frame_widths = None, ()

    def render_line(self, y: int) -> Strip:
        # DataTable.render_line without fixed rows (these tables have none).
        scroll_x, scroll_y = self.scroll_offset
        if y >= self._header_lines:
            y += scroll_y
        style = self._frame_style or self.rich_style
        return self._render_line(y, scroll_x, scroll_x + self.size.width, style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        try:
            row_key, _ = self._get_offsets(y)
        except LookupError:
            return Strip.blank(self.size.width, base_style)
        if row_key is self._header_row_key or self.cursor_type != "row":
            return super()._render_line(y, x1, x2, base_style)
        row_index = y - self._header_lines
        key = (
            row_key, x1, x2, self.size.width, base_style,
            self.cursor_coordinate.row == row_index,
            self._show_hover_cursor and self.hover_coordinate.row == row_index,
            self.show_cursor, self._pseudo_class_state,
            self.zebra_stripes and row_index % 2,
            self._frame_widths or self._column_widths(),
        )  # fmt: skip
        values = tuple(self._data[row_key].values())
        cached = self._lasting_lines.get(key)
        if cached is not None and _same_objects(cached[0], values):
            return cached[1]
        strip = super()._render_line(y, x1, x2, base_style)
        self._lasting_lines[key] = (values, strip)
        return strip

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> Any:
        # Cells are kept by how they look, not by row: a changed row's unchanged
        # cells are not rendered again, and neither is the thousandth "Running" or
        # "1/1" (a new filter's table draws a screenful of rows it never drew).
        if row_index < 0 or column_index < 0:  # the header and row labels
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        value = self._data[row_key][self._column_locations.get_key(column_index)]
        if not isinstance(value, Text):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        look = (value.plain, value.style, tuple(value.spans), value.justify, value.overflow,
                value.no_wrap, value.end)  # fmt: skip
        key = (
            column_index, look, base_style, width, cursor, hover,
            self.show_cursor, self._show_hover_cursor, self._pseudo_class_state,
        )  # fmt: skip
        lines = self._lasting_cells.get(key)
        if lines is None:
            lines = super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
            self._lasting_cells[key] = lines
        return lines

    def _clear_caches(self) -> None:
        # Styles, theme or columns changed: nothing rendered before still holds.
        super()._clear_caches()
        self._lasting_cells.clear()
        self._lasting_lines.clear()

    def _column_widths(self) -> tuple[int, ...]:
        widths = [column.get_render_width(self) for column in self.ordered_columns]
        return (self._row_label_column_width, *widths)

    # -- widths: taken as rows come ------------------------------------------------------

    def add_row(
        self,
        *cells: Any,
        height: int | None = 1,
        key: str | None = None,
        label: Any = None,
    ) -> RowKey:
        # Columns are widened now, not when the table is next idle as DataTable does:
        # otherwise the first frame after new rows (a filter just applied) is drawn at
        # the old widths and then all over again at the new ones.
        row_key = super().add_row(*cells, height=height, key=key, label=label)
        for column, value in zip(self.ordered_columns, cells, strict=False):
            width = _width(value, self.app.console)
            if width > column.content_width:
                column.content_width = width
        return row_key

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # The widths are taken (add_row) and every row is one line: what is left of
        # DataTable's measuring every new row's every cell is the virtual size.
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(
            width + self._row_label_column_width, len(self._data) + self._header_lines
        )

    # -- the mouse -------------------------------------------------------------------------
    # Textual calls the handler of every class in the MRO, this one first: these only
    # correct the row in the event's meta, and DataTable's own handlers then act on it.

    def _on_click(self, event: events.Click) -> None:
        self._row_from_position(event)

    def _on_mouse_move(self, event: events.MouseMove) -> None:
        self._row_from_position(event)

    def _row_from_position(self, event: events.MouseEvent) -> None:
        meta = event.style.meta
        offset = event.get_content_offset(self)
        if "row" not in meta or offset is None:
            return
        row = -1 if offset.y < self._header_lines else offset.y - self._header_lines
        if row >= 0:
            row += round(self.scroll_y)
        if row != meta["row"]:
            event.style = event.style + Style.from_meta({"row": row})

    # -- geometry: every row is one line -----------------------------------------------------
    # DataTable's answers walk every row (5,000 of them) after each update.

    @property
    def _header_lines(self) -> int:
        return self.header_height if self.show_header else 0

    @property
    def _total_row_height(self) -> int:
        return len(self._data)

    def _get_offsets(self, y: int) -> tuple[RowKey, int]:
        if y < self._header_lines:
            return self._header_row_key, y
        y -= self._header_lines
        if not 0 <= y < len(self._data):
            raise LookupError(f"no row on line {y}")
        return self._row_locations.get_key(y), 0

    def _get_row_region(self, row_index: int) -> Region:
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        width = sum(column.get_render_width(self) for column in self.columns.values())
        width += self._row_label_column_width
        return Region(0, row_index + self._header_lines, max(self.size.width, width), 1)

    def _get_cell_region(self, coordinate: Coordinate) -> Region:
        if not self.is_valid_coordinate(coordinate):
            return Region(0, 0, 0, 0)
        row_index, column_index = coordinate
        columns = self.ordered_columns
        x = sum(column.get_render_width(self) for column in columns[:column_index])
        x += self._row_label_column_width
        width = columns[column_index].get_render_width(self)
        return Region(x, row_index + self._header_lines, width, 1)


def _width(value: Any, console: Console) -> int:
    """A cell's width as DataTable measures it (its longest line), quickly for one line."""
    if isinstance(value, Text) and "\n" not in value.plain:
        return value.cell_len
    return measure(console, value, 1)


def _same_objects(first: Values, second: Values) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second, strict=True))
