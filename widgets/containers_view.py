"""The Containers view: `docker-compose ps` plus `docker stats`, live, problems first.

Like the Pods view: rows are kept by container id, changes are noted as they
arrive (`apply`) and written to the table in batches (`flush`, paced by the
pane), since each DataTable write repaints every visible cell. A filter fills
the small `#containers-filtered` table and shows it instead of the full one,
so clearing it costs no refill.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.safetext import cell
from tui.sources.docker.rows import ContainerRow, classify
from widgets.container_cells import COLUMNS, SORTS, container_cells, label, rank_style, uptime
from widgets.container_filter import ContainerFilter, parse_filter
from widgets.keyed_table import KeyedTable

SORT_COLUMNS = tuple(SORTS)
ARROWS = {False: "▼", True: "▲"}
SORT_LABELS = {"status": "status", "cpu": "cpu%", "memory": "mem use / limit",
               "restarts": "restarts", "name": "name"}  # fmt: skip


class ContainersView(Vertical):
    DEFAULT_CSS = """
    ContainersView #containers-summary { height: 1; padding: 0 1; }
    ContainersView #containers-filter { display: none; height: 1; border: none; padding: 0 1; }
    ContainersView.-filtering #containers-filter { display: block; }
    ContainersView #containers-filtered { display: none; }
    ContainersView.-filtered #containers-filtered { display: block; }
    ContainersView.-filtered #containers-table { display: none; }
    """

    def __init__(self, clock: Callable[[], datetime], *, id: str = "containers-view") -> None:
        super().__init__(id=id)
        self._clock = clock
        self.rows: dict[str, ContainerRow] = {}
        self.counts: Counter[str] = Counter()
        self.projects: Counter[str] = Counter()
        self.filter: ContainerFilter | None = None
        self.sort_column = "status"
        self.reverse = False
        self._pending: dict[str, ContainerRow | None] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text("waiting for containers…", style="dim"), id="containers-summary")
        yield Input(placeholder="name, project=…, service=…, or status (!negates) · Esc clears",
                    id="containers-filter")  # fmt: skip
        yield KeyedTable(COLUMNS, id="containers-table")
        yield KeyedTable(COLUMNS, id="containers-filtered")

    def on_mount(self) -> None:
        self._label_sort_column()

    @property
    def full(self) -> KeyedTable:
        return self.query_one("#containers-table", KeyedTable)

    @property
    def filtered(self) -> KeyedTable:
        return self.query_one("#containers-filtered", KeyedTable)

    @property
    def table(self) -> KeyedTable:
        return self.filtered if self.filter is not None else self.full

    @property
    def selected_row(self) -> ContainerRow | None:
        key = self.table.selected_key
        return None if key is None else self.rows.get(key)

    # -- data ------------------------------------------------------------------------------

    def apply(self, updated: Mapping[str, ContainerRow], removed: Iterable[str]) -> None:
        for key in removed:
            gone = self.rows.pop(key, None)
            if gone is not None:
                self._count(gone, -1)
                self._pending[key] = None
        for key, row in updated.items():
            previous = self.rows.get(key)
            if previous is not None:
                self._count(previous, -1)
            self.rows[key] = row
            self._count(row, 1)
            self._pending[key] = row

    def _count(self, row: ContainerRow, step: int) -> None:
        for counter, name in ((self.counts, label(row)), (self.projects, row.project)):
            counter[name] += step
            if counter[name] <= 0:
                del counter[name]

    def flush(self) -> None:
        """Write what changed to the tables (a few hundred containers: one go)."""
        now, sort = self._clock(), SORTS[self.sort_column]
        for key, row in self._pending.items():
            if row is None:
                self.full.drop(key)
                self.filtered.drop(key)
            else:
                self._put(key, row, now, sort)
        self._pending.clear()
        self.table.settle()
        if self.filter is not None:
            self.full.settle()
        self._show_summary()

    def _put(
        self, key: str, row: ContainerRow, now: datetime, sort: Callable[[ContainerRow], Any]
    ) -> None:
        cells, order = container_cells(row, now), sort(row)
        self.full.put(key, cells, order)
        if self.filter is not None:
            if self.filter(row):
                self.filtered.put(key, cells, order)
            else:
                self.filtered.drop(key)

    def tick(self) -> None:
        """Move uptimes on: only cells whose text changed are rewritten."""
        now = self._clock()
        table = self.table
        for key in list(table.keys):
            row = self.rows.get(key)
            if row is not None:
                style = rank_style(classify(row)[1])
                table.update_text(key, "uptime", Text(uptime(row, now), style=style, no_wrap=True))

    # -- filter ------------------------------------------------------------------------------

    def open_filter(self) -> None:
        field = self.query_one("#containers-filter", Input)
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
        self.filter = parse_filter(text)
        if self.filter is None:
            self.filtered.replace_all(())
            self.full.settle()
        else:
            self._fill_filtered()
        self.set_class(self.filter is not None, "-filtered")
        if selected is not None:
            self.table.select(selected)
        self._show_summary()

    def _fill_filtered(self) -> None:
        assert self.filter is not None
        now, sort, wanted = self._clock(), SORTS[self.sort_column], self.filter
        self.filtered.replace_all(
            (key, container_cells(row, now), sort(row))
            for key, row in self.rows.items()
            if wanted(row)
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
        sort = SORTS[column]
        for table in (self.full, self.filtered):
            for key in [key for key in table.keys if key not in self.rows]:
                table.drop(key)
            table.set_order({key: sort(self.rows[key]) for key in table.keys}, reverse=reverse)
        self._label_sort_column()
        self.table.settle()
        if self.filter is not None:
            self.full.settle()
        self._show_summary()

    def _label_sort_column(self) -> None:
        for table in (self.full, self.filtered):
            for key, text in COLUMNS:
                if key in SORTS:
                    mark = ARROWS[self.reverse] if key == self.sort_column else " "
                    table.set_label(key, f"{text} {mark}")

    @property
    def sort_description(self) -> str:
        return f"{SORT_LABELS[self.sort_column]} {ARROWS[self.reverse]}"

    # -- summary -----------------------------------------------------------------------------

    def _show_summary(self) -> None:
        self.query_one("#containers-summary", Static).update(self.summary(), layout=False)

    def summary(self) -> Text:
        total = sum(self.counts.values())
        line = Text(no_wrap=True, overflow="ellipsis")
        if not total:
            line.append("no containers on this engine", "dim")
        else:
            line.append(f"{total} containers", "bold")
            for name, count in sorted(self.counts.items(), key=_summary_order):
                line.append(" · ", "dim")
                line.append(f"{count} ", "bold")
                line.append_text(cell(name, rank_style(_label_rank(name))))
            compose = sorted(p for p in self.projects if p)
            if compose:
                line.append(f" · compose: {len(compose)} project", "dim")
                line.append("s" if len(compose) > 1 else "", "dim")
        if self.filter is not None:
            line.append("  filter: ", "dim")
            line.append_text(cell(self.filter.text, "bold cyan"))
            line.append(f" ({self.filtered.row_count} shown)", "dim")
        return line


def _label_rank(name: str) -> int:
    if name in ("OOMKilled", "CrashLoop", "Restarting", "Unhealthy"):
        return 0
    if name in ("Exited (error)", "Dead"):
        return 1
    return 3 if name == "Starting" else 5


def _summary_order(item: tuple[str, int]) -> tuple[Any, ...]:
    name, count = item
    return (name != "Running", _label_rank(name), -count, name)
