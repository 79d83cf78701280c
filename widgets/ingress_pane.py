"""The Ingress pane: ingresses with their findings and host checks, and URL probes.

Two views, switched with `v`:

- ingresses: every ingress in view (from `KubeUpdated`'s ingress rows), broken
  first, the selected one in detail with the live DNS/TLS/HTTP checks of its
  hosts (`HostsChecked`);
- probes: the configured health URLs (`ProbesUpdated`) and Prometheus
  (`PrometheusPolled`).

The pane renders what messages carry. Opening a finding's runbook and checking
again now are requests posted to the app; the pane never talks to a network.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import ContentSwitcher

from tui.messages import (
    HostsChecked,
    KubeUnavailable,
    KubeUpdated,
    ProbesUpdated,
    PrometheusPolled,
)
from tui.safetext import screen_clean, screen_line
from tui.sources.kube.watch import WatchState
from widgets.ingress_probes import ProbesView
from widgets.ingress_text import runbook_for_probe
from widgets.ingress_view import IngressesView
from widgets.pane import Pane

VIEWS = ("ingresses", "probes")
# Watches the findings cannot do without; cert-manager's kinds are optional.
REQUIRED = ("ingresses", "services", "endpoints")
OPTIONAL = ("certificates", "challenges")
STATE_ORDER = {"error": 0, "unauthorized": 1, "forbidden": 2, "reconnecting": 3,
               "connecting": 4, "live": 9}  # fmt: skip
STATE_STYLES = {"error": "bold red", "unauthorized": "bold red", "forbidden": "bold red",
                "reconnecting": "yellow", "connecting": "dim", "live": "green"}  # fmt: skip


TROUBLE = ("error", "unauthorized", "forbidden")


def edge_status(states: Sequence[WatchState] | None) -> tuple[Text, str]:
    """The subtitle for the watches behind the ingresses, and a note on what is not judged."""
    if not states:
        return Text("connecting…", style="dim"), ""
    required = [s for s in states if s.scope.kind.plural in REQUIRED and not s.healthy]
    text = Text()
    if required:
        worst = min(required, key=lambda s: STATE_ORDER.get(s.status, 3))
        text.append(screen_line(worst.describe(), max_chars=100),
                    STATE_STYLES.get(worst.status, "yellow"))  # fmt: skip
    else:
        text.append("live", "green")
    optional = [s for s in states if s.scope.kind.plural in OPTIONAL and not s.healthy]
    note = ""
    if any(s.reason == "notfound" for s in optional):
        note = "cert-manager is not installed here: no Certificate or ACME challenge checks"
    elif optional:
        note = (
            f"cert-manager objects unreadable ({optional[0].describe()}):"
            " no Certificate or ACME challenge checks"
        )
    if note and states:
        text.append(" · cert-manager: ", "dim")
        text.append("absent" if "not installed" in note else "unreadable", "yellow")
    return text, note


class IngressPane(Pane):
    BINDINGS = [
        Binding("v", "cycle_view", "View", id="ingress.view",
                tooltip="Switch view: ingresses (rules, TLS, findings, host checks) or probes"
                        " (health URLs, Prometheus)"),
        Binding("b", "runbook", "Runbook", id="ingress.runbook",
                tooltip="Open the runbook for the selected ingress's (or probe's) worst finding"),
        Binding("r", "recheck", "Recheck", id="ingress.recheck",
                tooltip="Check again now: the selected ingress's hosts, or every probe"),
        Binding("enter", "details", "Details", show=False, id="ingress.details",
                tooltip="Move into the selected ingress's details to scroll them"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    IngressPane ContentSwitcher { height: 1fr; }
    IngressPane ContentSwitcher > * { height: 1fr; }
    IngressPane.-trouble { border: round $error; }
    """

    class RunbookRequested(Message):
        """Open this runbook (a bundled runbook's name) because of `reason`."""

        def __init__(self, runbook: str, reason: str) -> None:
            super().__init__()
            self.runbook = runbook
            self.reason = reason

    class RecheckRequested(Message):
        """Check these hosts now (the ingresses view), or every probe (`probes`)."""

        def __init__(self, hosts: tuple[str, ...], *, probes: bool) -> None:
            super().__init__()
            self.hosts = hosts
            self.probes = probes

    def __init__(
        self,
        number: int,
        *,
        id: str = "ingress",
        clock: Callable[[], datetime] | None = None,
        tick_seconds: float = 1.0,
    ) -> None:
        super().__init__("Ingress", number, id=id)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tick_seconds = tick_seconds
        self.ingresses = IngressesView()
        self.probes = ProbesView(self._clock)
        self.view = "ingresses"
        self._edge: Text = Text("connecting…", style="dim")
        self._trouble = False  # a watch the findings need is refused
        self.border_title = f"{number} Ingress · ingresses"

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="ingresses-view"):
            yield self.ingresses
            yield self.probes

    def on_mount(self) -> None:
        self._show_status()
        self.set_interval(self._tick_seconds, self._tick)

    @property
    def focus_target(self) -> Widget:
        return self.ingresses.table if self.view == "ingresses" else self.probes.table

    # -- messages from the app ---------------------------------------------------------

    def on_kube_updated(self, message: KubeUpdated) -> None:
        delta = message.delta
        if not delta.ingresses and delta.edge_states is None:
            return
        with self.app.batch_update():
            view = self.ingresses
            view.set_multi_context(len(message.contexts) > 1)
            if delta.edge_states is not None:
                self._edge, view.note = edge_status(delta.edge_states)
                self._trouble = any(
                    s.status in TROUBLE for s in delta.edge_states
                    if s.scope.kind.plural in REQUIRED
                )  # fmt: skip
                if any(s.healthy for s in delta.edge_states if s.scope.kind.plural == "ingresses"):
                    where = ", ".join(message.contexts)
                    view.message = Text(f"No ingresses in view ({where}).", style="dim")
            view.apply(delta.ingresses.updated, delta.ingresses.removed)
            self._show_status()

    def on_kube_unavailable(self, message: KubeUnavailable) -> None:
        text = Text()
        text.append("Kubernetes: not connected\n\n", "bold yellow")
        text.append(screen_clean(message.reason, max_chars=2000))
        text.append("\n\nURL probes and Prometheus still work: press v.", "dim")
        self.ingresses.message = text
        self.ingresses.show_detail()
        self._edge = Text("not connected", style="bold yellow")
        self._trouble = False
        self._show_status()

    def on_probes_updated(self, message: ProbesUpdated) -> None:
        self.probes.update(message.states, message.configured)
        self._show_status()

    def on_hosts_checked(self, message: HostsChecked) -> None:
        self.ingresses.hosts_checked(message.reports, message.skipped, message.pairs)
        self._show_status()

    def on_prometheus_polled(self, message: PrometheusPolled) -> None:
        self.probes.show_prometheus(message.url, message.results)

    # -- status ------------------------------------------------------------------------

    def _show_status(self) -> None:
        text = self._edge.copy()
        rows = self.ingresses.rows.values()
        if rows:
            broken = sum(1 for r in rows if r.worst == "error" or any(
                f.severity == "error" for f in self.ingresses.host_findings(r)))  # fmt: skip
            text.append(f" · {len(rows)} ingress{'es' * (len(rows) != 1)}", "dim")
            if broken:
                text.append(f" · {broken} broken", "bold red")
        if self.probes.states:
            down = self.probes.down
            text.append(f" · {len(self.probes.states)} probes", "dim")
            if down:
                text.append(f" · {down} down", "bold red")
        shown = self._border_subtitle
        if shown is None or shown.plain != text.plain:
            self.border_subtitle = text
        self.set_class(self._trouble, "-trouble")

    def _tick(self) -> None:
        if self.view == "probes" and self.probes.states:
            self.probes.tick()

    # -- views -------------------------------------------------------------------------

    def action_cycle_view(self) -> None:
        had_focus = self.has_focus_within
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.query_one(ContentSwitcher).current = f"{self.view}-view"
        self.border_title = f"{self.number} Ingress · {self.view}"
        if self.view == "probes":
            self.probes.tick()
        if had_focus:
            self.focus_target.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "details":
            return self.view == "ingresses" and self.ingresses.selected_row is not None
        if action == "runbook":
            return self._runbook() is not None
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    # -- requests to the app -----------------------------------------------------------

    def _runbook(self) -> tuple[str, str] | None:
        if self.view == "probes":
            state = self.probes.selected
            runbook = runbook_for_probe(state) if state is not None else None
            return (runbook, state.last_error or state.explanation) if runbook and state else None
        row = self.ingresses.selected_row
        if row is None:
            return None
        for finding in [*row.findings, *self.ingresses.host_findings(row)]:
            if finding.runbook:
                return finding.runbook, finding.text
        return None

    def action_runbook(self) -> None:
        found = self._runbook()
        if found is not None:
            self.post_message(self.RunbookRequested(*found))

    def action_recheck(self) -> None:
        if self.view == "probes":
            self.post_message(self.RecheckRequested((), probes=True))
            return
        row = self.ingresses.selected_row
        if row is not None:
            self.post_message(self.RecheckRequested(row.hosts, probes=False))

    def action_details(self) -> None:
        if self.view == "ingresses" and self.ingresses.selected_row is not None:
            self.ingresses.detail.focus()
