"""The Pods view: `kubectl get pods -A -o wide` plus `top pods`, live, worst first.

Every pod in view is kept by row id; changes are noted as they arrive (`apply`)
and written to the tables in batches (`flush`, paced by the pane), because each
write makes Textual's DataTable repaint every visible cell (about 50 ms at
160x48): one batch a second instead of a repaint per message keeps the console
light under thousands of updates a minute.

Two tables, as in every filtered view (widgets/filtered_table_view.py):
`#pods-table` holds every pod and is never rebuilt; a filter fills the small
`#pods-filtered` and shows it instead. A very large
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

from tui.safetext import cell
from tui.sources.kube.cache import Key
from tui.sources.kube.rows import PodRow, status_rank
from widgets.filtered_table_view import FilteredTableView
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

CHUNK = 1000  # new rows added per flush: about a quarter of a second of DataTable work


def row_id(key: Key) -> str:
    """A table row key for a (context, kind, uid) key."""
    return "\x1f".join(key)


class PodsView(FilteredTableView[PodRow]):
    PREFIX = "pods"
    SORTS = POD_SORTS
    WAITING = "waiting for pods…"
    FILTER_HINT = "name, label=value, or status (!negates) · Enter · Esc clears"

    def __init__(self, clock: Callable[[], datetime], *, id: str = "pods-view") -> None:
        super().__init__(clock, id=id)
        self.counts: Counter[str] = Counter()
        self.multi_context = False
        self.waiting = True  # no complete list yet: "0 pods" would be a lie

    def columns(self) -> list[tuple[str, str]]:
        return [c for c in POD_COLUMNS if self.multi_context or c[0] != "context"]

    def row_cells(self, row: PodRow, now: datetime) -> dict[str, Text]:
        return pod_cells(row, now)

    def parse(self, text: str) -> PodFilter | None:
        return parse_filter(text, self.counts)

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
        full, filtered = self.full, self.filtered
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
        self._settle()
        self._show_summary()
        return bool(self._pending)

    def set_multi_context(self, multi: bool) -> None:
        if multi == self.multi_context:
            return
        self.multi_context = multi
        for table in (self.full, self.filtered):
            table.set_columns(self.columns())
        self._label_sort_column()
        # Every row is written again, in chunks, at the next flushes.
        self._pending = dict(self.rows)
        if self.filter is not None:
            self._fill_filtered()

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): every row is written again, at once."""
        self._pending = dict(self.rows)
        self.flush(chunk=len(self.rows) + 1)

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

    # -- summary -----------------------------------------------------------------------------

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
        self._append_filter(line)
        return line


def _label_rank(label: str) -> int:
    return 2 if label == "NotReady" else status_rank(label)


def _summary_order(item: tuple[str, int]) -> tuple[Any, ...]:
    # Running first (the baseline), then the problems, worst first, then the rest.
    label, count = item
    return (label != "Running", _label_rank(label), -count, label)
