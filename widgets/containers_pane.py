"""The Containers pane: an engine's containers (docker or podman), grouped by compose
project and service, with `docker stats` figures, problems first.

It shares pane 1 with the Pods pane (the console's `C` switches between them).
It renders what `DockerUpdated` carries and says plainly when there is no
engine. Everything an operator asks for (logs, inspect, restart, stop, start,
kill, a compose service restart) is a request posted upward
(`widgets.container_requests`): the app checks read-only mode, confirms, calls
the engine and records the outcome. The pane never talks to an engine.

Updates are written to the table at once after a quiet spell, then at most
every `flush_seconds` (1 s) while they keep coming, as in the Pods pane. Stats
keep coming: each write repaints the table's visible cells (most of this pane's
CPU), and a container's figures move at most once a second anyway
(`docker.stats_seconds`), so one repaint a second shows every change.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import ContentSwitcher, DataTable

from tui.docker_messages import DockerUpdated
from tui.safetext import screen_clean, screen_line
from tui.sources.docker.actions import KILL, RESTART, SERVICE_RESTART, START, STOP
from tui.sources.docker.model import EngineStatus
from tui.sources.docker.rows import ContainerRow
from widgets.container_requests import (
    ContainerActionRequested,
    ContainerInspectRequested,
    ContainerLogsRequested,
)
from widgets.containers_view import ContainersView
from widgets.filtered_table_view import FilterSortKeys
from widgets.keyed_table import KeyedTable
from widgets.pane import Pane
from widgets.unavailable_pane import PaneMessage

CONNECTING = "looking for a container engine…"


class ContainersPane(FilterSortKeys, Pane):
    BINDINGS = [
        Binding("enter", "inspect", "Inspect", show=False, id="containers.inspect",
                tooltip="Inspect the selected container: command, env (secrets masked),"
                        " mounts, health check log"),
        Binding("l", "logs(False)", "Logs", id="containers.logs",
                tooltip="Follow the selected container's log in the Logs pane"
                        " (last logs.tail_lines lines, with timestamps)"),
        Binding("L", "logs(True)", "Logs since", show=False, id="containers.logs_since",
                tooltip="The selected container's log from a time ago you type (10m, 2h)"),
        Binding("r", "restart", "Restart", id="containers.restart",
                tooltip="Restart the selected container (docker restart)"),
        Binding("R", "service_restart", "Restart service", show=False,
                id="containers.service_restart",
                tooltip="Restart every container of the selected compose service"
                        " (docker-compose restart SERVICE)"),
        Binding("x", "stop", "Stop", show=False, id="containers.stop",
                tooltip="Stop the selected container (docker stop)"),
        Binding("u", "start", "Start", show=False, id="containers.start",
                tooltip="Start the selected container (docker start)"),
        Binding("K", "kill", "Kill", show=False, id="containers.kill",
                tooltip="Kill the selected container (docker kill: SIGKILL, no grace period)"),
        Binding("slash", "filter", "Filter", id="containers.filter", priority=True,
                tooltip="Filter: name, project=…, service=…, or a status (unhealthy, exited)"),
        Binding("escape", "clear_filter", "Clear filter", show=False,
                id="containers.clear_filter", tooltip="Clear the container filter"),
        Binding("o", "sort", "Sort", id="containers.sort",
                tooltip="Sort by the next column: status, cpu, memory, restarts, name"),
        Binding("O", "reverse_sort", "Reverse", show=False, id="containers.reverse_sort",
                tooltip="Reverse the sort order"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    ContainersPane ContentSwitcher { height: 1fr; }
    ContainersPane ContentSwitcher > * { height: 1fr; }
    ContainersPane.-trouble { border: round $error; }
    """

    def __init__(
        self,
        number: int,
        *,
        id: str = "containers",
        classes: str | None = None,
        clock: Callable[[], datetime] | None = None,
        tick_seconds: float = 5.0,
        flush_seconds: float = 1.0,
    ) -> None:
        super().__init__("Containers", number, id=id)
        if classes:
            self.add_class(*classes.split())
        self._clock = clock or (lambda: datetime.now(UTC))
        self._tick_seconds = tick_seconds
        self._flush_seconds = flush_seconds
        self._last_flush = -flush_seconds
        self._flush_pending = False
        self.containers = ContainersView(self._clock)
        self.connected = False
        self.status: EngineStatus | None = None
        self._message = Text(CONNECTING, style="dim")

    def compose(self) -> ComposeResult:
        with ContentSwitcher(initial="containers-message"):
            yield PaneMessage(self._message, id="containers-message")
            yield self.containers

    def on_mount(self) -> None:
        self.border_subtitle = Text("connecting…", style="dim")
        self.set_interval(self._tick_seconds, self._tick)

    # -- parts ---------------------------------------------------------------------------

    @property
    def message_text(self) -> str:
        """What the pane says when it has no table (no engine, connecting)."""
        return self._message.plain

    def _say(self, text: Text) -> None:
        self._message = text
        self.query_one("#containers-message", PaneMessage).update(text)

    @property
    def focus_target(self) -> Widget:
        if not self.connected:
            return self.query_one("#containers-message", PaneMessage)
        return self.containers.table

    @property
    def selected_row(self) -> ContainerRow | None:
        return self.containers.selected_row if self.connected else None

    # -- messages from the app -------------------------------------------------------------

    def on_docker_updated(self, message: DockerUpdated) -> None:
        delta = message.delta
        if delta.status is not None:
            self._show_status(delta.status)
        if delta.updated or delta.removed:
            self.containers.apply(delta.updated, delta.removed)
            self._schedule_flush()

    def _show_status(self, status: EngineStatus) -> None:
        self.status = status
        connected = status.state == "live" or (status.connected and self.connected)
        if status.state == "unavailable":
            text = Text()
            text.append("Containers: no container engine\n\n", "bold yellow")
            text.append(screen_clean(status.message, max_chars=2000))
            if status.hint:
                text.append("\n\n")
                text.append(screen_clean(status.hint, max_chars=1000), "bold")
            self._say(text)
            connected = False
        elif status.state == "connecting":
            self._say(Text(CONNECTING, style="dim"))
        if connected != self.connected or status.state == "live":
            self._show_view(connected)
        self.border_subtitle = self._subtitle(status)
        self.set_class(status.state in ("unavailable", "reconnecting"), "-trouble")

    @staticmethod
    def _subtitle(status: EngineStatus) -> Text:
        if status.state == "live" and status.engine is not None:
            text = Text("live", style="green")
            text.append(f" · {screen_line(status.engine.name, max_chars=60)}", "dim")
            return text
        if status.state == "unavailable":
            return Text("no engine", style="bold yellow")
        if status.state == "reconnecting":
            return Text(screen_line(f"reconnecting: {status.message}", max_chars=100), "yellow")
        return Text("connecting…", style="dim")

    def _show_view(self, connected: bool) -> None:
        had_focus = self.has_focus_within
        self.connected = connected
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "containers-view" if connected else "containers-message"
        if had_focus:
            self.focus_target.focus()
        self.refresh_bindings()

    # -- pacing --------------------------------------------------------------------------

    def _schedule_flush(self) -> None:
        if self._flush_pending:
            return
        self._flush_pending = True
        delay = self._last_flush + self._flush_seconds - time.monotonic()
        if delay > 0:
            self.set_timer(delay, self._flush)
        else:
            self.call_later(self._flush)

    def _flush(self) -> None:
        self._flush_pending = False
        self._last_flush = time.monotonic()
        with self.app.batch_update():
            self.containers.flush()

    def _tick(self) -> None:
        if self.connected:
            with self.app.batch_update():
                self.containers.tick()

    # -- keys ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.connected:
            return False
        if action == "clear_filter":
            view = self.containers
            return view.filtering or view.filter is not None
        if action == "filter" and self.containers.filtering:
            return False  # typing in the field: "/" is a character
        if action == "service_restart":
            row = self.selected_row
            return row is None or bool(row.project)
        return True

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        message.stop()
        if isinstance(message.data_table, KeyedTable):
            message.data_table.select(str(message.row_key.value))
            self.action_inspect()

    def action_inspect(self) -> None:
        if (row := self.selected_row) is not None:
            self.post_message(ContainerInspectRequested(row))

    def action_logs(self, ask_since: bool) -> None:
        if (row := self.selected_row) is not None:
            self.post_message(ContainerLogsRequested(row, ask_since=ask_since))

    def _act(self, action: str) -> None:
        if (row := self.selected_row) is not None:
            self.post_message(ContainerActionRequested(action, row))

    def action_restart(self) -> None:
        self._act(RESTART)

    def action_stop(self) -> None:
        self._act(STOP)

    def action_start(self) -> None:
        self._act(START)

    def action_kill(self) -> None:
        self._act(KILL)

    def action_service_restart(self) -> None:
        self._act(SERVICE_RESTART)

    # Filter and sort keys: FilterSortKeys.
    @property
    def filtered_view(self) -> ContainersView:
        return self.containers
