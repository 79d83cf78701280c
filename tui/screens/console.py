"""The console: banner, six panes in a grid (tabs on small terminals), footer.

This screen owns layout and focus only: which pane is active, zoom, the switch
between the grid and tabs. What the keys *do* to the incident is the app's job
(`WarRoomApp.record_*`), so the same actions serve the bindings and the command
palette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen

from widgets.banner import IncidentBanner
from widgets.key_bar import KeyBar
from widgets.pane import Pane
from widgets.pending_pane import PendingPane

if TYPE_CHECKING:
    # The tab bar loads only on a small terminal.
    from textual.widgets import Tabs

# Below this size six panes are unreadable: show one pane at a time, with tabs.
NARROW_WIDTH = 120
NARROW_HEIGHT = 32

PANE_ORDER = ("pods", "ingress", "host", "logs", "runbook", "timeline")
PANE_TITLES = {"pods": "Pods", "ingress": "Ingress", "host": "Host", "logs": "Logs",
               "runbook": "Runbook", "timeline": "Timeline"}  # fmt: skip

# Panes without a source yet: (title, headline, detail).
UNAVAILABLE: dict[str, tuple[str, str, str]] = {}


class ConsoleScreen(Screen[None]):
    BINDINGS = [
        Binding("tab", "cycle_pane(1)", "Next pane", show=False, priority=True,
                id="console.next_pane"),
        Binding("shift+tab", "cycle_pane(-1)", "Previous pane", show=False, priority=True,
                id="console.previous_pane"),
        *(
            Binding(str(number), f"focus_pane({number})", f"Focus pane {number}", show=False,
                    id=f"console.pane_{number}")
            for number in range(1, len(PANE_ORDER) + 1)
        ),
        Binding("z", "zoom", "Zoom", tooltip="Zoom the focused pane to full screen, and back",
                id="console.zoom"),
        Binding("P", "app.toggle_present", "Present", show=False,
                tooltip="Presentation mode: high contrast, large banner, redaction on; and back",
                id="console.present"),
        Binding("X", "app.toggle_redaction", "Redact", show=False,
                tooltip="Mask secrets on screen (tokens, passwords, keys); and back",
                id="console.redact"),
        Binding("C", "swap_pane_one", "Pods/Containers", show=False, id="console.containers",
                tooltip="Pane 1: switch between Pods (Kubernetes) and Containers (docker,"
                        " podman)"),
        Binding("n", "app.add_note", "Note", tooltip="Add a note to the timeline",
                id="incident.note"),
        Binding("s", "app.change_status", "Status",
                tooltip="Change status: investigating, identified, monitoring, resolved",
                id="incident.status"),
        Binding("S", "app.change_severity", "Severity", tooltip="Change severity (P0 … P3)",
                id="incident.severity"),
        Binding("a", "app.acknowledge", "Ack",
                tooltip="Acknowledge: you own the response; stops the response clock",
                id="incident.acknowledge"),
        Binding("M", "app.mark_milestone", "Milestone",
                tooltip="Mark a milestone (impact started, detected, mitigated…), now or backdated",
                id="incident.milestone"),
        # The incident process. Panes that use u or t themselves (Pods: undo, Logs:
        # timestamps) keep them while focused; the palette has these everywhere.
        Binding("u", "app.status_update", "Update", show=False,
                tooltip="Compose a status update from the template; post, copy or save it",
                id="incident.status_update"),
        Binding("t", "app.add_todo", "TODO", show=False,
                tooltip="Add an action item (TODO) for the postmortem", id="incident.todo"),
        Binding("R", "app.assign_roles", "Roles", show=False,
                tooltip="Name the commander, scribe, comms and subject experts",
                id="incident.roles"),
        Binding("E", "app.escalate", "Escalate", show=False,
                tooltip="Record an escalation: L1 on-call, L2 team lead, L3 infrastructure lead",
                id="incident.escalate"),
        Binding("Z", "app.snooze_update", "Snooze", show=False,
                tooltip="Put the status-update reminder off a few minutes",
                id="incident.snooze"),
        Binding("question_mark", "app.help", "Help", tooltip="Show every key", id="app.help"),
        Binding("q", "app.quit", "Quit",
                tooltip="Quit (everything is already saved in the incident file)", id="app.quit"),
    ]  # fmt: skip

    ALLOW_IN_MAXIMIZED_VIEW = "IncidentBanner, KeyBar"
    # Focus is placed by `activate_pane`, not on whichever widget comes first.
    AUTO_FOCUS = None

    DEFAULT_CSS = """
    ConsoleScreen #panes {
        layout: grid;
        grid-size: 3 2;
        /* Pods and Logs (left) need the most width: tables and log lines. */
        grid-columns: 3fr 2fr 2fr;
        height: 1fr;
    }
    ConsoleScreen #pane-tabs { display: none; height: 2; }
    ConsoleScreen.-narrow #pane-tabs { display: block; }
    ConsoleScreen.-narrow #panes { layout: vertical; }
    ConsoleScreen.-narrow Pane { display: none; }
    ConsoleScreen.-narrow Pane.-active { display: block; }
    /* Pane 1 shows Pods or Containers; the other waits hidden (an id outranks -active). */
    ConsoleScreen #panes Pane.-swapped-out { display: none; }
    """

    def __init__(self, *, timeline_limit: int = 2000, log_capacity: int = 20_000) -> None:
        super().__init__()
        self._timeline_limit = timeline_limit
        self._log_capacity = log_capacity
        self.active_pane_id = "host"
        self.banner = IncidentBanner(id="banner")
        self.pane_one = "pods"  # or "containers"
        self.pane_one_chosen = False  # the operator switched pane 1 (C): never switch it back
        self._hydrated = False

    def compose(self) -> ComposeResult:
        # Decide grid or tabs before the first layout: switching a class on a
        # mounted screen restyles every widget, which costs start-up time.
        self._apply_size(self.app.size.width, self.app.size.height)
        yield self.banner
        if self.narrow:
            yield self._make_tabs()
        with Container(id="panes"):
            # Frames only: the real panes come right after the first frame (hydrate).
            for number, pane_id in enumerate(PANE_ORDER, start=1):
                yield PendingPane(PANE_TITLES[pane_id], number, id=pane_id)
        yield KeyBar()

    def _make_tabs(self) -> Tabs:
        # Built only when the terminal is small: a wide console never pays for it.
        from textual.widgets import Tab, Tabs

        return Tabs(
            *(Tab(f"{n} {self._title_of(pane_id)}", id=f"tab-{pane_id}")
              for n, pane_id in enumerate(PANE_ORDER, start=1)),
            id="pane-tabs",
        )  # fmt: skip

    def _title_of(self, pane_id: str) -> str:
        return "Containers" if self._occupant(pane_id) == "containers" else PANE_TITLES[pane_id]

    def _make_pane(self, pane_id: str, number: int) -> Pane:
        # Imported here: loading the panes' modules is most of the console's start-up
        # cost, paid after the first frame is on screen.
        if pane_id == "host":
            from widgets.host_pane import HostPane

            return HostPane(number, id=pane_id)
        if pane_id == "pods":
            from widgets.pods_pane import PodsPane

            return PodsPane(number, id=pane_id)
        if pane_id == "ingress":
            from widgets.ingress_pane import IngressPane

            return IngressPane(number, id=pane_id)
        if pane_id == "logs":
            from widgets.logs_pane import LogsPane

            return LogsPane(number, capacity=self._log_capacity, id=pane_id)
        if pane_id == "timeline":
            from widgets.timeline_pane import TimelinePane

            return TimelinePane(number, limit=self._timeline_limit, id=pane_id)
        if pane_id == "runbook":
            from widgets.runbook_pane import RunbookPane

            return RunbookPane(number, id=pane_id)
        from widgets.unavailable_pane import UnavailablePane

        title, headline, detail = UNAVAILABLE[pane_id]
        return UnavailablePane(title, number, id=pane_id, headline=headline, detail=detail)

    @property
    def hydrated(self) -> bool:
        """Whether the real panes have replaced the first frame's placeholders."""
        return self._hydrated

    async def hydrate(self) -> None:
        """Replace the placeholder frames with the real panes, in one screen update."""
        if self._hydrated:
            return
        container = self.query_one("#panes")
        pending = list(container.query_children(PendingPane))
        real = [self._make_pane(pane.id or "", pane.number) for pane in pending]
        for placeholder, pane in zip(pending, real, strict=True):
            for state in ("-active", "-swapped-out"):
                pane.set_class(placeholder.has_class(state), state)
        with self.app.batch_update():
            await container.remove_children(pending)
            await container.mount_all(real)
            # Pane 1's Containers, if the operator swapped to it already, stays by Pods.
            for containers in container.query_children("#containers"):
                container.move_child(containers, after=self.pane("pods"))
            self._hydrated = True
        self.activate_pane(self.active_pane_id)

    class Ready(Message):
        """The console's widgets exist: the app can fill them in."""

    def on_mount(self) -> None:
        self.post_message(self.Ready())
        self.call_after_refresh(self.activate_pane, self.active_pane_id)

    def on_resize(self, event: events.Resize) -> None:
        self._apply_size(event.size.width, event.size.height)

    def _apply_size(self, width: int, height: int) -> None:
        narrow = width < NARROW_WIDTH or height < NARROW_HEIGHT
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
        if narrow and self.is_mounted and not self.query("#pane-tabs"):
            self.mount(self._make_tabs(), after="#banner")
            self.call_after_refresh(self._show_tab, self.active_pane_id)

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    # -- panes and focus -----------------------------------------------------------

    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#{pane_id}", Pane)

    @property
    def active_pane(self) -> Pane:
        return self.pane(self.active_pane_id)

    def activate_pane(self, pane_id: str) -> None:
        """Show (on tabs) and focus a pane."""
        pane_id = self._occupant(pane_id)
        self._mark_active(pane_id)
        if self.maximized is not None and self.maximized is not self.pane(pane_id):
            self.maximize(self.pane(pane_id), container=False)
        self.pane(pane_id).focus_target.focus()

    def action_focus_pane(self, number: int) -> None:
        if 1 <= number <= len(PANE_ORDER):
            self.activate_pane(PANE_ORDER[number - 1])

    def action_cycle_pane(self, step: int) -> None:
        index = PANE_ORDER.index(self._slot(self.active_pane_id))
        self.activate_pane(PANE_ORDER[(index + step) % len(PANE_ORDER)])

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.active_pane, container=False)

    def _mark_active(self, pane_id: str) -> None:
        # Only the two panes that change are restyled.
        for pane in self.query(Pane):
            wanted = pane.id == pane_id
            if pane.has_class("-active") != wanted:
                pane.set_class(wanted, "-active")
        self.active_pane_id = pane_id
        self._show_tab(pane_id)

    def _show_tab(self, pane_id: str) -> None:
        found = self.query("#pane-tabs")
        if not found:
            return
        from textual.widgets import Tabs  # loaded already: the tab bar exists

        tabs = found.first(Tabs)
        # Setting `active` posts TabActivated; that echo must not move focus again.
        with tabs.prevent(Tabs.TabActivated):
            tabs.active = f"tab-{self._slot(pane_id)}"

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        # Only a tab the operator chose (keys or mouse on the tab bar) moves panes;
        # the bar's own activation of its first tab at start does not.
        if not event.tabs.has_focus:
            return
        if event.tab is not None and event.tab.id:
            pane_id = event.tab.id.removeprefix("tab-")
            if pane_id != self._slot(self.active_pane_id):
                self.activate_pane(pane_id)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Clicking into a pane (or any other way focus arrives) makes it active.
        for node in event.widget.ancestors_with_self:
            if isinstance(node, Pane) and node.id and node.id != self.active_pane_id:
                self._mark_active(node.id)
                break

    # -- pane 1: Pods or Containers ----------------------------------------------------

    def _slot(self, pane_id: str) -> str:
        """The place in PANE_ORDER (and the tab) a pane occupies."""
        return "pods" if pane_id == "containers" else pane_id

    def _occupant(self, pane_id: str) -> str:
        """The pane shown in `pane_id`'s place."""
        return self.pane_one if pane_id == "pods" else pane_id

    async def action_swap_pane_one(self) -> None:
        self.pane_one_chosen = True
        await self.show_in_pane_one("containers" if self.pane_one == "pods" else "pods")

    async def show_in_pane_one(self, pane_id: str) -> None:
        """Show the Pods or the Containers pane as pane 1; focus moves with it if it was there.

        The Containers pane is made the first time it is shown: a console that never
        shows it never pays for it (the app fills it in once it appears)."""
        if pane_id == self.pane_one:
            return
        if pane_id == "containers" and not self.query("#containers"):
            from widgets.containers_pane import ContainersPane

            pane = ContainersPane(1, id="containers", classes="-swapped-out")
            await self.query_one("#panes").mount(pane, after=self.pane("pods"))
        hidden, shown = self.pane(self.pane_one), self.pane(pane_id)
        self.pane_one = pane_id
        shown.remove_class("-swapped-out")
        hidden.add_class("-swapped-out")
        for tab in self.query("#tab-pods"):  # the Tab of pane 1, on a small terminal
            tab.label = f"1 {shown.title}"  # type: ignore[attr-defined]
        if self.active_pane_id == hidden.id:
            self.activate_pane(pane_id)
