"""The Containers view: `docker-compose ps` plus `docker stats`, live, problems first.

Rows are kept by container id; the table, filter and sort work as in the Pods view
(widgets/filtered_table_view.py). A few hundred containers are written in one go.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.safetext import cell
from tui.sources.docker.rows import ContainerRow, classify
from widgets.container_cells import COLUMNS, SORTS, container_cells, label, rank_style, uptime
from widgets.container_filter import ContainerFilter, parse_filter
from widgets.filtered_table_view import FilteredTableView

SORT_LABELS = {"status": "status", "cpu": "cpu%", "memory": "mem use / limit",
               "restarts": "restarts", "name": "name"}  # fmt: skip


class ContainersView(FilteredTableView[ContainerRow]):
    PREFIX = "containers"
    SORTS = SORTS
    SORT_LABELS = SORT_LABELS
    WAITING = "waiting for containers…"
    FILTER_HINT = "name, project=…, service=…, or status (!negates) · Esc clears"

    def __init__(self, clock: Callable[[], datetime], *, id: str = "containers-view") -> None:
        super().__init__(clock, id=id)
        self.counts: Counter[str] = Counter()
        self.projects: Counter[str] = Counter()

    def columns(self) -> Sequence[tuple[str, str]]:
        return COLUMNS

    def row_cells(self, row: ContainerRow, now: datetime) -> dict[str, Text]:
        return container_cells(row, now)

    def parse(self, text: str) -> ContainerFilter | None:
        return parse_filter(text)

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
        self._settle()
        self._show_summary()

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): every row is written again."""
        self._pending = dict(self.rows)
        self.flush()

    def tick(self) -> None:
        """Move uptimes on: only cells whose text changed are rewritten."""
        now = self._clock()
        table = self.table
        for key in list(table.keys):
            row = self.rows.get(key)
            if row is not None:
                style = rank_style(classify(row)[1])
                table.update_text(key, "uptime", Text(uptime(row, now), style=style, no_wrap=True))

    # -- summary -----------------------------------------------------------------------------

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
        self._append_filter(line)
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
