"""The Ingress pane's "ingresses" view: one row per ingress, the selected one in detail.

The table shows every ingress in view, broken ones first; below it, the
selected ingress in full: its findings with the runbook for each, rules, TLS,
annotations, and the live checks of its hosts. Enter moves into the detail
(to scroll it), Escape back to the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from tui.sources.kube.cache import Key
from tui.sources.kube.ingress import IngressRow
from widgets.ingress_text import (
    INGRESS_COLUMNS,
    ingress_cells,
    ingress_detail,
    ingress_order,
    pair_hosts,
)
from widgets.keyed_table import KeyedTable
from widgets.pods_view import row_id

if TYPE_CHECKING:
    from tui.sources.probe_hosts import HostReport


class IngressDetail(VerticalScroll):
    """The selected ingress in full; scrolls with the arrows once focused."""

    BINDINGS = [
        Binding("escape", "back", "Back", show=False, id="ingress.back",
                tooltip="Back to the ingress list"),
    ]  # fmt: skip

    def action_back(self) -> None:
        self.parent_view.table.focus()

    @property
    def parent_view(self) -> IngressesView:
        return self.query_ancestor(IngressesView)


class IngressesView(Vertical):
    DEFAULT_CSS = """
    IngressesView #ingress-table { height: auto; max-height: 40%; overflow-x: hidden; }
    IngressesView #ingress-detail { height: 1fr; padding: 0 1; }
    IngressesView #ingress-detail:focus { background: $boost; }
    """

    def __init__(self, *, id: str = "ingresses-view") -> None:
        super().__init__(id=id)
        self.rows: dict[str, IngressRow] = {}
        self.reports: Mapping[str, HostReport] = {}
        self.skipped: Mapping[str, str] = {}
        self.pairs: Sequence[Any] = ()
        self.multi_context = False
        # Shown in place of the detail while there is no ingress to show.
        self.message: Text = Text("connecting to Kubernetes…", style="dim")
        self.note = ""  # what could not be judged, and why
        self.table = KeyedTable(INGRESS_COLUMNS, id="ingress-table")
        self.detail_text = Static(id="ingress-detail-text")
        self._shown: Text | None = None

    def compose(self) -> ComposeResult:
        yield self.table
        with IngressDetail(id="ingress-detail"):
            yield self.detail_text

    @property
    def detail(self) -> IngressDetail:
        return self.query_one(IngressDetail)

    @property
    def selected_row(self) -> IngressRow | None:
        key = self.table.selected_key
        return None if key is None else self.rows.get(key)

    def host_findings(self, row: IngressRow) -> list[Any]:
        found = [f for host in row.hosts if (r := self.reports.get(host)) for f in r.findings]
        found += [f for f in self.pairs if pair_hosts(f.subject) & set(row.hosts)]
        return found

    # -- updates -------------------------------------------------------------------------

    def set_multi_context(self, multi: bool) -> None:
        if multi != self.multi_context:
            self.multi_context = multi
            self._put_all()

    def apply(self, updated: Mapping[Key, IngressRow], removed: Iterable[Key]) -> None:
        for key in removed:
            rid = row_id(key)
            if self.rows.pop(rid, None) is not None:
                self.table.drop(rid)
        for key, row in updated.items():
            rid = row_id(key)
            self.rows[rid] = row
            self._put(rid, row)
        self.table.settle()
        self.show_detail()

    def hosts_checked(
        self, reports: Mapping[str, HostReport], skipped: Mapping[str, str], pairs: Sequence[Any]
    ) -> None:
        self.reports, self.skipped, self.pairs = reports, skipped, pairs
        self._put_all()

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): rows and the detail are written again."""
        self._put_all()

    def _put(self, rid: str, row: IngressRow) -> None:
        extra = self.host_findings(row)
        self.table.put(rid, ingress_cells(row, extra, self.multi_context),
                       ingress_order(row, extra))  # fmt: skip

    def _put_all(self) -> None:
        for rid, row in self.rows.items():
            self._put(rid, row)
        self.table.settle()
        self.show_detail()

    def show_detail(self) -> None:
        row = self.selected_row
        if row is None:
            text = self.message if not self.rows else Text("Select an ingress.", style="dim")
        else:
            text = ingress_detail(
                row, self.reports, self.skipped, self.pairs,
                multi_context=self.multi_context, unjudged_note=self._unjudged(row),
            )  # fmt: skip
        # Rewriting the same text would repaint and reset nothing useful.
        if self._shown is None or self._shown != text or self._shown.spans != text.spans:
            self._shown = text
            self.detail_text.update(text)

    def _unjudged(self, row: IngressRow) -> str:
        if not row.unjudged:
            return ""
        return self.note or f"not judged yet: {', '.join(sorted(row.unjudged))}"

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self.show_detail()

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        # Enter on a row: read (scroll) its detail.
        message.stop()
        self.detail.focus()
