"""The review's event list: a million rows drawn one screen row at a time.

Built on Textual's Line API: the list knows only how many rows match and holds
a few pages of events (LRU). A row whose page is not here yet is drawn as a
placeholder and a `PageWanted` message asks the screen for that page, which it
reads from the file in a worker and hands back with `set_page`. Each filter
change starts a new generation, so a late page of an old filter is dropped.

Every cell is built from `Text`: an event's text never becomes markup.
"""

from __future__ import annotations

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

from tui.safetext import one_line
from tui.timeline.model import Event
from widgets.timeline_pane import KIND_LABELS, KIND_STYLES

PAGE = 200
KEPT_PAGES = 64
PIN_MARK = "★"
DIM = Style(dim=True)


class ReviewList(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"review-list--cursor"}

    DEFAULT_CSS = """
    ReviewList {
        background: $surface;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
        height: 1fr;
    }
    ReviewList > .review-list--cursor { background: $panel-lighten-2; }
    ReviewList:focus > .review-list--cursor { background: $accent 45%; }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Up", show=False, id="review.up"),
        Binding("down", "move(1)", "Down", show=False, id="review.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="review.page_up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="review.page_down"),
        Binding("home,g", "first", "First", show=False, id="review.first", tooltip="First event"),
        Binding(
            "end,G",
            "last",
            "Last",
            id="review.last",
            tooltip="Last event, and follow new ones as they are written",
        ),
        Binding(
            "enter", "open", "Details", id="review.open", tooltip="The event with all its data"
        ),
    ]

    class PageWanted(Message):
        def __init__(self, generation: int, start: int) -> None:
            super().__init__()
            self.generation = generation
            self.start = start

    class Opened(Message):
        def __init__(self, event: Event) -> None:
            super().__init__()
            self.event = event

    class CursorMoved(Message):
        def __init__(self, position: int, total: int, following: bool) -> None:
            super().__init__()
            self.position = position
            self.total = total
            self.following = following

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ReviewList.CursorMoved)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.generation = 0
        self.cursor = 0
        self.following = False
        self.pinned: frozenset[str] = frozenset()
        self.seq_width = 4
        self._pages: LRUCache[int, list[Event]] = LRUCache(KEPT_PAGES)
        self._asked: set[int] = set()

    # -- what the screen tells the list ---------------------------------------------------

    def reset(self, total: int, *, cursor: int = 0, max_seq: int = 0) -> int:
        """A new set of rows (filter changed); returns the generation pages must carry."""
        self.generation += 1
        self.total = total
        self.seq_width = max(len(str(max_seq or total)), 3)
        self._pages.clear()
        self._asked.clear()
        self.virtual_size = Size(self.size.width, total)
        self.move_to(min(cursor, max(total - 1, 0)))
        self.refresh()
        return self.generation

    def grow(self, total: int, *, max_seq: int = 0) -> None:
        """More rows matched at the end (the file is still being written)."""
        if total <= self.total:
            return
        last_page = (self.total - 1) // PAGE if self.total else 0
        # The last page held so far was short: it must be fetched again.
        self._pages.discard(last_page)
        self._asked.discard(last_page)
        self.total = total
        self.seq_width = max(self.seq_width, len(str(max_seq)))
        self.virtual_size = Size(self.size.width, total)
        if self.following:
            self.move_to(total - 1)
        self.refresh()
        self._announce()

    def set_page(self, generation: int, start: int, events: list[Event]) -> None:
        if generation != self.generation:
            return
        self._pages[start // PAGE] = events
        self.refresh()

    def set_pinned(self, pinned: frozenset[str]) -> None:
        if pinned != self.pinned:
            self.pinned = pinned
            self.refresh()

    def event_at(self, position: int) -> Event | None:
        page = self._pages.get(position // PAGE)
        if page is None:
            return None
        offset = position % PAGE
        return page[offset] if offset < len(page) else None

    @property
    def loaded(self) -> bool:
        """The rows on screen are all drawn from events (for tests and benchmarks)."""
        top = self.scroll_offset.y
        visible = range(top, min(top + max(self.size.height, 1), self.total))
        return all(self.event_at(position) is not None for position in visible)

    # -- cursor -----------------------------------------------------------------------------

    def move_to(self, position: int) -> None:
        self.cursor = min(max(position, 0), max(self.total - 1, 0))
        if self.cursor != self.total - 1:
            self.following = False
        height = max(self.size.height, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        self.refresh()
        self._announce()

    def _announce(self) -> None:
        self.post_message(self.CursorMoved(self.cursor, self.total, self.following))

    def action_move(self, delta: int) -> None:
        self.following = False
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.following = False
        self.move_to(self.cursor + direction * max(self.size.height - 1, 1))

    def action_first(self) -> None:
        self.following = False
        self.move_to(0)

    def action_last(self) -> None:
        self.following = True
        self.move_to(self.total - 1)

    def action_open(self) -> None:
        event = self.event_at(self.cursor)
        if event is not None:
            self.post_message(self.Opened(event))

    def on_click(self, event: events.Click) -> None:
        position = self.scroll_offset.y + event.y
        if 0 <= position < self.total:
            self.following = False
            self.move_to(position)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.total)

    # -- drawing ----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        position = self.scroll_offset.y + y
        if position >= self.total:
            return Strip.blank(width, self.rich_style)
        event = self.event_at(position)
        if event is None:
            self._want(position)
            text = Text(f"{'…':>{self.seq_width + 1}}", style=DIM)
        else:
            text = self.row_text(event)
        base = self.rich_style
        strip = Strip(list(text.render(self.app.console)), text.cell_len).apply_style(base)
        strip = strip.crop_extend(0, width, base)
        if position == self.cursor:
            cursor = self.get_component_rich_style("review-list--cursor")
            strip = Strip(
                Segment.apply_style(strip, post_style=Style(bgcolor=cursor.bgcolor)), width
            )
        return strip

    def _want(self, position: int) -> None:
        page = position // PAGE
        if page not in self._asked:
            self._asked.add(page)
            self.post_message(self.PageWanted(self.generation, page * PAGE))

    def row_text(self, event: Event) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        pinned = event.uuid in self.pinned
        text.append(f"{event.seq:>{self.seq_width}}", "dim")
        text.append(PIN_MARK if pinned else " ", "bold yellow")
        text.append(event.ts.strftime("%m-%d %H:%M:%S"), "dim")
        text.append(" ")
        label = KIND_LABELS.get(event.kind, event.kind)
        text.append(f"{one_line(label, max_chars=9):<9.9}", KIND_STYLES.get(event.kind, "italic"))
        text.append(" ")
        text.append(one_line(event.actor.split("@")[0], max_chars=12), "cyan")
        text.append(": ")
        text.append(one_line(event.text, max_chars=400))
        return text

    def row_texts(self) -> list[str]:
        """What each row on screen reads, as plain text (for tests)."""
        return [self.render_line(y).text for y in range(self.size.height)]
