"""The Timeline pane: the incident's events, newest first, coloured by kind.

Rows are keyed by event id and only ever added (the file is append-only) or
re-marked when pinned; the table is never rebuilt. Pinning and opening an event
are requests posted upward: the app writes to the file, not the widget.

On a full disk the app shows the events it holds in memory (tui/held_flow.py)
as "held" rows on top and the warning in the border; a held row is replaced by
the real one when the follower reads the event back from the file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.messages import TimelineAppended, TimelineTrouble
from tui.safetext import cell, screen_line
from tui.timeline.model import Event, EventKind
from widgets.pane import Pane

KIND_STYLES: dict[str, str] = {
    EventKind.DECLARED: "bold magenta",
    EventKind.SEVERITY_CHANGED: "bold red",
    EventKind.STATUS_CHANGED: "bold cyan",
    EventKind.MILESTONE: "bold green",
    EventKind.NOTE: "bold",
    EventKind.HOST_ALERT: "yellow",
    EventKind.PIN_CHANGED: "dim",
    EventKind.K8S_TRANSITION: "dark_orange",
    EventKind.K8S_ACTION: "bold blue",
    EventKind.LOG_EVIDENCE: "bold magenta",
    EventKind.LOG_SAVED: "magenta",
    EventKind.PROBE_TRANSITION: "bold yellow",
    EventKind.INGRESS_FINDING: "dark_orange",
    EventKind.RUNBOOK_STEP: "green",
    EventKind.RUNBOOK_RUN: "bold green",
    EventKind.DOCKER_TRANSITION: "dark_orange",
    EventKind.DOCKER_ACTION: "bold blue",
    EventKind.STATUS_UPDATE: "bold cyan",
    EventKind.TIMER_PROMPT: "bold yellow",
    EventKind.TIMER_SNOOZED: "yellow",
    EventKind.ESCALATION: "bold red",
    EventKind.ROLE_ASSIGNED: "cyan",
    EventKind.TODO: "bold magenta",
    EventKind.MERGED: "dim",
}

KIND_LABELS: dict[str, str] = {
    EventKind.SEVERITY_CHANGED: "severity",
    EventKind.STATUS_CHANGED: "status",
    EventKind.HOST_ALERT: "host",
    EventKind.PIN_CHANGED: "pin",
    EventKind.K8S_TRANSITION: "k8s",
    EventKind.K8S_ACTION: "action",
    EventKind.LOG_EVIDENCE: "evidence",
    EventKind.LOG_SAVED: "logs",
    EventKind.PROBE_TRANSITION: "probe",
    EventKind.INGRESS_FINDING: "ingress",
    EventKind.RUNBOOK_STEP: "step",
    EventKind.RUNBOOK_RUN: "run",
    EventKind.DOCKER_TRANSITION: "docker",
    EventKind.DOCKER_ACTION: "container",
    EventKind.STATUS_UPDATE: "update",
    EventKind.TIMER_PROMPT: "due",
    EventKind.TIMER_SNOOZED: "snoozed",
    EventKind.ESCALATION: "escalated",
    EventKind.ROLE_ASSIGNED: "role",
    EventKind.TODO: "todo",
    EventKind.MERGED: "merged",
}

PIN_MARK = "★"
HELD_MARK = "held"  # in the # column: made, not yet in the incident file
FIXED_WIDTHS = {"seq": 4, "time": 8, "kind": 9}


def kind_cell(kind: str) -> Text:
    return cell(KIND_LABELS.get(kind, kind), KIND_STYLES.get(kind, "italic"))


def seq_cell(event: Event, pinned: bool) -> Text:
    text = Text(f"{event.seq}", style="dim", no_wrap=True)
    if pinned:
        text = Text.assemble((PIN_MARK, "bold yellow"), text)
    return text


class TimelinePane(Pane):
    BINDINGS = [
        Binding(
            "p",
            "toggle_pin",
            "Pin",
            tooltip="Pin or unpin the selected event (evidence)",
            id="timeline.pin",
        ),
    ]

    DEFAULT_CSS = """
    TimelinePane DataTable { height: 1fr; overflow-x: hidden; }
    TimelinePane.-trouble { border: round $error; }
    """

    class PinRequested(Message):
        def __init__(self, event: Event, pin: bool) -> None:
            super().__init__()
            self.event = event
            self.pin = pin

    class EventOpened(Message):
        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    def __init__(self, number: int, *, limit: int = 2000, id: str = "timeline") -> None:
        super().__init__("Timeline", number, id=id)
        self._limit = limit
        self._events: dict[str, Event] = {}
        self._pinned: frozenset[str] = frozenset()
        # Events held in memory on a full disk, and the warning that goes with them.
        self._held: set[str] = set()
        self._held_warning: str | None = None
        self._live_status = "loading…"

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (("seq", "#"), ("time", "UTC"), ("kind", "kind")):
            table.add_column(label, key=key, width=FIXED_WIDTHS[key])
        table.add_column("who: what", key="text")
        self.set_status("loading…")

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    @property
    def selected_event(self) -> Event | None:
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self._events.get(str(row_key.value))

    def on_timeline_appended(self, message: TimelineAppended) -> None:
        table = self.table
        previously_pinned, self._pinned = self._pinned, message.state.pinned
        with self.app.batch_update():
            for event in message.events:
                if event.uuid in self._held:  # held until now: the file's row replaces it
                    self._held.discard(event.uuid)
                    table.remove_row(event.uuid)
                    del self._events[event.uuid]
                if event.uuid in self._events:
                    continue
                self._events[event.uuid] = event
                table.add_row(*self._cells(event), key=event.uuid)
            for uuid in previously_pinned ^ self._pinned:
                if uuid in self._events:
                    event = self._events[uuid]
                    table.update_cell(uuid, "seq", seq_cell(event, uuid in self._pinned))
            self._trim()
            if message.events:
                table.sort("seq", key=_seq_of, reverse=True)
        self._live_status = f"{message.state.event_count} events · live"
        self._show_status()

    def show_held(self, events: Sequence[Event], warning: str | None) -> None:
        """Show the events held in memory (oldest first) and the warning; () and None: none."""
        table = self.table
        current = {event.uuid for event in events}
        with self.app.batch_update():
            for uuid in self._held - current:  # written (read back soon) or not news after all
                table.remove_row(uuid)
                del self._events[uuid]
            self._held &= current
            for event in events:
                if event.uuid in self._events:
                    continue
                self._events[event.uuid] = event
                self._held.add(event.uuid)
                table.add_row(*self._cells(event), key=event.uuid)
            table.sort("seq", key=_seq_of, reverse=True)
        self._held_warning = warning
        self._show_status()

    def _show_status(self) -> None:
        if self._held_warning:
            self.add_class("-trouble")
            self.set_status(Text(self._held_warning, style="bold"))
        else:
            self.remove_class("-trouble")
            self.set_status(self._live_status)

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the text cells are written again."""
        table = self.table
        with self.app.batch_update():
            for uuid, event in self._events.items():
                table.update_cell(uuid, "text", self._cells(event)[3])

    def on_timeline_trouble(self, message: TimelineTrouble) -> None:
        # Shown in the border, where it cannot push events off the pane; the
        # app also raises a notification.
        self.add_class("-trouble")
        self.set_status(screen_line(message.reason, max_chars=120))

    def _cells(self, event: Event) -> tuple[Text, ...]:
        held = event.uuid in self._held
        return (
            Text(HELD_MARK, "bold red") if held else seq_cell(event, event.uuid in self._pinned),
            Text(event.ts.strftime("%H:%M:%S"), style="dim"),
            kind_cell(event.kind),
            # Who, then what: one column, so the text keeps its room in a small pane.
            Text.assemble(cell(event.actor.split("@")[0], "cyan"), ": ", cell(event.text)),
        )

    def _trim(self) -> None:
        excess = len(self._events) - self._limit
        if excess <= 0:
            return
        written = (e for e in self._events.values() if e.uuid not in self._held)
        oldest = sorted(written, key=lambda e: e.seq)[:excess]
        for event in oldest:
            self.table.remove_row(event.uuid)
            del self._events[event.uuid]

    def on_resize(self) -> None:
        # The text column takes whatever the fixed columns leave.
        table = self.table
        # Each column carries one cell of padding on both sides.
        fixed = sum(FIXED_WIDTHS.values()) + 2 * (len(FIXED_WIDTHS) + 1)
        column = table.columns.get("text")  # type: ignore[call-overload]
        if column is not None:
            column.width = max(self.content_size.width - fixed - 1, 10)
            column.auto_width = False
            table.refresh()

    def action_toggle_pin(self) -> None:
        event = self.selected_event
        if event is not None:
            self.post_message(self.PinRequested(event, event.uuid not in self._pinned))

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        # Enter on a row (the table's own binding) opens the whole event.
        message.stop()
        event = self._events.get(str(message.row_key.value))
        if event is not None:
            self.post_message(self.EventOpened(event))


def _seq_of(value: Text) -> int:
    if value.plain == HELD_MARK:
        return sys.maxsize  # newest first: held events are the latest news
    digits = "".join(ch for ch in value.plain if ch.isdigit())
    return int(digits or 0)
