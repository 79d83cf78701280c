"""The Logs pane driven with Pilot, fed through a real LogFeed with lines built here.

The pane is mounted alone in a small app with the key bar, as the console
mounts it; what it asks of the app (record evidence, save the buffer) is caught
by the app's handlers and asserted. What the screen shows is read from the rows
the view renders.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from tests.conftest import wait_for
from tests.helpers.fixed import T0, FixedClock
from tui.sources.log_model import Level, LogFeed, LogLine, LogOrigin, SourceState
from widgets.key_bar import KeyBar
from widgets.log_filter import LogFilter
from widgets.logs_pane import (
    NO_SOURCE,
    LogEvidence,
    LogSaveRequested,
    LogsPane,
    state_text,
    suggested_name,
)

API = LogOrigin("pod", "api-7f8d9c-ccccc", context="prod", namespace="payments", container="api")
API2 = LogOrigin("pod", "api-7f8d9c-ddddd", context="prod", namespace="payments", container="api")
WORKER = LogOrigin("pod", "worker-0", context="prod", namespace="payments")


def line(text: str, n: int = 0, origin: LogOrigin = API, **fields: Any) -> LogLine:
    """A line as a source would hand it over, stamped `n` seconds after T0."""
    return LogLine(origin, text, time=T0 + timedelta(seconds=n, milliseconds=n * 7), **fields)


def numbered(start: int, count: int, origin: LogOrigin = API) -> list[LogLine]:
    return [line(f"request {n} handled", n, origin) for n in range(start, start + count)]


class LogsApp(App[None]):
    """The pane as the console holds it, and a record of every request it posts."""

    def __init__(self, feed: LogFeed | None = None, **options: Any) -> None:
        super().__init__()
        self.feed = feed
        self.options = {"drain_seconds": 0.01, "clock": FixedClock(), **options}
        if feed is not None:
            self.options.setdefault("title", "payments/api-7f8d9c-ccccc")
        self.evidence: list[LogEvidence] = []
        self.saves: list[LogSaveRequested] = []

    def compose(self) -> ComposeResult:
        yield LogsPane(4, self.feed, **self.options)
        yield KeyBar()

    @property
    def pane(self) -> LogsPane:
        return self.query_one(LogsPane)

    def on_mount(self) -> None:
        self.pane.focus_target.focus()

    def on_log_evidence(self, message: LogEvidence) -> None:
        self.evidence.append(message)

    def on_log_save_requested(self, message: LogSaveRequested) -> None:
        self.saves.append(message)


async def put(pilot: Any, feed: LogFeed, lines: list[LogLine]) -> None:
    """Hand lines to the feed and let the pane's timer take them."""
    pane: LogsPane = pilot.app.pane
    target = pane.received + len(lines)
    feed.put(lines)
    await wait_for(lambda: pane.received >= target, pilot)
    await pilot.pause()


def rows(pane: LogsPane) -> list[str]:
    return [row.rstrip() for row in pane.view.row_texts()]


def shown(pane: LogsPane) -> list[str]:
    """The non-blank rows on screen."""
    return [row for row in rows(pane) if row]


async def started(pilot: Any, feed: LogFeed, lines: list[LogLine] | None = None) -> LogsPane:
    feed.set_state(SourceState(API.label, "live"))
    await put(pilot, feed, numbered(0, 40) if lines is None else lines)
    return pilot.app.pane


# -- empty state, attach, detach ------------------------------------------------------------


