"""The output of the runbook command running (or last run), under the checklist.

The command runs in a thread that hands its lines to a `LogFeed`; a timer takes
what waits there a few times a second and appends it in one batch, so a chatty
command costs one repaint per tick, not one per line. Lines arrive already made
safe (`tui.sources.logs.make_line`); the header is built from `Text`, never markup.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Log, Static

from tui.safetext import screen_line
from tui.screen_redaction import on_screen
from tui.sources.log_model import LogFeed

# Lines kept on screen; the whole output is in the Logs pane and its hash in the timeline.
MAX_LINES = 5000


class RunOutput(Vertical):
    DEFAULT_CSS = """
    RunOutput {
        height: 45%;
        border-top: solid $panel-lighten-2;
    }
    RunOutput #run-header { height: auto; max-height: 3; padding: 0 1; }
    RunOutput Log { height: 1fr; padding: 0 1; overflow: auto auto; background: transparent; }
    """

    def __init__(self, *, drain_seconds: float = 0.1, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drain_seconds = drain_seconds
        self._feed: LogFeed | None = None
        self._shown = ""
        self._where = ""
        self._state = Text()
        self.log_view = Log(max_lines=MAX_LINES, id="run-log")
        # The output as it came, so switching redaction can show it again either way.
        self._raw: deque[str] = deque(maxlen=MAX_LINES)

    def compose(self) -> ComposeResult:
        yield Static(id="run-header")
        yield self.log_view

    def on_mount(self) -> None:
        # Ticks only while a command runs: an idle console must stay idle.
        self._drain_timer = self.set_interval(
            self._drain_seconds, self.drain, pause=self._feed is None
        )

    @property
    def running(self) -> bool:
        return self._feed is not None

    @property
    def lines(self) -> list[str]:
        return list(self.log_view.lines)

    @property
    def header_text(self) -> str:
        return self._header().plain

    def start(self, shown: str, where: str, feed: LogFeed) -> None:
        """Show a new run: its command line and target, then its output as it comes."""
        self.drain()
        self._feed = feed
        if self.is_mounted:
            self._drain_timer.resume()
        self._shown, self._where = shown, where
        self._state = Text("running… (c stops it)", "bold yellow")
        self.log_view.clear()
        self._raw.clear()
        self._show_header()

    def finish(self, outcome: Text) -> None:
        """The run ended: take the last lines and say how it ended."""
        self.drain()
        self._feed = None
        if self.is_mounted:
            self._drain_timer.pause()
        self._state = outcome
        self._show_header()

    def drain(self) -> None:
        feed = self._feed
        if feed is None:
            return
        lines, _states, lost = feed.drain()
        texts = [line.text for line in lines]
        if lost:
            texts.append(f"… {lost} lines not shown here (see the Logs pane)")
        if texts:
            self._raw.extend(texts)
            self.log_view.write_lines([on_screen(text) for text in texts])

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the header and output are shown again."""
        self.log_view.clear()
        self.log_view.write_lines([on_screen(text) for text in self._raw])
        self._show_header()

    def _header(self) -> Text:
        text = Text()
        text.append("$ ", "bold cyan")
        text.append(screen_line(self._shown, max_chars=500), "bold")
        text.append("\n")
        text.append("on ", "dim")
        text.append(screen_line(self._where, max_chars=200))
        text.append(" · ", "dim")
        text.append_text(self._state)
        return text

    def _show_header(self) -> None:
        self.query_one("#run-header", Static).update(self._header())
