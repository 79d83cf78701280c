"""The Logs pane: one stream of lines (a pod, a workload's pods merged, a file), live.

A timer takes everything waiting in the `LogFeed` every `drain_seconds` and adds
it to the ring buffer in one batch; the view catches up once per batch, so the
cost per tick is that of the new lines plus the rows on screen, whatever the
rate. Paused (`space`, or moving the cursor up), batches wait aside, bounded
like the buffer, and the view does not move at all: the lines under the cursor
stay put however fast the stream runs. Resuming adds them and jumps to the end.

What the operator asks for beyond looking (marking evidence, saving the
buffer) is posted upward as a message; the app records or writes it and says
when it is done.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.safetext import screen_line
from tui.sources.log_model import LogFeed, LogLine, SourceState
from widgets.log_buffer import LogBuffer
from widgets.log_filter import (
    FilterError,
    LogFilter,
    next_level,
    parse_filter,
    parse_highlight,
)
from widgets.log_view import FollowChanged, LogView
from widgets.pane import Pane
from widgets.unavailable_pane import PaneMessage

NO_SOURCE = "Logs: no source"
NO_SOURCE_HINT = (
    "Press l on a pod in the Pods pane to follow its logs,\n"
    "or start warroom with --log-file PATH to follow a file."
)
PLACEHOLDERS = {
    "filter": "filter: words or regexes · -word hides · @source · Enter applies · Esc clears",
    "highlight": "highlight: a regex to mark (hides nothing) · Enter applies · Esc clears",
}

# Which source trouble to name when several sources have some: the worst.
STATE_SEVERITY = {"error": 0, "reconnecting": 1, "capped": 2, "connecting": 3, "ended": 4,
                  "live": 9}  # fmt: skip
STATE_STYLES = {"error": "bold red", "reconnecting": "yellow", "capped": "yellow",
                "connecting": "dim", "ended": "dim", "live": "green"}  # fmt: skip


class LogEvidence(Message):
    """The operator marked these lines as evidence; the app records them in the timeline."""

    def __init__(self, lines: tuple[LogLine, ...], title: str) -> None:
        super().__init__()
        self.lines = lines
        self.title = title  # what the pane was following, e.g. "payments/api-7f8d9c-ccccc"


class LogSaveRequested(Message):
    """The operator wants the buffer in a file; the app asks where and writes it."""

    def __init__(self, lines: tuple[LogLine, ...], suggested_name: str) -> None:
        super().__init__()
        self.lines = lines
        self.suggested_name = suggested_name


def _describe_state(state: SourceState) -> str:
    detail = screen_line(state.detail, max_chars=120)
    if not detail:
        return state.status
    # "reconnecting in 4 s: refused" reads as one phrase; other details follow a colon.
    joiner = " " if detail.startswith("in ") else ": "
    return f"{state.status}{joiner}{detail}"


def state_text(states: Mapping[str, SourceState]) -> Text:
    """'live', or the worst source's trouble: the first part of the border's subtitle."""
    text = Text()
    if not states:
        text.append("connecting…", "dim")
        return text
    ranked = sorted(states.values(), key=lambda s: (STATE_SEVERITY.get(s.status, 2), s.label))
    worst = ranked[0]
    style = STATE_STYLES.get(worst.status, "yellow")
    if len(ranked) == 1:
        text.append(_describe_state(worst), style)
        return text
    if not worst.trouble and worst.status == ranked[-1].status:
        text.append(f"{len(ranked)} {worst.status}", style)  # "3 live"
        return text
    text.append(screen_line(worst.label, max_chars=60) + ": ", "dim")
    text.append(_describe_state(worst), style)
    others = [s for s in ranked[1:] if s.status != "live"]
    if others:
        text.append(f" (+{len(others)} more)", "dim")
    live = sum(1 for s in ranked if s.status == "live")
    if live:
        text.append(f" · {live} live", "green")
    return text


def suggested_name(title: str, when: datetime) -> str:
    """A file name for a saved buffer: the source and the time, nothing a shell minds."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:60] or "logs"
    return f"{slug}-{when.astimezone(UTC):%Y%m%dT%H%M%SZ}.log"