async def test_without_a_source_the_pane_says_how_to_get_one() -> None:
    app = LogsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.pane
        message = str(pane.query_one("#logs-empty").render())
        assert NO_SOURCE in message
        assert "press l on a pod" in message.lower() and "--log-file PATH" in message
        assert pane.has_class("-empty")
        assert pane._border_title is not None and pane._border_title.plain == "4 Logs"
        await pilot.press("slash", "space", "m", "c")  # nothing to act on: nothing happens
        assert pane.typing is None and app.evidence == []

        feed = LogFeed()
        pane.attach(feed, "payments/[b]api")
        await started(pilot, feed)
        assert not pane.has_class("-empty")
        assert pane._border_title.plain == "4 Logs · payments/[b]api"  # literally
        assert app.focused is pane.view

        pane.detach()
        await pilot.pause()
        assert pane.status_text.startswith("stopped")
        assert shown(pane)[-1] == "request 39 handled"  # still there to read and mark
        await pilot.press("c")
        assert pane.has_class("-empty")


class EarlyAttachApp(LogsApp):
    """Attaches before the pane is mounted, as an app might while composing."""

    def compose(self) -> ComposeResult:
        pane = LogsPane(4, drain_seconds=0.01)
        assert self.feed is not None
        pane.attach(self.feed, "early")
        yield pane


async def test_attaching_before_mount_starts_once_mounted() -> None:
    feed = LogFeed()
    feed.put(numbered(0, 3))
    app = EarlyAttachApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.pane.received == 3, pilot)
        await pilot.pause()
        assert shown(app.pane)[-1] == "request 2 handled"
        assert app.pane._border_title is not None
        assert app.pane._border_title.plain == "4 Logs · early"


# -- following -------------------------------------------------------------------------------


async def test_follow_keeps_the_newest_line_at_the_bottom() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed)
        assert not pane.paused
        assert pane._border_title is not None
        assert pane._border_title.plain == "4 Logs · payments/api-7f8d9c-ccccc"
        for batch in range(5):
            await put(pilot, feed, numbered(40 + batch * 30, 30))
            assert shown(pane)[-1] == f"request {69 + batch * 30} handled"
        view = pane.view
        assert view.scroll_offset.y == view.max_scroll_y
        assert view.size.height == 21  # 24 rows less the borders and the key bar
        assert shown(pane) == [f"request {n} handled" for n in range(169, 190)]
        assert pane.status_text == "live · 190 lines"


async def test_pause_holds_the_view_and_counts_what_waits_then_resume_jumps_to_the_end() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed)
        await pilot.press("space")
        assert pane.paused
        before = rows(pane)
        await put(pilot, feed, numbered(40, 1234))
        assert rows(pane) == before  # not one row moved
        assert pane.status_text == "live · paused · 1,234 new · 40 lines"
        await pilot.press("space")
        await wait_for(lambda: not pane.paused and len(pane.buffer) == 1274, pilot)
        await pilot.pause()
        assert shown(pane)[-1] == "request 1273 handled"
        assert pane.status_text == "live · 1,274 lines"
        # Moving the cursor up pauses too; G (or End) follows again.
        await pilot.press("up", "up")
        assert pane.paused
        await put(pilot, feed, numbered(1274, 5))
        assert pane.waiting == 5
        await pilot.press("G")
        await wait_for(lambda: not pane.paused, pilot)
        await pilot.pause()
        assert shown(pane)[-1] == "request 1278 handled"
        await pilot.press("up", "end")
        await wait_for(lambda: not pane.paused, pilot)


async def test_the_ring_drops_the_oldest_and_says_how_many() -> None:
    feed = LogFeed()
    app = LogsApp(feed, capacity=50)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed, numbered(0, 120))
        assert len(pane.buffer) == 50
        assert pane.dropped == 70
        assert pane.status_text == "live · 50 lines · 70 dropped"
        await pilot.press("home")
        assert shown(pane)[0] == "request 70 handled"


async def test_source_states_show_in_the_subtitle() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(120, 24)) as pilot:
        pane = await started(pilot, feed)
        feed.set_state(SourceState(API.label, "reconnecting", "in 4 s: connection [b]refused"))
        await wait_for(lambda: "reconnecting" in pane.status_text, pilot)
        assert pane.status_text == "reconnecting in 4 s: connection [b]refused · 40 lines"
        feed.set_state(SourceState(WORKER.label, "error", "403 Forbidden"))
        await wait_for(lambda: "error" in pane.status_text, pilot)
        assert pane.status_text.startswith("worker-0: error: 403 Forbidden (+1 more)")
        assert pane.has_class("-trouble")


