"""The Logs pane's memory: the last N lines, numbered, and the view the filter lets through.

Every line that ever arrived gets an absolute sequence number (its `seq`), which
never changes and is never reused, even after `clear`: the view's caches and its
cursor are keyed on it, so lines falling out of the ring cannot be mistaken for
new ones. The ring holds `capacity` lines; older ones are dropped and counted.

The filtered view is an ascending list of seqs. New lines are tested once, as
they arrive, and appended; lines falling out are trimmed from its front by
moving a start offset (the list is compacted now and then), so keeping it costs
O(new lines) per batch, never O(buffer). Changing the filter rebuilds it: one
pass over at most `capacity` lines.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from tui.sources.log_model import LogLine, LogOrigin
from widgets.log_filter import inherits_level

# Decides whether a line is shown, given the line and its effective level (0: unknown).
LineTest = Callable[[LogLine, int], bool]

# Stale entries at the front of the view index are removed once they are this many
# and more than half of it: amortised O(1) per trimmed entry.
COMPACT_AFTER = 1024


class LogBuffer:
    def __init__(self, capacity: int = 20_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._slots: list[LogLine | None] = [None] * capacity
        self._levels: list[int] = [0] * capacity
        self.first_seq = 0  # the oldest line held
        self.next_seq = 0  # the seq the next line gets
        self.dropped = 0  # lines pushed out of the ring (or never let in) since the reset
        self._test: LineTest | None = None
        self._index: list[int] = []
        self._head = 0  # entries of _index before this are stale
        self.view_epoch = 0  # bumped when the view is rebuilt: positions start over
        self.view_trimmed = 0  # view entries trimmed from the front since the last rebuild
        # Each source's last effective level (continuation lines inherit it), and labels.
        self._last_level: dict[LogOrigin, int] = {}
        self.labels: dict[str, None] = {}  # in order of first appearance

    # -- the ring ------------------------------------------------------------------------

    def __len__(self) -> int:
        return self.next_seq - self.first_seq

    @property
    def last_seq(self) -> int:
        """The newest line's seq (first_seq - 1 when empty)."""
        return self.next_seq - 1

    def get(self, seq: int) -> LogLine | None:
        if self.first_seq <= seq < self.next_seq:
            return self._slots[seq % self.capacity]
        return None

    def level_of(self, seq: int) -> int:
        """The line's effective level: its own, or that of the line it continues."""
        if self.first_seq <= seq < self.next_seq:
            return self._levels[seq % self.capacity]
        return 0

    def lines(self) -> list[LogLine]:
        """Every line held, oldest first."""
        return [self._line(seq) for seq in range(self.first_seq, self.next_seq)]

    def _line(self, seq: int) -> LogLine:
        line = self._slots[seq % self.capacity]
        assert line is not None
        return line

    def extend(self, lines: Sequence[LogLine]) -> int:
        """Append a batch; returns how many lines were dropped to make room."""
        if not lines:
            return 0
        capacity, start = self.capacity, self.next_seq
        # A batch larger than the ring: its head would be overwritten at once.
        skipped = max(0, len(lines) - capacity)
        self.next_seq += skipped
        self._store(lines[skipped:] if skipped else lines)
        before = self.first_seq
        self.first_seq = max(self.first_seq, self.next_seq - capacity)
        dropped = self.first_seq - before
        self.dropped += dropped
        self._index_new(max(start, self.first_seq))
        self._trim_index()
        return dropped

    def _store(self, lines: Sequence[LogLine]) -> None:
        slots, levels, capacity = self._slots, self._levels, self.capacity
        last_level, labels = self._last_level, self.labels
        seq = self.next_seq
        for line in lines:
            level = line.level
            origin = line.origin
            if level is None:
                effective = last_level.get(origin, 0) if inherits_level(line.text) else 0
            else:
                effective = int(level)
            if origin not in last_level:
                labels.setdefault(origin.label, None)
            last_level[origin] = effective
            slot = seq % capacity
            slots[slot] = line
            levels[slot] = effective
            seq += 1
        self.next_seq = seq

    def _index_new(self, start: int) -> None:
        """Add the seqs from `start` on that the filter lets through."""
        test, index = self._test, self._index
        if test is None:
            index.extend(range(start, self.next_seq))
            return
        slots, levels, capacity = self._slots, self._levels, self.capacity
        for seq in range(start, self.next_seq):
            slot = seq % capacity
            line = slots[slot]
            if line is not None and test(line, levels[slot]):
                index.append(seq)

    def _trim_index(self) -> None:
        index, head = self._index, self._head
        if head < len(index) and index[head] < self.first_seq:
            new_head = bisect_left(index, self.first_seq, head)
            self.view_trimmed += new_head - head
            head = new_head
        if head > COMPACT_AFTER and head * 2 > len(index):
            del index[:head]
            head = 0
        self._head = head

    def clear(self) -> None:
        """Forget every line held (they are not counted as dropped); seqs keep counting."""
        self.first_seq = self.next_seq
        self._slots = [None] * self.capacity
        self._last_level.clear()
        self.labels.clear()
        self._rebuild()

    def reset(self) -> None:
        """Clear, and start the dropped count over: a new stream."""
        self.clear()
        self.dropped = 0

    # -- the filtered view ---------------------------------------------------------------

    @property
    def filtered(self) -> bool:
        return self._test is not None

    def set_filter(self, test: LineTest | None) -> None:
        """Show only the lines `test` lets through (None: all). Rebuilds the view."""
        self._test = test
        self._rebuild()

    def _rebuild(self) -> None:
        test, first, end = self._test, self.first_seq, self.next_seq
        if test is None:
            self._index = list(range(first, end))
        else:
            slots, levels, capacity = self._slots, self._levels, self.capacity
            self._index = [
                seq
                for seq in range(first, end)
                if test(slots[seq % capacity], levels[seq % capacity])  # type: ignore[arg-type]
            ]
        self._head = 0
        self.view_epoch += 1
        self.view_trimmed = 0

    @property
    def view_len(self) -> int:
        return len(self._index) - self._head

    def view_seq(self, pos: int) -> int:
        """The seq at position `pos` of the view (0: the oldest shown)."""
        if not 0 <= pos < self.view_len:
            raise IndexError(pos)
        return self._index[self._head + pos]

    def view_seqs(self, start: int = 0, stop: int | None = None) -> list[int]:
        length = self.view_len
        stop = length if stop is None else min(stop, length)
        start = max(0, start)
        return self._index[self._head + start : self._head + stop]

    def view_pos(self, seq: int) -> int:
        """Where `seq` is in the view, or where it would be (the next shown line's place)."""
        return bisect_left(self._index, seq, self._head) - self._head

    def view_contains(self, seq: int) -> bool:
        pos = self.view_pos(seq)
        return pos < self.view_len and self._index[self._head + pos] == seq

    def view_lines(self, start: int = 0, stop: int | None = None) -> list[LogLine]:
        return [self._line(seq) for seq in self.view_seqs(start, stop)]