class LogsPane(Pane):
    BINDINGS = [
        # Priority, like the Pods filter: keys typed right after go into the field.
        Binding("slash", "filter", "Filter", id="logs.filter", priority=True,
                tooltip="Filter lines: words or regexes, -word hides, @name picks a source"),
        Binding("h", "highlight", "Highlight", id="logs.highlight", priority=True,
                tooltip="Mark matches of a regex in every line, hiding nothing"),
        Binding("L", "cycle_level", "Level", id="logs.level",
                tooltip="Minimum level shown: all, info, warn, error"),
        Binding("space", "toggle_pause", "Pause", id="logs.pause",
                tooltip="Pause the view (lines keep arriving aside) or follow again"),
        Binding("m", "mark", "Mark", id="logs.mark",
                tooltip="Record the selected lines as evidence in the incident timeline"),
        Binding("w", "toggle_wrap", "Wrap", id="logs.wrap", tooltip="Wrap long lines, or cut them"),
        Binding("t", "toggle_timestamps", "Times", show=False, id="logs.timestamps",
                tooltip="Show each line's time (UTC) when the source gave one"),
        Binding("e,enter", "expand", "Expand JSON", show=False, id="logs.expand",
                tooltip="Show the cursor's JSON line indented, over several rows"),
        Binding("ctrl+s", "save", "Save", show=False, id="logs.save",
                tooltip="Save every line held to a file"),
        Binding("c", "clear", "Clear", show=False, id="logs.clear",
                tooltip="Forget the lines held and follow from now"),
        Binding("escape", "escape", "Clear filter", show=False, id="logs.escape",
                tooltip="Drop the selection, else the filter, else the highlight"),
    ]  # fmt: skip

    DEFAULT_CSS = """
    LogsPane #log-view { height: 1fr; }
    LogsPane #logs-empty { display: none; }
    LogsPane.-empty #logs-empty { display: block; }
    LogsPane.-empty #log-view { display: none; }
    LogsPane #logs-line { display: none; height: 1; padding: 0 1; }
    LogsPane.-line #logs-line { display: block; }
    LogsPane #logs-input { dock: bottom; display: none; height: 1; border: none; padding: 0 1; }
    LogsPane.-typing #logs-input { display: block; }
    LogsPane.-trouble { border: round $error; }
    """

    def __init__(
        self,
        number: int,
        feed: LogFeed | None = None,
        capacity: int = 20_000,
        drain_seconds: float = 0.1,
        *,
        title: str = "",
        id: str = "logs",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__("Logs", number, id=id)
        self.buffer = LogBuffer(capacity)
        self.view = LogView(self.buffer, id="log-view")
        self._feed = feed
        self._title = title
        self._drain_seconds = drain_seconds
        self._clock = clock or (lambda: datetime.now(UTC))
        self._states: dict[str, SourceState] = {}
        self._capacity = capacity
        self._pending: deque[LogLine] = deque(maxlen=capacity)
        self._new = 0  # lines that arrived while paused
        self.received = 0  # lines taken from the feed since the last attach
        self._lost = 0  # dropped before reaching the pane (the feed's own bound, or pending's)
        self._filter = LogFilter()
        self._highlight = ""
        self._error: str | None = None
        self._input_mode: str | None = None
        self._stopped = False
        self._usable = (False, False)

    def compose(self) -> ComposeResult:
        yield self.view
        yield PaneMessage(self._empty_text(), id="logs-empty")
        yield Static(id="logs-line")
        yield Input(id="logs-input")

    def on_mount(self) -> None:
        # Ticks only while a feed is attached: an idle console must stay idle.
        self._drain_timer = self.set_interval(self._drain_seconds, self._drain, pause=True)
        if self._feed is not None:
            self._start()
        else:
            self._show_body()
            self._show_status()

    # -- what the app calls ------------------------------------------------------------------

    def attach(self, feed: LogFeed, title: str) -> None:
        """Follow a new stream: everything held, the filter and the highlight start over."""
        self._feed, self._title = feed, title
        if self.is_mounted:
            self._start()  # else mounting starts it

    def _start(self) -> None:
        self._drain_timer.resume()
        self._stopped = False
        self._states = {}
        self._pending.clear()
        self._new = self._lost = self.received = 0
        self._filter, self._highlight, self._error = LogFilter(), "", None
        self.buffer.set_filter(None)
        self.buffer.reset()
        self.view.highlight = None
        self.view.reset()
        self._show_title()
        self._show_body()
        self._show_line()
        self._drain()

    def detach(self) -> None:
        """Stop following; what was received stays on screen to read, mark and save."""
        self._drain()
        if self.is_mounted:
            self._drain_timer.pause()
        self._feed = None
        self._stopped = True
        self._states = {}
        self._show_body()
        self._show_status()

    @property
    def title_text(self) -> str:
        return self._title

    @property
    def paused(self) -> bool:
        return not self.view.following

    @property
    def waiting(self) -> int:
        """Lines that arrived while paused (shown as 'N new')."""
        return self._new

    @property
    def dropped(self) -> int:
        """Lines lost: pushed out of the ring, or dropped before they reached it."""
        return self.buffer.dropped + self._lost

    @property
    def filter(self) -> LogFilter:
        return self._filter

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def line_text(self) -> str:
        """The status line inside the pane (filter, highlight, errors), as plain text."""
        return self._line().plain

    @property
    def focus_target(self) -> Widget:
        if self.has_class("-empty"):
            return self.query_one("#logs-empty", PaneMessage)
        return self.view

    # -- draining the feed -------------------------------------------------------------------

    def _drain(self) -> None:
        feed = self._feed
        if feed is None:
            return
        lines, states, lost = feed.drain()
        self.received += len(lines)
        self._lost += lost
        self._states = states
        if self.view.following:
            if self._pending:
                # Resumed since the last tick: what waited goes first, in order.
                lines = [*self._pending, *lines]
                self._pending.clear()
                self._new = 0
            if lines:
                self.buffer.extend(lines)
                self.view.sync()
        elif lines:
            self._hold(lines)
        self._show_status()

    def _hold(self, lines: list[LogLine]) -> None:
        overflow = len(self._pending) + len(lines) - self._capacity
        self._lost += max(0, overflow)
        self._pending.extend(lines)  # a bounded deque: the oldest fall out
        self._new += len(lines)

    def _resume(self) -> None:
        if self._pending:
            self.buffer.extend(list(self._pending))
            self._pending.clear()
        self._new = 0
        self.view.sync()
        self._show_status()

    def on_follow_changed(self, message: FollowChanged) -> None:
        message.stop()
        if message.following:
            self._resume()
        else:
            self._show_status()
        self.refresh_bindings()

    # -- showing state -------------------------------------------------------------------------

    def _show_title(self) -> None:
        title = Text(f"{self.number} Logs")
        if self._title:
            title.append(" · ")
            title.append(screen_line(self._title, max_chars=80))
        self.border_title = title

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the title (a source's name) is shown again."""
        if self._title and not self.has_class("-empty"):
            self._show_title()

    def _show_body(self) -> None:
        had_focus = self.has_focus_within
        empty = self._feed is None and not len(self.buffer) and not self._pending
        self.set_class(empty, "-empty")
        if empty:
            self.border_title = Text(f"{self.number} Logs")
        if had_focus:
            self.focus_target.focus()
        self.refresh_bindings()

    def _empty_text(self) -> Text:
        return Text.assemble((NO_SOURCE, "bold"), "\n\n", NO_SOURCE_HINT)

    def _subtitle(self) -> Text:
        text = Text()
        if self.has_class("-empty"):
            text.append("no source", "dim")
            return text
        if self._feed is not None:
            text.append_text(state_text(self._states))
        elif self._stopped:
            text.append("stopped", "dim")
        else:
            text.append("no source", "dim")
        if self.paused and (self._feed is not None or self._new):
            text.append(" · ")
            text.append(f"paused · {self._new:,} new", "bold yellow")
        held, shown = len(self.buffer), self.buffer.view_len
        text.append(" · ")
        text.append(f"{shown:,} of {held:,} lines" if self.buffer.filtered else f"{held:,} lines")
        if self.dropped:
            text.append(" · ")
            text.append(f"{self.dropped:,} dropped", "yellow")
        return text

    def _line(self) -> Text:
        """Filter, level and highlight in force, or why what was typed is refused."""
        text = Text(no_wrap=True, overflow="ellipsis")
        if self._error:
            text.append(self._error, "bold red")
            return text
        described = self._filter.describe()
        if described:
            text.append(screen_line(described, max_chars=200), "cyan")
        if self._highlight:
            if text:
                text.append(" · ")
            text.append("highlight: ")
            text.append(screen_line(self._highlight, max_chars=100), "reverse bold")
        return text

    def _show_status(self) -> None:
        subtitle = self._subtitle()
        shown = self._border_subtitle
        # Setting the subtitle repaints the pane's frame: only when it reads differently.
        if shown is None or shown.plain != subtitle.plain:
            self.border_subtitle = subtitle
        self.set_class(any(s.status == "error" for s in self._states.values()), "-trouble")
        # Mark, expand and save need a line: the key bar follows when that changes.
        usable = (self.view.cursor_seq is not None, bool(len(self.buffer) or self._pending))
        if usable != self._usable:
            self._usable = usable
            self.refresh_bindings()

    def _show_line(self) -> None:
        line = self._line()
        self.query_one("#logs-line", Static).update(line)
        self.set_class(bool(line), "-line")

    # -- typing a filter or a highlight ------------------------------------------------------------

    def action_filter(self) -> None:
        self._open_input("filter", self._filter.text)

    def action_highlight(self) -> None:
        self._open_input("highlight", self._highlight)

    def _open_input(self, mode: str, value: str) -> None:
        self._input_mode = mode
        field = self.query_one("#logs-input", Input)
        field.placeholder = PLACEHOLDERS[mode]
        field.value = value
        self.add_class("-typing")
        self.screen.set_focus(field)  # now: keys typed right after go into the field
        self.refresh_bindings()

    def _close_input(self) -> None:
        self._input_mode = None
        self.remove_class("-typing")
        self.view.focus()
        self.refresh_bindings()

    @property
    def typing(self) -> str | None:
        """'filter' or 'highlight' while the operator types one, else None."""
        return self._input_mode

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        applied = (
            self.set_filter(event.value)
            if self._input_mode == "filter"
            else self.set_highlight(event.value)
        )
        if applied:
            self._close_input()

    def set_filter(self, text: str) -> bool:
        """Show only lines matching `text`; False (and the reason shown) if it is not valid."""
        parsed = parse_filter(text, self._filter.min_level)
        if isinstance(parsed, FilterError):
            self._error = parsed.message
            self._show_line()
            return False
        self._error = None
        self._apply_filter(parsed)
        return True

    def set_highlight(self, text: str) -> bool:
        """Mark matches of `text`; False (and the reason shown) if it is not valid."""
        parsed = parse_highlight(text)
        if isinstance(parsed, FilterError):
            self._error = parsed.message
            self._show_line()
            return False
        self._error = None
        self._highlight = text if parsed is not None else ""
        self.view.highlight = parsed
        self.view.relayout()
        self._show_line()
        return True

    def _apply_filter(self, spec: LogFilter) -> None:
        self._filter = spec
        self.buffer.set_filter(spec if spec.active else None)
        self.view.sync()
        self._show_line()
        self._show_status()

    # -- keys -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.has_class("-empty"):
            return False
        if action == "escape":
            return bool(
                self._input_mode
                or self.view.anchor_seq is not None
                or self._filter.active
                or self._highlight
                or self._error
            )
        if action in ("filter", "highlight") and self._input_mode is not None:
            return False  # typing in the field: "/" and "h" are characters
        if action == "save":
            return bool(len(self.buffer) or self._pending)
        if action in ("mark", "expand"):
            return self.view.cursor_seq is not None
        return True

    def action_escape(self) -> None:
        if self._input_mode == "filter":
            self._error = None
            self.set_filter("")
            self._close_input()
        elif self._input_mode == "highlight":
            self._error = None
            self.set_highlight("")
            self._close_input()
        elif self.view.anchor_seq is not None:
            self.view.clear_selection()
        elif self._filter.active:
            self._apply_filter(LogFilter())
        elif self._highlight:
            self.set_highlight("")
        else:
            self._error = None
            self._show_line()
        self.refresh_bindings()

    def action_cycle_level(self) -> None:
        self._apply_filter(self._filter.with_level(next_level(self._filter.min_level)))

    def action_toggle_pause(self) -> None:
        self.view.set_following(not self.view.following)

    def action_toggle_wrap(self) -> None:
        self.view.wrap = not self.view.wrap
        self.view.relayout()

    def action_toggle_timestamps(self) -> None:
        self.view.timestamps = not self.view.timestamps
        self.view.relayout()

    def action_expand(self) -> None:
        if not self.view.toggle_expand():
            self.notify("The cursor's line is not JSON.", markup=False, timeout=3)

    def action_mark(self) -> None:
        lines = self.view.selected_lines()
        if lines:
            self.post_message(LogEvidence(tuple(lines), self._title))
            self.view.clear_selection()
            self.refresh_bindings()

    def action_save(self) -> None:
        lines = (*self.buffer.lines(), *self._pending)
        if lines:
            self.post_message(LogSaveRequested(lines, suggested_name(self._title, self._clock())))

    def action_clear(self) -> None:
        self._pending.clear()
        self._new = self._lost = 0
        self.buffer.reset()
        self.view.reset()
        self._show_body()
        self._show_status()