def test_state_text_names_the_worst_source() -> None:
    live = SourceState("a", "live")
    assert state_text({}).plain == "connecting…"
    assert state_text({"a": live}).plain == "live"
    assert state_text({"a": live, "b": SourceState("b", "live")}).plain == "2 live"
    ended = SourceState("b", "ended")
    assert state_text({"a": live, "b": ended}).plain == "b: ended · 1 live"
    retry = SourceState("c", "reconnecting", "connection refused")
    assert state_text({"a": live, "b": ended, "c": retry}).plain == (
        "c: reconnecting: connection refused (+1 more) · 1 live"
    )


# -- filter, highlight, level --------------------------------------------------------------------


MIXED = [
    line("GET /health 200", 0),
    line("POST /orders 502 upstream timeout", 1, level=Level.ERROR),
    line("Timeout talking to db-primary:5432", 2, level=Level.WARN),
    line("job 17 done", 3, WORKER, level=Level.INFO),
    line("retrying job 18 after timeout", 4, WORKER, level=Level.DEBUG),
    line("GET /health 200", 5),
]


async def test_slash_filters_with_includes_and_excludes_and_escape_clears() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, MIXED)
        await pilot.press("slash")
        assert pane.typing == "filter" and app.focused is pane.query_one(Input)
        await pilot.press(*"timeout -db", "enter")
        assert pane.typing is None and app.focused is pane.view
        assert [r.split(maxsplit=1)[1] for r in shown(pane)] == [
            "POST /orders 502 upstream timeout",
            "retrying job 18 after timeout",
        ]
        assert pane.line_text == "filter: timeout -db"
        assert pane.status_text.endswith("2 of 6 lines")
        # New lines are filtered as they arrive.
        await put(pilot, feed, [line("GET /health 200", 6), line("read timeout", 7)])
        assert shown(pane)[-1].endswith("read timeout")
        assert len(shown(pane)) == 3
        await pilot.press("escape")
        assert len(shown(pane)) == 8
        assert pane.line_text == "" and not pane.filter.active


async def test_a_filter_typed_ahead_goes_into_the_field() -> None:
    # Keys queued at once (a busy console): after "/", "h" and "/" are text, not keys.
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, MIXED)
        for key, character in [("slash", "/"), *((c, c) for c in "health"), ("slash", "/")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        assert pane.typing == "filter" and pane.query_one(Input).value == "health/"


async def test_an_invalid_regex_is_shown_and_the_filter_stays() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, MIXED)
        await pilot.press("slash", *"health", "enter")
        assert len(shown(pane)) == 2
        await pilot.press("slash", "ctrl+u", *"(oops", "enter")
        assert pane.typing == "filter"  # still open, to fix it
        assert pane.error is not None and pane.error.startswith("not a valid pattern: '(oops'")
        assert pane.line_text == pane.error
        assert str(pane.query_one("#logs-line").render()) == pane.error
        assert pane.filter.text == "health" and len(shown(pane)) == 2
        await pilot.press("escape")  # clears the filter and the complaint
        assert pane.typing is None and pane.error is None
        assert len(shown(pane)) == 6
        assert app.is_running


async def test_highlight_marks_matches_and_hides_nothing() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, MIXED)
        await pilot.press("h", *"time", "o", "u", "t", "enter")
        assert len(shown(pane)) == 6
        assert pane.line_text == "highlight: timeout"
        marked = []
        for y in range(pane.view.size.height):
            for segment in pane.view.render_line(y):
                style = segment.style or Style()
                if style.reverse and style.bold:
                    marked.append(segment.text)
        assert marked == ["timeout", "Timeout", "timeout"]  # smart case: any case
        await pilot.press("h", "ctrl+u", "escape")
        assert pane.line_text == "" and pane.view.highlight is None


