"""KeyedTable's rendering: cells cached across updates, never shown stale.

The table keeps rendered cells across table updates (see KeyedTable._render_cell);
these tests check that what is on screen always follows the data: a re-sort moves
rows, a rewritten cell shows its new text, and a click lands on the row shown.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.render import measure
from textual.widgets import DataTable

from widgets.keyed_table import KeyedTable

COLUMNS = [("name", "NAME"), ("status", "STATUS")]


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield KeyedTable(COLUMNS)

    @property
    def table(self) -> KeyedTable:
        return self.query_one(KeyedTable)


def cells(name: str, status: str) -> dict[str, Text]:
    return {"name": Text(name), "status": Text(status)}


def fill(table: KeyedTable, count: int) -> None:
    """`count` running pods, k0 … k{count-1}, in that order."""
    for index in range(count):
        table.put(f"k{index}", cells(f"pod-{index}", "Running"), order=(1, index))
    table.settle()


def shown(table: KeyedTable, rows: int) -> list[str]:
    """The text of the first `rows` lines under the header, as the screen gets them."""
    lines = []
    for y in range(1, rows + 1):
        strip = table.render_line(y)
        lines.append(" ".join("".join(segment.text for segment in strip).split()))
    return lines


async def test_a_re_sort_and_a_rewritten_cell_show_at_once_and_clicks_follow() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.table
        table.put("a", cells("alpha", "Running"), order=(1, "alpha"))
        table.put("b", cells("bravo", "Running"), order=(2, "bravo"))
        table.put("c", cells("charlie", "Running"), order=(3, "charlie"))
        table.settle()
        await pilot.pause()
        assert shown(table, 3) == ["alpha Running", "bravo Running", "charlie Running"]

        # charlie starts crash-looping: it sorts first, the others move down a row.
        table.put("c", cells("charlie", "CrashLoopBackOff"), order=(0, "charlie"))
        table.settle()
        await pilot.pause()
        assert shown(table, 3) == ["charlie CrashLoopBackOff", "alpha Running", "bravo Running"]

        # Only a cell changes, no row moves: the new text shows.
        table.put("a", cells("alpha", "Error"), order=(1, "alpha"))
        table.settle()
        await pilot.pause()
        assert shown(table, 3) == ["charlie CrashLoopBackOff", "alpha Error", "bravo Running"]

        # A click on the third line selects the row drawn there (bravo), not the row
        # that was drawn there before the re-sort.
        await pilot.click(KeyedTable, offset=(3, 3))
        await pilot.pause()
        assert table.selected_key == "b"


async def test_a_theme_change_renders_the_cells_again() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.table
        table.put("a", cells("alpha", "Running"), order=1)
        table.settle()
        await pilot.pause()
        before = table.render_line(1)
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = table.render_line(1)
        assert [s.text for s in before] != [] and before != after


async def test_a_cursor_on_the_first_row_follows_the_head_as_rows_sort_in_above() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 8)) as pilot:  # room for about five rows
        table = app.table
        table.put("z", cells("zulu", "Running"), order=(1, "zulu"))
        table.settle()
        # Twenty new rows, each sorting above all the others, one flush at a time:
        # a cursor left on the first row keeps the newest in view, at the top.
        for index in range(20):
            name = f"new-{99 - index}"
            table.put(name, cells(name, "Pending"), order=(0, name))
            table.settle()
            await pilot.pause()
            assert shown(table, 1) == [f"{name} Pending"]
            assert table.selected_key == name and table.at_head


async def test_a_chosen_row_keeps_the_cursor_wherever_it_moves() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 8)) as pilot:
        table = app.table
        for name in ("alpha", "bravo", "charlie"):
            table.put(name, cells(name, "Running"), order=(1, name))
        table.settle()
        await pilot.press("down")  # bravo, chosen
        assert table.selected_key == "bravo" and not table.at_head
        for index in range(10):
            name = f"new-{index}"
            table.put(name, cells(name, "Pending"), order=(0, name))
            table.settle()
        await pilot.pause()
        assert table.selected_key == "bravo"
        assert table.cursor_row == table.get_row_index("bravo")
        # Chosen by key on the first row (Enter, or kept across a filter): still chosen.
        table.select("new-0")
        table.put("first", cells("first", "Error"), order=(-1, "first"))
        table.settle()
        assert table.selected_key == "new-0" and not table.at_head
        # Moved back up to the first row by the operator: it follows the head again.
        await pilot.press("home")
        assert table.at_head
        table.put("worse", cells("worse", "Error"), order=(-2, "worse"))
        table.settle()
        assert table.selected_key == "worse"


async def test_line_and_region_shortcuts_agree_with_data_table() -> None:
    # KeyedTable answers "which row is on line y" and "where is row i" from the
    # position alone (every row is one line); DataTable walks every row for it.
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.table
        fill(table, 30)
        table.put("k17", cells("pod-17", "Error"), order=(0, 17))  # moves to the top
        table.settle()
        await pilot.pause()
        assert table._total_row_height == DataTable._total_row_height.fget(table)  # type: ignore[attr-defined]
        for y in range(table.row_count + 1):
            assert table._get_offsets(y) == DataTable._get_offsets(table, y)
        for index in (-1, 0, 5, 29, 30):
            assert table._get_row_region(index) == DataTable._get_row_region(table, index)
            for column in (0, 1):
                where = Coordinate(index, column)
                assert table._get_cell_region(where) == DataTable._get_cell_region(table, where)
        await pilot.press("end")
        assert table.cursor_row == 29 and shown(table, 1) != []


async def test_clicks_and_hover_land_on_the_row_drawn_in_a_scrolled_table() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.table
        fill(table, 40)
        table.select("k30")  # scrolls the table down
        await pilot.pause()
        # A row sorts to the top: every row below it moves down one line.
        table.put("k35", cells("pod-35", "Error"), order=(0, 35))
        table.settle()
        await pilot.pause()
        top = round(table.scroll_y)
        assert top > 0
        drawn = shown(table, 3)[2].split()[0]  # what the third row line shows
        await pilot.hover(KeyedTable, offset=(3, 3))
        assert table.key_at(table.hover_coordinate.row) == table.key_at(top + 2)
        await pilot.click(KeyedTable, offset=(3, 3))
        await pilot.pause()
        assert table.selected_key == table.key_at(top + 2)
        assert table.get_row(table.selected_key)[0].plain == drawn


async def test_columns_widen_as_rows_are_added_as_data_table_would_measure_them() -> None:
    # Widths are taken when a row is added, so the first frame after a filter is
    # drawn once, at its final widths; they must be what DataTable's measure says.
    app = TableApp()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.table
        values = ["短い名前", "pod-with-a-rather-long-name-0123456789", "", "🚀 launch", "x"]
        for index, name in enumerate(values):
            table.put(f"k{index}", cells(name, "CrashLoopBackOff" if index else "Ok"), order=index)
        widths = {str(c.key.value): c.content_width for c in table.columns.values()}
        for column in table.columns.values():
            measured = [measure(app.console, table.get_cell(f"k{i}", column.key), 1)
                        for i in range(len(values))]  # fmt: skip
            label = measure(app.console, column.label, 1)
            assert widths[str(column.key.value)] == max(label, *measured)
        table.settle()
        await pilot.pause()  # the table's idle pass changes nothing
        assert widths == {str(c.key.value): c.content_width for c in table.columns.values()}
        assert table.virtual_size.height == len(values) + 1
