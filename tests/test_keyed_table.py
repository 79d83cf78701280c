"""KeyedTable's rendering: cells cached across updates, never shown stale.

The table keeps rendered cells across table updates (see KeyedTable._render_cell);
these tests check that what is on screen always follows the data: a re-sort moves
rows, a rewritten cell shows its new text, and a click lands on the row shown.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

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
