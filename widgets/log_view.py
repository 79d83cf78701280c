"""The Logs pane's line view: the buffer's filtered lines, drawn one screen row at a time.

Built on Textual's Line API: `render_line` is asked only for the rows on screen,
so 20,000 lines cost what 48 do. A line's rows are rendered once per layout
(width, wrap, columns, highlight, pan) and kept in a small LRU keyed on its seq;
the cursor and the selection are laid over them when a row is drawn.

Rows: without wrap a line is one row; with wrap, `RowMap` keeps running row
totals that follow the buffer's view as lines come and go, so finding the line
under a row is a bisection and a new batch costs O(its lines). The one expanded
JSON line is laid over either as extra rows.

Everything shown is built from `Text` and `Style`, never markup, and passes a
length-preserving scrub (controls, bidirectional and zero-width characters
become U+FFFD) even though sources clean their lines already: a line that slips
through must not reorder or hide what follows it. While redaction is on
(tui/redact.py) secrets are masked before that; the layout keys on the redaction
state, so switching it lays every line out again.
"""

from __future__ import annotations

import json
import re
import zlib
from bisect import bisect_right
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import accumulate, islice
from typing import Any

from rich.cells import cell_len, split_graphemes
from rich.errors import StyleSyntaxError
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui import screen_redaction
from tui.sources.log_model import Level, LogLine
from widgets.log_buffer import LogBuffer
from widgets.log_filter import highlight_spans

# Longer lines are cut for display (sources cut at 10,000 characters already).
MAX_SHOWN_CHARS = 20_000
# An expanded JSON line shows at most this many rows.
MAX_JSON_ROWS = 500
LABEL_MAX = 28
TIMESTAMP_WIDTH = 12  # HH:MM:SS.mmm
STRIP_CACHE = 1024

# Length-preserving, so ANSI span offsets still line up: C0/C1 controls, zero-width
# characters and joiners, line/paragraph separators, bidi embeddings and isolates.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_CUT_MARKER = re.compile(r"…\[cut \d+ chars\]$")
_JSON_KEY = re.compile(r'"(?:[^"\\]|\\.)*"(?=\s*:)')

# Sixteen-colour names, so every terminal shows them; red is kept for errors.
LABEL_PALETTE = ("cyan", "magenta", "green", "blue", "yellow", "bright_cyan",
                 "bright_magenta", "bright_green", "bright_blue", "bright_yellow")  # fmt: skip
LEVEL_STYLES: dict[Level, Style] = {
    Level.FATAL: Style(color="red", bold=True),
    Level.ERROR: Style(color="red"),
    Level.WARN: Style(color="yellow"),
    Level.DEBUG: Style(dim=True),
    Level.TRACE: Style(dim=True),
}
HIGHLIGHT = Style(reverse=True, bold=True)
DIM = Style(dim=True)
JSON_KEY = Style(dim=True)


def scrub(text: str) -> str:
    """`text` with anything that could disturb the terminal replaced, length unchanged."""
    return _UNSAFE.sub("\ufffd", text)


def label_style(label: str) -> Style:
    """A stable colour per source: the same label gets the same colour in every run."""
    return Style(color=LABEL_PALETTE[zlib.crc32(label.encode()) % len(LABEL_PALETTE)])


def clock_text(when: datetime | None) -> str:
    """HH:MM:SS.mmm in UTC (naive times are taken as UTC), or blanks when unknown."""
    if when is None:
        return " " * TIMESTAMP_WIDTH
    if when.tzinfo is not None:
        when = when.astimezone(UTC)
    return f"{when:%H:%M:%S}.{when.microsecond // 1000:03d}"


def shown_text(line: LogLine, text: str | None = None) -> tuple[str, str]:
    """The scrubbed text to show and its cut suffix (empty when nothing was cut).

    `text` is the line's text as the screen may show it (secrets masked), when the
    caller has it already."""
    text = screen_redaction.on_screen(line.text) if text is None else text
    extra = max(0, len(text) - MAX_SHOWN_CHARS)
    if extra:
        text = text[:MAX_SHOWN_CHARS]
    cut = line.cut + extra
    # Sources append their own marker when they cut: do not say it twice.
    if cut <= 0 or (not extra and _CUT_MARKER.search(text) is not None):
        return scrub(text), ""
    return scrub(text), f" …[cut {cut} chars]"


