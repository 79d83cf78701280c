"""The Ingress pane's "probes" view: health endpoints and Prometheus, live.

One row per configured URL probe (`curl -f` on an interval): up or down, the
last latency with a sparkline of the recent ones, when it last answered well,
and the last error. Below, the selected probe in full and the Prometheus
queries with where they are heading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from widgets.ingress_text import (
    PROBE_COLUMNS,
    probe_cells,
    probe_detail,
    probe_order,
    prometheus_text,
    since_cell,
)
from widgets.keyed_table import KeyedTable

if TYPE_CHECKING:
    from tui.sources.probes import ProbeState
    from tui.sources.prometheus import QueryResult

NO_PROBES = (
    "No probes configured. Add --probe URL (repeatable) when starting, or list them"
    " under [probes] endpoints in the config file."
)


class ProbesView(Vertical):
    DEFAULT_CSS = """
    ProbesView #probe-table { height: auto; max-height: 60%; overflow-x: hidden; }
    /* A fixed height: rewriting it (every check, every second) then needs no new layout. */
    ProbesView #probe-detail { height: 4; padding: 0 1; }
    ProbesView #prometheus { height: auto; padding: 0 1; margin-top: 1; }
    """

    def __init__(self, clock: Callable[[], datetime], *, id: str = "probes-view") -> None:
        super().__init__(id=id)
        self._clock = clock
        self.states: dict[str, ProbeState] = {}
        self.configured: bool | None = None  # None until the app says
        self.prometheus_url: str | None = None
        self.results: Mapping[str, QueryResult] = {}
        self.table = KeyedTable(PROBE_COLUMNS, id="probe-table")
        self._detail: Text | None = None
        self._prometheus_lines = 0

    def compose(self) -> ComposeResult:
        yield self.table
        yield Static(Text("starting probes…", style="dim"), id="probe-detail")
        yield Static(prometheus_text(None, {}), id="prometheus")

    @property
    def selected(self) -> ProbeState | None:
        key = self.table.selected_key
        return None if key is None else self.states.get(key)

    @property
    def down(self) -> int:
        return sum(1 for s in self.states.values() if s.up is False)

    def update(self, states: tuple[ProbeState, ...], configured: bool) -> None:
        self.configured = configured
        now = self._clock()
        fresh = {s.name: s for s in states}
        for name in [n for n in self.states if n not in fresh]:
            self.table.drop(name)
        for name, state in fresh.items():
            if self.states.get(name) != state:
                self.table.put(name, probe_cells(state, now), probe_order(state))
        self.states = fresh
        self.table.settle()
        self.show_detail()

    def show_prometheus(self, url: str, results: Mapping[str, QueryResult]) -> None:
        self.prometheus_url, self.results = url, results
        text = prometheus_text(url, results)
        lines = text.plain.count("\n")
        # A new layout only when the block grows or shrinks.
        self.query_one("#prometheus", Static).update(text, layout=lines != self._prometheus_lines)
        self._prometheus_lines = lines

    def tick(self) -> None:
        """Keep "last OK … ago" moving."""
        now = self._clock()
        for name, state in self.states.items():
            self.table.update_text(name, "since", since_cell(state, now))
        self.show_detail()

    def show_detail(self) -> None:
        state = self.selected
        if self.configured is False:
            text = Text(NO_PROBES, style="dim")
        elif state is None:
            text = Text("starting probes…" if self.configured is None else "", style="dim")
        else:
            text = probe_detail(state, self._clock())
        shown = self._detail
        if shown is None or shown.plain != text.plain or shown.spans != text.spans:
            self._detail = text
            self.query_one("#probe-detail", Static).update(text, layout=False)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self.show_detail()