async def test_level_cycles_all_info_warn_error() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, MIXED)
        counts = [len(shown(pane))]
        for _ in range(4):
            await pilot.press("L")
            counts.append(len(shown(pane)))
        # all; info hides debug (unknown levels count as info); warn; error; all again.
        assert counts == [6, 5, 2, 1, 6]
        await pilot.press("L", "L")
        assert pane.line_text == "level ≥ warn"
        assert pane.filter == LogFilter(min_level=Level.WARN)


# -- wrap, timestamps, sources, JSON ---------------------------------------------------------------


LONG = "payment gateway said: " + " ".join(f"field{n}=value{n}" for n in range(30))


async def test_wrap_folds_long_lines_and_follows_a_width_change() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed, [line("short", 0), line(LONG, 1), line("after", 2)])
        assert shown(pane) == ["short", LONG[: pane.view.size.width].rstrip(), "after"]
        await pilot.press("w")
        wrapped = [row for row in pane.view.row_texts() if row.strip()]
        width = pane.view.size.width
        assert wrapped[0].rstrip() == "short" and wrapped[-1].rstrip() == "after"
        assert "".join(wrapped[1:-1]).rstrip() == LONG
        assert len(wrapped) - 2 == -(-len(LONG) // width)
        await pilot.resize_terminal(50, 24)
        await wait_for(lambda: pane.view.size.width < width, pilot)
        await pilot.pause()
        narrow = [row for row in pane.view.row_texts() if row.strip()]
        assert "".join(narrow[1:-1]).rstrip() == LONG
        assert len(narrow) - 2 == -(-len(LONG) // pane.view.size.width)
        await pilot.press("w")
        assert len(shown(pane)) == 3


async def test_timestamps_and_source_labels() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, [line("one", 1), line("two", 62, WORKER)])
        # Two sources: each line says where it came from.
        assert shown(pane) == ["api-7f8d9c-ccccc/api one", "worker-0             two"]
        await pilot.press("t")
        assert shown(pane) == [
            "14:35:01.007 api-7f8d9c-ccccc/api one",
            "14:36:02.434 worker-0             two",
        ]
        await pilot.press("t")
        assert shown(pane)[0].startswith("api-7f8d9c-ccccc/api one")


async def test_one_source_has_no_label_column_and_a_timestamp_less_line_is_blank() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, [line("one", 1), LogLine(API, "no time")])
        await pilot.press("t")
        assert shown(pane) == ["14:35:01.007 one", "             no time"]


JSON_LINE = '{"level":"error","msg":"charge failed","order":{"id":17,"total":"12.50"}}'


async def test_enter_expands_the_cursor_json_line_and_collapses_it() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(100, 24)) as pilot:
        pane = await started(pilot, feed, [line("plain", 0), line(JSON_LINE, 1), line("after", 2)])
        await pilot.press("up")
        await pilot.press("enter")
        assert shown(pane) == [
            "plain",
            "{",
            '  "level": "error",',
            '  "msg": "charge failed",',
            '  "order": {',
            '    "id": 17,',
            '    "total": "12.50"',
            "  }",
            "}",
            "after",
        ]
        await pilot.press("e")
        assert shown(pane) == ["plain", JSON_LINE, "after"]
        await pilot.press("up", "e")  # not JSON: nothing expands
        assert len(shown(pane)) == 3


# -- marking and saving ------------------------------------------------------------------------


async def test_m_marks_the_cursor_line_as_evidence() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, feed)
        await pilot.press("up", "up", "m")
        await pilot.pause()
        assert len(app.evidence) == 1
        marked = app.evidence[0]
        assert [x.text for x in marked.lines] == ["request 37 handled"]
        assert marked.lines[0].origin == API  # the line itself, with where it came from
        assert marked.title == "payments/api-7f8d9c-ccccc"


