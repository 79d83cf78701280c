"""The Pods pane: pods, events and workloads of the clusters in view, live.

It renders what `KubeUpdated` carries (only what changed: rows by key) and says
plainly what `KubeUnavailable` reports. Everything an operator asks for (logs,
a restart, a scale, a detail view) is a request posted upward
(`widgets.kube_requests`): the app checks read-only mode, confirms, calls the
API and records the outcome. The pane never talks to a cluster.

Updates are noted as messages arrive and written to the tables in one batch:
at once after a quiet spell, then at most every `flush_seconds` (0.5 s) while
updates keep coming. Every write makes Textual's DataTable repaint all its
visible cells (about 50 ms at 160x48 on a small VM), so a burst of updates
costs one repaint and at most one sort, not one per message; what the
operator types is not queued behind a stream of repaints.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable

from tui.messages import KubeUnavailable, KubeUpdated
from tui.safetext import screen_clean, screen_line
from tui.sources.kube.rows import DeploymentRow, PodRow
from tui.sources.kube.watch import WatchState
from widgets.events_view import EventsView
from widgets.filtered_table_view import FilterSortKeys
from widgets.keyed_table import KeyedTable
from widgets.kube_requests import (
    DELETE_POD,
    RESTART,
    SCALE,
    UNDO,
    ActionRequested,
    DetailRequested,
    DrillRequested,
    LogsRequested,
    SwitchRequested,
    YamlRequested,
)
from widgets.pane import Pane
from widgets.pods_view import PodsView
from widgets.unavailable_pane import PaneMessage
from widgets.workloads_view import WorkloadsView

VIEWS = ("pods", "events", "workloads")
CONNECTING = "connecting to Kubernetes…"
DRILL_OFFER = "Press D to start a drill cluster (a practice Kubernetes on this machine)"

# Which watch trouble to show when several watches have some: the worst.
STATE_SEVERITY = {"error": 0, "unauthorized": 1, "forbidden": 2, "reconnecting": 3,
                  "connecting": 4, "live": 9}  # fmt: skip
STATE_STYLES = {"error": "bold red", "unauthorized": "bold red", "forbidden": "bold red",
                "reconnecting": "yellow", "connecting": "dim", "live": "green"}  # fmt: skip

# The actions each view offers (keys of other views are hidden, not just inert).
POD_ACTIONS = {"detail", "yaml", "logs", "restart", "undo", "scale", "scale_to", "delete_pod",
               "filter", "sort", "reverse_sort"}  # fmt: skip
WORKLOAD_ACTIONS = {"detail", "yaml", "logs", "restart", "undo", "scale", "scale_to"}
EVENT_ACTIONS = {"detail", "yaml", "toggle_warnings"}
DEPLOYMENT_ACTIONS = {"logs", "restart", "undo", "scale", "scale_to"}


def connection_text(
    states: Sequence[WatchState] | None,
    metrics_problems: Mapping[str, str] | None,
    now: float | None = None,
) -> Text:
    """'live', or the worst watch's trouble, plus metrics trouble: the border's subtitle."""
    text = Text()
    if not states:
        text.append("connecting…", "dim")
    else:
        troubled = sorted(
            (s for s in states if not s.healthy), key=lambda s: STATE_SEVERITY.get(s.status, 3)
        )
        if not troubled:
            text.append("live", "green")
        else:
            worst = troubled[0]
            text.append(screen_line(worst.describe(now), max_chars=100),
                        STATE_STYLES.get(worst.status, "yellow"))  # fmt: skip
            if len(troubled) > 1:
                text.append(f" (+{len(troubled) - 1} more)", "dim")
    problems = {c: p for c, p in (metrics_problems or {}).items() if p}
    for context, problem in sorted(problems.items()):
        where = f" ({context})" if len(problems) > 1 else ""
        problem = problem.removeprefix("metrics: ")
        text.append(f" · metrics{where}: ", "dim")
        text.append(screen_line(problem, max_chars=100), "yellow")
    return text


class PodsPane(FilterSortKeys, Pane):
    BINDINGS = [
        Binding("enter", "detail", "Detail", show=False, id="pods.detail",
                tooltip="Details of the selected row: containers, conditions, events, owners"),
        Binding("l", "logs(False)", "Logs", id="pods.logs",
                tooltip="Follow the selected pod's logs in the Logs pane (a deployment's: all"
                        " its pods merged)"),
        Binding("p", "logs(True)", "Prev logs", show=False, id="pods.previous_logs",
                tooltip="Logs of the selected pod's previous (crashed) container"),
        Binding("r", "restart", "Restart", id="pods.restart",
                tooltip="Rollout restart of the selected deployment (or the pod's workload)"),
        Binding("u", "undo", "Undo", id="pods.undo",
                tooltip="Roll the deployment back to a revision you choose"),
        Binding("plus", "scale(1)", "Scale", id="pods.scale_up",
                tooltip="Scale the deployment up by one replica"),
        Binding("minus", "scale(-1)", "Scale down", show=False, id="pods.scale_down",
                tooltip="Scale the deployment down by one replica"),
        Binding("equals_sign", "scale_to", "Scale to", show=False, id="pods.scale_to",
                tooltip="Scale the deployment to a number of replicas"),
        Binding("ctrl+d", "delete_pod", "Delete pod", show=False, id="pods.delete",
                tooltip="Delete the selected pod (its controller replaces it)"),
        Binding("y", "yaml", "YAML", id="pods.yaml", tooltip="The selected object as YAML"),
        # Priority: handled as the key arrives, so what is typed right after it goes
        # into the field even when it was queued behind the "/" (filtered_table_view).
        Binding("slash", "filter", "Filter", id="pods.filter", priority=True,
                tooltip="Filter pods: name, label=value, or status (e.g. CrashLoopBackOff)"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="pods.clear_filter",
                tooltip="Clear the pod filter"),
        Binding("o", "sort", "Sort", id="pods.sort", tooltip="Sort pods by the next column"),
        Binding("O", "reverse_sort", "Reverse", show=False, id="pods.reverse_sort",
                tooltip="Reverse the sort order"),
        Binding("v", "cycle_view", "View", id="pods.view",
                tooltip="Switch view: pods, events, workloads (deployments, HPAs, nodes)"),
        Binding("w", "toggle_warnings", "Warnings/all", id="pods.warnings",
                tooltip="Events: warnings only, or every event"),
        Binding("c", "switch('context')", "Contexts", show=False, id="pods.contexts",
                tooltip="Choose the Kubernetes contexts in view"),
        Binding("N", "switch('namespace')", "Namespace", show=False, id="pods.namespace",
                tooltip="Choose the namespace in view (or all)"),
        Binding("D", "drill", "Drill cluster", id="pods.drill",
                tooltip="Start a drill cluster (a practice Kubernetes on this machine)"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    PodsPane ContentSwitcher { height: 1fr; }
    PodsPane ContentSwitcher > * { height: 1fr; }
    PodsPane.-trouble { border: round $error; }
    """

    def __init__(
        self,
        number: int,
        *,
        id: str = "pods",
        clock: Callable[[], datetime] | None = None,
        tick_seconds: float = 5.0,
        flush_seconds: float = 0.5,
        event_limit: int = 1000,
    ) -> None:
        super().__init__("Pods", number, id=id)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tick_seconds = tick_seconds
        self._flush_seconds = flush_seconds
        self._last_settle = -flush_seconds
        # Kept by reference: every update reaches them, no need to search the DOM each time.
        self.pods = PodsView(self._clock)
        self.events = EventsView(self._clock, limit=event_limit)
        self.workloads = WorkloadsView()
        self.view = "pods"
        self.connected = False
        self.drill_offered = False
        self._states: list[WatchState] | None = None
        self._metrics_problems: dict[str, str] | None = None
        self._settle_pending = False
        self._loading = False  # a chunked load is under way
        self.border_title = f"{number} Pods · pods"

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="message-view"):
            yield PaneMessage(Text(CONNECTING, style="dim"), id="message-view")
            yield self.pods
            yield self.events
            yield self.workloads

    def on_mount(self) -> None:
        self.border_subtitle = Text("connecting…", style="dim")
        # Ages keep moving, and a reconnect countdown keeps counting.
        self.set_interval(self._tick_seconds, self._tick)

    # -- parts -------------------------------------------------------------------------

    @property
    def focus_target(self) -> Widget:
        if not self.connected:
            return self.query_one("#message-view", PaneMessage)
        if self.view == "pods":
            return self.pods.table
        if self.view == "events":
            return self.events.table
        return self.workloads.focus_target

    @property
    def selected_row(self) -> Any:
        """The row the cursor is on in the current view (PodRow, EventRow, DeploymentRow…)."""
        if not self.connected:
            return None
        if self.view == "pods":
            return self.pods.selected_row
        if self.view == "events":
            return self.events.selected_row
        return self.workloads.selected_row

    # -- messages from the app ---------------------------------------------------------------

    def on_kube_updated(self, message: KubeUpdated) -> None:
        delta = message.delta
        multi = len(message.contexts) > 1
        with self.app.batch_update():
            if not self.connected:
                self._show_view(connected=True)
            self.pods.set_multi_context(multi)
            self.events.set_multi_context(multi)
            self.workloads.set_multi_context(multi)
            self.pods.apply(delta.pods.updated, delta.pods.removed)
            self.events.apply(delta.events.updated, delta.events.removed)
            self.workloads.apply("deployments", delta.deployments.updated,
                                 delta.deployments.removed)  # fmt: skip
            self.workloads.apply("hpas", delta.hpas.updated, delta.hpas.removed)
            self.workloads.apply("nodes", delta.nodes.updated, delta.nodes.removed)
            if delta.states is not None:
                self._states = delta.states
                # Once a pods watch has an answer (a list, or a refusal), "0 pods" is true.
                pods = [s for s in delta.states if s.scope.kind.plural == "pods"]
                if any(s.status != "connecting" for s in pods):
                    self.pods.waiting = False
            if delta.metrics_problems is not None:
                self._metrics_problems = delta.metrics_problems
            self._show_connection()
        self._schedule_settle()

    def on_kube_unavailable(self, message: KubeUnavailable) -> None:
        self.drill_offered = message.offer_drill
        text = Text()
        text.append("Kubernetes: not connected\n\n", "bold yellow")
        text.append(screen_clean(message.reason, max_chars=2000))
        if message.offer_drill:
            text.append("\n\n")
            text.append(DRILL_OFFER, "bold")
        self.query_one("#message-view", PaneMessage).update(text)
        self._show_view(connected=False)
        self.border_subtitle = Text("not connected", style="bold yellow")
        self.add_class("-trouble")

    # -- settling ------------------------------------------------------------------------

    def _schedule_settle(self) -> None:
        """Write to the tables at once after a quiet spell, then at most every `flush_seconds`."""
        if self._settle_pending:
            return
        self._settle_pending = True
        delay = self._last_settle + self._flush_seconds - time.monotonic()
        if delay > 0:
            self.set_timer(delay, self._settle)
        else:
            self.call_later(self._settle)

    def _settle(self) -> None:
        self._settle_pending = False
        self._last_settle = time.monotonic()
        with self.app.batch_update():
            more = self.pods.flush()
            self.workloads.flush()
            if self.view == "events":
                self.events.settle()
        if more:
            # A large first list goes in by chunks, one per frame, so keys still work.
            self._settle_pending = True
            self._loading = True
            self.call_after_refresh(self._settle)
        elif self._loading:
            self._loading = False
            # Thousands of long-lived rows just went in. Python's full collection walks
            # every tracked object (about 100 ms with 5,000 pods here), stalling a key
            # now and then; frozen objects are skipped by it and still freed when their
            # last reference goes.
            gc.freeze()

    def _tick(self) -> None:
        if not self.connected:
            return
        with self.app.batch_update():
            if self.view == "pods":
                self.pods.tick()
            elif self.view == "events":
                self.events.tick()
            self._show_connection()

    def _show_connection(self) -> None:
        text = connection_text(self._states, self._metrics_problems)
        # Setting the subtitle repaints the whole pane: only when it reads differently.
        shown = self._border_subtitle
        if shown is None or shown.plain != text.plain:
            self.border_subtitle = text
        trouble = any(
            s.status in ("error", "unauthorized", "forbidden") for s in self._states or ()
        )
        self.set_class(trouble, "-trouble")

    # -- views -------------------------------------------------------------------------------

    def _show_view(self, *, connected: bool | None = None) -> None:
        had_focus = self.has_focus_within
        if connected is not None:
            self.connected = connected
        switcher = self.query_one(ContentSwitcher)
        switcher.current = f"{self.view}-view" if self.connected else "message-view"
        self.border_title = f"{self.number} Pods · {self.view}"
        if self.connected and self.view == "events":
            self.events.settle()
        elif self.connected and self.view == "pods":
            self.pods.tick()  # ages went stale while another view was shown
        if had_focus:
            self.focus_target.focus()
        self.refresh_bindings()

    def action_cycle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self._show_view()

    def on_descendant_focus(self) -> None:
        # The workloads' actions depend on which section has the cursor.
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "drill":
            return not self.connected and self.drill_offered
        if action == "switch":
            return True
        if not self.connected:
            return False
        if action == "cycle_view":
            return True
        if action == "clear_filter":
            return self.view == "pods" and (self.pods.filtering or self.pods.filter is not None)
        if action == "filter" and self.pods.filtering:
            return False  # typing in the field: "/" is a character
        if self.view == "pods":
            return action in POD_ACTIONS
        if self.view == "events":
            return action in EVENT_ACTIONS
        if action in DEPLOYMENT_ACTIONS:
            return self.workloads.current == "deployments"
        return action in WORKLOAD_ACTIONS

    # -- requests to the app -------------------------------------------------------------------

    def action_detail(self) -> None:
        if (row := self.selected_row) is not None:
            self.post_message(DetailRequested(row))

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        # Enter on a row is the table's own binding: it means "show me this".
        message.stop()
        if isinstance(message.data_table, KeyedTable):
            message.data_table.select(str(message.row_key.value))
            self.action_detail()

    def action_yaml(self) -> None:
        if (row := self.selected_row) is not None:
            self.post_message(YamlRequested(row))

    def action_logs(self, previous: bool) -> None:
        row = self.selected_row
        if isinstance(row, PodRow) or (isinstance(row, DeploymentRow) and not previous):
            self.post_message(LogsRequested(row, previous=previous))

    def _workload_row(self) -> PodRow | DeploymentRow | None:
        # From the Pods view the app resolves the pod's workload; from Workloads, a deployment.
        row = self.selected_row
        return row if isinstance(row, PodRow | DeploymentRow) else None

    def action_restart(self) -> None:
        if (row := self._workload_row()) is not None:
            self.post_message(ActionRequested(RESTART, row))

    def action_undo(self) -> None:
        if (row := self._workload_row()) is not None:
            self.post_message(ActionRequested(UNDO, row))

    def action_scale(self, amount: int) -> None:
        if (row := self._workload_row()) is not None:
            self.post_message(ActionRequested(SCALE, row, amount))

    def action_scale_to(self) -> None:
        if (row := self._workload_row()) is not None:
            self.post_message(ActionRequested(SCALE, row, None))

    def action_delete_pod(self) -> None:
        if isinstance(row := self.selected_row, PodRow):
            self.post_message(ActionRequested(DELETE_POD, row))

    def action_switch(self, what: str) -> None:
        self.post_message(SwitchRequested(what))

    def action_drill(self) -> None:
        if self.drill_offered and not self.connected:
            self.post_message(DrillRequested())

    # -- pods view keys (filter and sort: FilterSortKeys) ------------------------------------

    @property
    def filtered_view(self) -> PodsView:
        return self.pods

    def action_toggle_warnings(self) -> None:
        self.events.toggle_warnings()