def json_object(text: str) -> dict[str, Any] | None:
    """The object a JSON line holds, or None when it is not one."""
    if not text.startswith("{") or not text.rstrip().endswith("}"):
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def fold_offsets(plain: str, width: int) -> list[int]:
    """Character offsets where `plain` breaks into rows of at most `width` cells.

    Wide characters are never split; they move to the next row whole.
    """
    width = max(1, width)
    if plain.isascii():
        return list(range(width, len(plain), width))
    cuts: list[int] = []
    used = 0
    for start, _end, cells in split_graphemes(plain)[0]:
        if used + cells > width and used:
            cuts.append(start)
            used = 0
        used += cells
    return cuts


def rows_needed(plain_length: int, plain: str | None, width: int) -> int:
    """How many rows a content of `plain_length` characters takes when folded."""
    width = max(1, width)
    if plain is None:  # all single-cell: arithmetic suffices
        return 1 if plain_length <= width else -(-plain_length // width)
    return len(fold_offsets(plain, width)) + 1


def _style_spans(content: Text, line: LogLine, length: int) -> None:
    for start, end, spec in line.spans:
        if start >= length or end <= start:
            continue
        try:
            style = Style.parse(spec)
        except StyleSyntaxError:
            continue  # a colour we cannot name: the text still shows
        content.stylize(style, max(0, start), min(end, length))


class RowMap:
    """Rows taken by the entries of the buffer's view when lines wrap: running totals.

    `_ends[i]` is the total number of rows up to and including entry `i - _head`
    of the view, counted from an arbitrary origin; `_base` is the total before
    the first live entry. Lines trimmed from the front move `_head`; new lines
    append: O(new lines) per batch.
    """

    def __init__(self) -> None:
        self.invalidate()

    def invalidate(self) -> None:
        self._epoch = -1
        self._ends: list[int] = []
        self._head = 0
        self._base = 0
        self._trimmed = 0

    def sync(self, buffer: LogBuffer, rows_of: Callable[[list[LogLine]], list[int]]) -> None:
        if self._epoch != buffer.view_epoch:
            self.invalidate()
            self._epoch, self._trimmed = buffer.view_epoch, buffer.view_trimmed
        gone = buffer.view_trimmed - self._trimmed
        self._trimmed = buffer.view_trimmed
        known = len(self._ends) - self._head
        if gone >= known:
            # Everything counted is gone (and perhaps part of the new batch too).
            self._ends, self._head, self._base = [], 0, 0
            survivors = 0
        else:
            if gone:
                self._base = self._ends[self._head + gone - 1]
                self._head += gone
            survivors = known - gone
        ends = self._ends
        total = ends[-1] if len(ends) > self._head else self._base
        counts = rows_of(buffer.view_lines(survivors))
        ends.extend(islice(accumulate(counts, initial=total), 1, None))
        if self._head > 1024 and self._head * 2 > len(ends):
            del ends[: self._head]
            self._head = 0

    @property
    def total(self) -> int:
        ends = self._ends
        return (ends[-1] if len(ends) > self._head else self._base) - self._base

    def rows_before(self, pos: int) -> int:
        if pos <= 0:
            return 0
        return self._ends[self._head + pos - 1] - self._base

    def locate(self, row: int) -> tuple[int, int]:
        """The entry holding `row`, and the row's place within it."""
        pos = bisect_right(self._ends, self._base + row, self._head) - self._head
        return pos, row - self.rows_before(pos)


class FollowChanged(Message):
    """The view started or stopped following the end of the stream."""

    def __init__(self, following: bool) -> None:
        super().__init__()
        self.following = following


class LogView(ScrollView, can_focus=True):
    """The lines of a `LogBuffer`'s view, with a cursor, a selection and one expanded line."""

    COMPONENT_CLASSES = {"log-view--cursor", "log-view--selection"}

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    LogView > .log-view--cursor { background: $panel-lighten-2; }
    LogView:focus > .log-view--cursor { background: $accent 45%; }
    LogView > .log-view--selection { background: $primary 35%; }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="logs.cursor_up",
                tooltip="Cursor up one line (stops following)"),
        Binding("down", "move(1)", "Down", show=False, id="logs.cursor_down",
                tooltip="Cursor down one line"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="logs.page_up",
                tooltip="Cursor up one screen (stops following)"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="logs.page_down",
                tooltip="Cursor down one screen"),
        Binding("home,g", "first", "First", show=False, id="logs.first",
                tooltip="Cursor to the oldest line held (stops following)"),
        Binding("end,G", "follow", "Follow", show=False, id="logs.end",
                tooltip="Jump to the newest line and follow again"),
        Binding("shift+up", "move(-1, True)", "Select up", show=False, id="logs.select_up",
                tooltip="Extend the selection up a line"),
        Binding("shift+down", "move(1, True)", "Select down", show=False,
                id="logs.select_down", tooltip="Extend the selection down a line"),
        Binding("v", "toggle_range", "Range", show=False, id="logs.range",
                tooltip="Start (or drop) a range selection at the cursor"),
        Binding("left", "pan(-1)", "Left", show=False, id="logs.pan_left",
                tooltip="Scroll long lines left (when not wrapping)"),
        Binding("right", "pan(1)", "Right", show=False, id="logs.pan_right",
                tooltip="Scroll long lines right (when not wrapping)"),
    ]  # fmt: skip

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.following = True
        self.wrap = False
        self.timestamps = False
        self.highlight: re.Pattern[str] | None = None
        self.cursor_seq: int | None = None
        self.anchor_seq: int | None = None  # where a range selection started
        self.expanded_seq: int | None = None
        self.pan = 0
        self._rows = RowMap()
        self._strips: LRUCache[tuple[int, tuple[Any, ...]], list[Strip]] = LRUCache(STRIP_CACHE)
        self._label_count = -1
        self._label_width = 0
        self._layout: tuple[Any, ...] = ()
        self._rows_layout: tuple[Any, ...] = ()
        self._expanded_pos: int | None = None
        self._expanded_rows = 0
        self._expanded_extra = 0
        self._overlay: dict[str, Style] = {}
        self._epoch_seen = buffer.view_epoch

    @property
    def focusable(self) -> bool:
        # Hidden while the pane has no source: focus belongs to the pane's message then.
        return super().focusable and self.display

    # -- layout ------------------------------------------------------------------------------

    @property
    def show_labels(self) -> bool:
        """Source labels are shown once lines from more than one source are held."""
        return len(self.buffer.labels) > 1

    @property
    def prefix_width(self) -> int:
        width = TIMESTAMP_WIDTH + 1 if self.timestamps else 0
        return width + (self._label_width + 1 if self.show_labels else 0)

    @property
    def content_width(self) -> int:
        return max(8, self.size.width - self.prefix_width)

    def _measure_labels(self) -> None:
        """Size the label column again when sources came or went (not on every batch)."""
        labels = self.buffer.labels
        if len(labels) == self._label_count:
            return
        self._label_count = len(labels)
        widest = max((cell_len(scrub(label)) for label in labels), default=0)
        # At most a quarter of the width: the lines themselves matter more.
        self._label_width = min(widest, LABEL_MAX, max(6, self.size.width // 4))

    def _set_layout(self) -> None:
        """Note what every line's rows depend on: wrapped row counts and cached rows follow."""
        rows_layout = (
            self.size.width,
            self.wrap,
            self.prefix_width,
            screen_redaction.screen_generation,
        )
        if rows_layout != self._rows_layout:
            self._rows_layout = rows_layout
            self._rows.invalidate()
        pattern = self.highlight
        self._layout = (*rows_layout, self.timestamps, self.show_labels, self._label_width,
                        self.pan if not self.wrap else 0,
                        (pattern.pattern, pattern.flags) if pattern else None)  # fmt: skip

    def _line_rows(self, seq: int) -> int:
        """Rows a (not expanded) line takes in the current layout."""
        line = self.buffer.get(seq)
        return 1 if line is None or not self.wrap else self._rows_of([line])[0]

    def _rows_of(self, lines: list[LogLine]) -> list[int]:
        """Rows each line takes when wrapped: arithmetic for plain ASCII, folding otherwise."""
        width = self.content_width
        rows = []
        for line in lines:
            text = screen_redaction.on_screen(line.text)
            if text.isascii() and not line.cut and len(text) <= MAX_SHOWN_CHARS:
                rows.append(1 if len(text) <= width else -(-len(text) // width))
                continue
            shown, suffix = shown_text(line, text)
            plain = shown + suffix
            rows.append(rows_needed(len(plain), None if plain.isascii() else plain, width))
        return rows

    def _base_total(self) -> int:
        return self._rows.total if self.wrap else self.buffer.view_len

    def _base_rows_before(self, pos: int) -> int:
        return self._rows.rows_before(pos) if self.wrap else pos

    def _base_locate(self, row: int) -> tuple[int, int]:
        return self._rows.locate(row) if self.wrap else (row, 0)

    def _place_expanded(self) -> None:
        seq = self.expanded_seq
        self._expanded_pos = None
        if seq is None:
            return
        if not self.buffer.view_contains(seq):
            if self.buffer.get(seq) is None:
                self.expanded_seq = None  # gone from the buffer for good
            return
        self._expanded_pos = self.buffer.view_pos(seq)
        self._expanded_rows = len(self._entry(seq))
        self._expanded_extra = self._expanded_rows - self._line_rows(seq)

    @property
    def total_rows(self) -> int:
        extra = self._expanded_extra if self._expanded_pos is not None else 0
        return self._base_total() + extra

    def rows_before(self, pos: int) -> int:
        """The row where entry `pos` of the view starts."""
        rows = self._base_rows_before(pos)
        expanded = self._expanded_pos
        return rows + self._expanded_extra if expanded is not None and pos > expanded else rows

    def locate(self, row: int) -> tuple[int, int] | None:
        """The view position and sub-row shown at `row`, or None past the end."""
        if row < 0 or row >= self.total_rows:
            return None
        expanded = self._expanded_pos
        if expanded is not None:
            start = self._base_rows_before(expanded)
            if start <= row < start + self._expanded_rows:
                return expanded, row - start
            if row >= start + self._expanded_rows:
                row -= self._expanded_extra
        pos, sub = self._base_locate(row)
        return (pos, sub) if pos < self.buffer.view_len else None

    # -- following the buffer --------------------------------------------------------------------

    def sync(self) -> None:
        """Catch up with the buffer after lines arrived, left, or the filter changed."""
        rebuilt = self.buffer.view_epoch != self._epoch_seen
        self._epoch_seen = self.buffer.view_epoch
        self._measure_labels()
        self._set_layout()
        if self.wrap:
            self._rows.sync(self.buffer, self._rows_of)
        self._place_expanded()
        self._check_cursor()
        self.virtual_size = Size(self.size.width, self.total_rows)
        if self.following:
            self._scroll_end()
        elif rebuilt:
            self.scroll_to_cursor(center=True)
        self.refresh()

    def relayout(self) -> None:
        """Wrap, columns, highlight or pan changed: lay everything out again."""
        self.sync()
        if not self.following:
            self.scroll_to_cursor(center=True)

    def _check_cursor(self) -> None:
        buffer = self.buffer
        if not buffer.view_len:
            self.cursor_seq = self.anchor_seq = None
            return
        if self.following or self.cursor_seq is None:
            self.cursor_seq = buffer.view_seq(buffer.view_len - 1)
            if self.following:
                self.anchor_seq = None
        elif not buffer.view_contains(self.cursor_seq):
            pos = min(buffer.view_pos(self.cursor_seq), buffer.view_len - 1)
            self.cursor_seq = buffer.view_seq(pos)
        if self.anchor_seq is not None and self.anchor_seq < buffer.first_seq:
            self.anchor_seq = buffer.first_seq

    def _scroll_end(self) -> None:
        target = max(0, self.total_rows - self.size.height)
        if self.scroll_offset.y != target:
            self.scroll_to(y=target, animate=False, immediate=True)

    def on_resize(self) -> None:
        self._label_count = -1  # the label column may take a share of the new width
        self.relayout()

    def redaction_changed(self) -> None:
        """Redaction was switched: lines are laid out and drawn again (the layout keys on it)."""
        self.sync()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()
        self._overlay.clear()

    # -- following, cursor and selection --------------------------------------------------------

    def set_following(self, following: bool) -> None:
        """Follow the end of the stream (jumping there), or stop where the cursor is."""
        changed = following != self.following
        self.following = following
        if following:
            self.anchor_seq = None
            self._check_cursor()
            self._scroll_end()
            self.refresh()
        if changed:
            self.post_message(FollowChanged(following))

    @property
    def cursor_pos(self) -> int | None:
        if self.cursor_seq is None or not self.buffer.view_len:
            return None
        return min(self.buffer.view_pos(self.cursor_seq), self.buffer.view_len - 1)

    def move_cursor(self, to: int, *, select: bool = False) -> None:
        """Put the cursor on view position `to` (clamped); stops following."""
        count = self.buffer.view_len
        if not count:
            return
        if self.following:
            self.set_following(False)
        if select and self.anchor_seq is None:
            self.anchor_seq = self.cursor_seq
        self.cursor_seq = self.buffer.view_seq(max(0, min(to, count - 1)))
        self.scroll_to_cursor()
        self.refresh()

    def scroll_to_cursor(self, *, center: bool = False) -> None:
        pos = self.cursor_pos
        if pos is None:
            return
        top, bottom = self.rows_before(pos), self.rows_before(pos + 1)
        height = max(1, self.size.height)
        y = self.scroll_offset.y
        if center and not (y <= top and bottom <= y + height):
            y = top - height // 2
        elif top < y:
            y = top
        elif bottom > y + height:
            y = min(top, bottom - height)
        if y != self.scroll_offset.y:
            self.scroll_to(y=max(0, y), animate=False, immediate=True)

    def selection(self) -> tuple[int, int] | None:
        """The selected seqs, lowest and highest (the cursor line when no range)."""
        if self.cursor_seq is None:
            return None
        anchor = self.cursor_seq if self.anchor_seq is None else self.anchor_seq
        return min(anchor, self.cursor_seq), max(anchor, self.cursor_seq)

    def selected_lines(self) -> list[LogLine]:
        """The lines of the selection that the view shows, oldest first."""
        chosen = self.selection()
        if chosen is None:
            return []
        low, high = chosen
        start = self.buffer.view_pos(low)
        return self.buffer.view_lines(start, self.buffer.view_pos(high + 1))

    def clear_selection(self) -> None:
        if self.anchor_seq is not None:
            self.anchor_seq = None
            self.refresh()

    def toggle_expand(self) -> bool:
        """Expand the cursor's JSON line (collapsing any other), or collapse it; False if
        the cursor is not on a JSON line."""
        seq = self.cursor_seq
        if seq is None:
            return False
        if self.expanded_seq == seq:
            self.expanded_seq = None
        else:
            line = self.buffer.get(seq)
            if line is None or json_object(line.text) is None:
                return False
            self.expanded_seq = seq
        self.sync()
        self.scroll_to_cursor()
        return True

    def reset(self) -> None:
        """A new stream: cursor, selection, expansion and pan start over; follow it."""
        self.cursor_seq = self.anchor_seq = self.expanded_seq = None
        self.pan = 0
        self._label_count = -1
        self.following = True
        self._rows.invalidate()
        self.sync()

    # -- actions -------------------------------------------------------------------------------

    def action_move(self, delta: int, select: bool = False) -> None:
        pos = self.cursor_pos
        if pos is not None:
            self.move_cursor(pos + delta, select=select)

    def action_page(self, direction: int) -> None:
        self.action_move(direction * max(1, self.size.height - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_follow(self) -> None:
        self.set_following(True)

    def action_toggle_range(self) -> None:
        if self.anchor_seq is not None:
            self.clear_selection()
        elif self.cursor_seq is not None:
            if self.following:
                self.set_following(False)
            self.anchor_seq = self.cursor_seq
            self.refresh()

    def action_pan(self, direction: int) -> None:
        if self.wrap:
            return
        step = max(4, self.content_width // 2)
        pan = max(0, min(MAX_SHOWN_CHARS, self.pan + direction * step))
        if pan != self.pan:
            self.pan = pan
            self.relayout()

    def on_click(self, event: events.Click) -> None:
        hit = self.locate(self.scroll_offset.y + event.y)
        if hit is not None:
            self.move_cursor(hit[0])

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        # Looking back means stop following, or the next batch would yank the view away.
        if self.following and self.buffer.view_len:
            self.set_following(False)
        super()._on_mouse_scroll_up(event)

    # -- drawing -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        hit = self.locate(self.scroll_offset.y + y)
        if hit is None:
            return Strip.blank(width, self.rich_style)
        pos, sub = hit
        seq = self.buffer.view_seq(pos)
        rows = self._entry(seq)
        strip = rows[sub] if sub < len(rows) else Strip.blank(width, self.rich_style)
        overlay = self._overlay_for(seq)
        if overlay is not None:
            strip = Strip(Segment.apply_style(strip, post_style=overlay), strip.cell_length)
        return strip

    def _overlay_for(self, seq: int) -> Style | None:
        if seq == self.cursor_seq and (self.has_focus or not self.following):
            return self._overlay_style("log-view--cursor")
        chosen = self.selection() if self.anchor_seq is not None else None
        if chosen is not None and chosen[0] <= seq <= chosen[1]:
            return self._overlay_style("log-view--selection")
        return None

    def _overlay_style(self, name: str) -> Style:
        style = self._overlay.get(name)
        if style is None:
            # Only the background: the line keeps its own colours under the cursor.
            style = Style(bgcolor=self.get_component_rich_style(name).bgcolor)
            self._overlay[name] = style
        return style

    def _entry(self, seq: int) -> list[Strip]:
        """Every row of line `seq` in the current layout, from the cache when possible."""
        key = (seq, self._layout, seq == self.expanded_seq)
        rows = self._strips.get(key)
        if rows is None:
            line = self.buffer.get(seq)
            rows = [Strip.blank(self.size.width)] if line is None else self._render(line, seq)
            self._strips[key] = rows
        return rows

    def _render(self, line: LogLine, seq: int) -> list[Strip]:
        width, base = self.size.width, self.rich_style
        prefix = self._prefix(line)
        indent = Strip.blank(prefix.cell_length)
        contents = self._contents(line, expanded=seq == self.expanded_seq)
        rows: list[Strip] = []
        for content in contents:
            for piece in self._fold(content):
                lead = indent if rows else prefix
                row = Strip.join([lead, piece]).apply_style(base)
                rows.append(row.crop_extend(0, width, base))
        return rows

    def _prefix(self, line: LogLine) -> Strip:
        text = Text(no_wrap=True, end="")
        if self.timestamps:
            text.append(clock_text(line.time), DIM)
            text.append(" ")
        if self.show_labels:
            label = line.origin.label
            shown = Text(scrub(label), style=label_style(label), no_wrap=True, end="")
            shown.truncate(self._label_width, overflow="ellipsis", pad=True)
            text.append_text(shown)
            text.append(" ")
        return self._strip(text)

    def _contents(self, line: LogLine, *, expanded: bool) -> list[Text]:
        """The line as one Text, or, expanded, one Text per row of indented JSON."""
        level = LEVEL_STYLES.get(line.level) if line.level is not None else None
        parsed = json_object(line.text) if expanded else None
        if parsed is not None:
            dumped = json.dumps(parsed, indent=2, ensure_ascii=False).split("\n")
            more = len(dumped) - MAX_JSON_ROWS
            if more > 0:
                dumped = [*dumped[:MAX_JSON_ROWS], f"… {more} more lines"]
            return [
                self._content(
                    scrub(screen_redaction.on_screen(row)), "", level, None, json_keys=True
                )
                for row in dumped
            ]
        text = screen_redaction.on_screen(line.text)
        shown, suffix = shown_text(line, text)
        is_json = json_object(line.text) is not None
        # A masked secret moves the text after it: the source's colour spans would not fit.
        styled = line if text == line.text else None
        return [self._content(shown, suffix, level, styled, json_keys=is_json)]

    def _content(
        self, shown: str, suffix: str, level: Style | None, line: LogLine | None, *, json_keys: bool
    ) -> Text:
        content = Text(shown, no_wrap=True, end="")
        length = len(shown)
        if level is not None:
            # A span, not the Text's own style: rendering a Text alone ignores the latter.
            content.stylize(level, 0, length)
        if line is not None and line.spans:
            _style_spans(content, line, length)
        if json_keys:
            for match in _JSON_KEY.finditer(shown):
                content.stylize(JSON_KEY, match.start(), match.end())
        for start, end in highlight_spans(self.highlight, shown):
            content.stylize(HIGHLIGHT, start, end)
        if suffix:
            content.append(suffix, DIM)
        return content

    def _fold(self, content: Text) -> list[Strip]:
        """The content's rows: folded to the width when wrapping, else one row, panned."""
        avail = self.content_width
        if not self.wrap:
            strip = self._strip(content)
            return [strip.crop(self.pan, self.pan + avail) if self.pan else strip]
        plain = content.plain
        if len(plain) <= avail and plain.isascii():
            return [self._strip(content)]
        return [self._strip(piece) for piece in content.divide(fold_offsets(plain, avail))]

    def _strip(self, text: Text) -> Strip:
        segments = list(text.render(self.app.console))
        return Strip(segments, text.cell_len)

    # -- for tests and the pane ----------------------------------------------------------------

    def row_texts(self) -> list[str]:
        """What each row on screen reads, as plain text."""
        return [self.render_line(y).text for y in range(self.size.height)]