@pytest.mark.parametrize(
    "keys",
    [
        ("up", "v", "up", "up"),
        ("up", "shift+up", "shift+up"),
        ("up", "up", "up", "v", "down", "down"),
    ],
)
async def test_a_range_is_marked_as_one_piece_of_evidence(keys: tuple[str, ...]) -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed)
        await pilot.press(*keys, "m")
        await pilot.pause()
        assert [[x.text for x in m.lines] for m in app.evidence] == [
            ["request 36 handled", "request 37 handled", "request 38 handled"]
        ]
        assert pane.view.anchor_seq is None  # the selection is done with


async def test_a_range_marks_only_the_lines_the_filter_shows() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, feed, MIXED)
        await pilot.press("slash", *"health", "enter", "home", "v", "end")
        await pilot.press("v", "G")  # following again drops the range
        assert app.pane.view.anchor_seq is None
        await pilot.press("home", "v", "down", "m")
        await pilot.pause()
        assert [x.time for x in app.evidence[0].lines] == [MIXED[0].time, MIXED[5].time]


async def test_ctrl_s_asks_the_app_to_save_everything_held() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed, MIXED)
        await pilot.press("slash", *"timeout", "enter", "space")
        await put(pilot, feed, [line("waiting while paused", 9)])
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(app.saves) == 1
        saved = app.saves[0]
        # The whole buffer, filter or not, and what waits while paused.
        assert [x.text for x in saved.lines] == [x.text for x in MIXED] + ["waiting while paused"]
        assert saved.suggested_name == "payments-api-7f8d9c-ccccc-20261122T143500Z.log"
        assert pane.paused


def test_suggested_names_are_safe_file_names() -> None:
    name = suggested_name("../../etc/passwd; rm -rf", T0)
    assert name == "etc-passwd-rm--rf-20261122T143500Z.log"
    assert suggested_name("", T0) == "logs-20261122T143500Z.log"


async def test_c_clears_the_buffer_and_follows_from_now() -> None:
    feed = LogFeed()
    app = LogsApp(feed, capacity=10)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await started(pilot, feed, numbered(0, 25))
        await pilot.press("up", "c")
        assert len(pane.buffer) == 0 and pane.dropped == 0 and not pane.paused
        assert shown(pane) == []
        await put(pilot, feed, numbered(25, 2))
        assert shown(pane) == ["request 25 handled", "request 26 handled"]


async def test_key_bar_shows_the_main_logs_keys() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    async with app.run_test(size=(160, 24)) as pilot:
        await started(pilot, feed)
        bar = str(app.query_one(KeyBar).render())
        for word in ("Filter", "Highlight", "Level", "Pause", "Mark", "Wrap"):
            assert word in bar
        ids = {b.id for b in app.pane.BINDINGS if hasattr(b, "id")}  # type: ignore[union-attr]
        assert all(i is not None and i.startswith("logs.") for i in ids)


# -- hostile lines ---------------------------------------------------------------------------------


HOSTILE = [
    "[red]x[/]",
    "[@click=app.quit]quit[/]",
    "[/]",
    "[b]unclosed",
    "abc\u202edef reversed?",
    "family: 👨\u200d👩\u200d👧 joined",
    "日本語のログ行 wide 漢字",
    "raw \x1b[31mescape\x1b[0m and \x07 bell",
]
BIG = "A" * 10_000 + " …[cut 990000 chars]"  # a 1 MB line, as its source cut it


async def test_hostile_lines_are_shown_literally_and_harm_nothing() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    lines = [line(text, n) for n, text in enumerate(HOSTILE)]
    lines.append(line("bad colour", 20, spans=((0, 3, "[not a style"), (4, 99, "bold red"))))
    lines.append(line("short but cut", 21, cut=5))
    lines.append(line(BIG, 22, cut=990_000))
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await started(pilot, feed, lines)
        screen = "\n".join(rows(pane))
        for text in HOSTILE[:4]:
            assert text in rows(pane)  # exactly that, on its own row
        for hidden in ("\u202e", "\u200d", "\x1b", "\x07"):
            assert hidden not in screen
        assert "abc\ufffddef reversed?" in screen
        assert "family: 👨\ufffd👩\ufffd👧 joined" in screen
        assert "日本語のログ行 wide 漢字" in screen
        assert "raw \ufffd[31mescape\ufffd[0m and \ufffd bell" in screen
        assert "bad colour" in screen
        assert "short but cut …[cut 5 chars]" in screen
        await pilot.press("w")  # the big line's end comes into view
        screen = "\n".join(rows(pane))
        assert screen.count("…[cut 990000 chars]") == 1  # the source's marker, not doubled
        assert screen.endswith("AAAA …[cut 990000 chars]")
        await pilot.press("w")
        # The rendered picture has them too, and the app is still here.
        picture = app.export_screenshot().replace("&#160;", " ")
        assert "[red]x[/]" in picture
        await pilot.press("t", "home")
        await pilot.click(pane.view, offset=(5, 1))  # on the [@click=app.quit] line
        await pilot.press("m")
        await pilot.pause()
        assert app.is_running
        assert app.evidence[-1].lines[0].text == "[@click=app.quit]quit[/]"
        await pilot.press("slash", *"[b]", "enter")  # a regex class, not markup
        assert app.is_running and pane.error is None


async def test_wide_characters_are_never_split_when_wrapping() -> None:
    feed = LogFeed()
    app = LogsApp(feed)
    text = "漢" * 100
    async with app.run_test(size=(41, 24)) as pilot:  # an odd width: 39 cells of content
        pane = await started(pilot, feed, [line(text, 0)])
        await pilot.press("w")
        wrapped = shown(pane)
        assert "".join(wrapped) == text
        assert all(len(r) == 19 for r in wrapped[:-1])


# -- pictures --------------------------------------------------------------------------------------

SNAPSHOT_LINES = [
    line("Starting payments-api 1.4.2 on :8080", 0, level=Level.INFO),
    line("GET /health 200 1ms", 1, API2),
    line("POST /orders 502 upstream timeout after 30000ms", 2, level=Level.ERROR),
    line("    at PaymentClient.charge(PaymentClient.java:88)", 2),
    line("Timeout talking to db-primary:5432, retrying", 3, API2, level=Level.WARN),
    line(JSON_LINE, 4, level=Level.ERROR),
    line("job 17 done in 120ms", 5, WORKER, level=Level.INFO),
    line("debug: pool size 10/10", 6, WORKER, level=Level.DEBUG),
    line("[red]x[/] is what a pod printed", 7, API2),
    line(LONG, 8),
    line("GET /health 200 1ms", 9, API2, spans=((11, 14, "green"),)),
]


def fed(*keys: str, lines: list[LogLine] = SNAPSHOT_LINES):  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        feed = pilot.app.feed
        feed.set_state(SourceState(API.label, "live"))
        feed.set_state(SourceState(API2.label, "live"))
        feed.set_state(SourceState(WORKER.label, "live"))
        await put(pilot, feed, lines)
        await pilot.press(*keys)
        await pilot.pause()

    return run


def test_merged_stream_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(LogsApp(LogFeed()), terminal_size=(80, 24), run_before=fed("t"))


def test_filtered_wrapped_expanded_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    keys = ("slash", *"-health", "enter", "h", *"timeout", "enter", "w", *["up"] * 4, "e")
    assert snap_compare(LogsApp(LogFeed()), terminal_size=(160, 48), run_before=fed(*keys))


def test_no_source_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(LogsApp(), terminal_size=(80, 24))
