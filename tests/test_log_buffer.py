"""The Logs pane's ring buffer and its filtered view, checked against a plain list."""

from __future__ import annotations

import random

import pytest

from tui.sources.log_model import Level, LogLine, LogOrigin
from widgets.log_buffer import LogBuffer
from widgets.log_filter import LogFilter, parse_filter

API = LogOrigin("pod", "api-1", namespace="payments", container="api")
WORKER = LogOrigin("pod", "worker-0", namespace="payments")


def lines(start: int, count: int, origin: LogOrigin = API) -> list[LogLine]:
    return [LogLine(origin, f"line {n}") for n in range(start, start + count)]


def texts(found: list[LogLine]) -> list[str]:
    return [line.text for line in found]


def even(line: LogLine, level: int) -> bool:
    return int(line.text.split()[1]) % 2 == 0


def test_lines_get_absolute_seqs_and_the_oldest_are_dropped() -> None:
    buffer = LogBuffer(capacity=5)
    assert (len(buffer), buffer.first_seq, buffer.last_seq) == (0, 0, -1)
    assert buffer.extend(lines(0, 3)) == 0
    assert buffer.extend(lines(3, 4)) == 2
    assert (len(buffer), buffer.first_seq, buffer.last_seq, buffer.dropped) == (5, 2, 6, 2)
    assert buffer.get(1) is None  # dropped
    assert buffer.get(7) is None  # not yet arrived
    line = buffer.get(6)
    assert line is not None and line.text == "line 6"
    assert texts(buffer.lines()) == [f"line {n}" for n in range(2, 7)]
    assert buffer.extend([]) == 0


def test_a_batch_larger_than_the_ring_keeps_its_newest_lines() -> None:
    buffer = LogBuffer(capacity=4)
    buffer.extend(lines(0, 2))
    assert buffer.extend(lines(2, 10)) == 8  # the 2 held and the batch's first 6
    assert texts(buffer.lines()) == ["line 8", "line 9", "line 10", "line 11"]
    assert (buffer.first_seq, buffer.last_seq, buffer.dropped) == (8, 11, 8)
    assert buffer.view_seqs() == [8, 9, 10, 11]


def test_the_filtered_view_follows_new_and_dropped_lines() -> None:
    buffer = LogBuffer(capacity=6)
    buffer.extend(lines(0, 4))
    buffer.set_filter(even)
    assert buffer.filtered
    assert buffer.view_seqs() == [0, 2]
    epoch = buffer.view_epoch
    buffer.extend(lines(4, 5))  # 0..2 fall out of the ring
    assert buffer.view_seqs() == [4, 6, 8]
    assert buffer.view_epoch == epoch  # not rebuilt: trimmed and appended
    assert buffer.view_trimmed == 2
    assert texts(buffer.view_lines()) == ["line 4", "line 6", "line 8"]
    assert buffer.view_len == 3
    assert buffer.view_seq(0) == 4
    with pytest.raises(IndexError):
        buffer.view_seq(3)
    assert (buffer.view_pos(6), buffer.view_pos(7), buffer.view_pos(100)) == (1, 2, 3)
    assert buffer.view_contains(6) and not buffer.view_contains(7)
    buffer.set_filter(None)
    assert not buffer.filtered
    assert buffer.view_seqs() == [3, 4, 5, 6, 7, 8]
    assert buffer.view_epoch == epoch + 1 and buffer.view_trimmed == 0


def test_the_view_matches_a_plain_model_over_many_random_batches() -> None:
    rng = random.Random(7)
    buffer = LogBuffer(capacity=300)
    buffer.set_filter(even)
    model: list[int] = []
    seq = 0
    for _ in range(400):
        size = rng.choice([0, 1, 5, 50, 120, 301, 700])
        buffer.extend(lines(seq, size))
        model.extend(range(seq, seq + size))
        seq += size
        model = model[-300:]
        assert buffer.view_seqs() == [s for s in model if s % 2 == 0]
        assert buffer.first_seq == (model[0] if model else buffer.next_seq)
    assert buffer.dropped == seq - 300
    assert len(buffer._index) < 2 * 300 + 1100  # stale entries are compacted away


def test_clear_keeps_counting_seqs_and_is_not_a_drop() -> None:
    buffer = LogBuffer(capacity=3)
    buffer.extend(lines(0, 5))
    buffer.clear()
    assert (len(buffer), buffer.view_len, buffer.dropped) == (0, 0, 2)
    buffer.extend(lines(5, 1))
    assert buffer.first_seq == 5 and buffer.view_seqs() == [5]
    buffer.reset()
    assert buffer.dropped == 0 and buffer.next_seq == 6


def test_labels_in_order_of_first_appearance_until_cleared() -> None:
    buffer = LogBuffer()
    buffer.extend([*lines(0, 2, WORKER), *lines(2, 2, API), *lines(4, 1, WORKER)])
    assert list(buffer.labels) == ["worker-0", "api-1/api"]
    buffer.clear()
    assert buffer.labels == {}


def test_continuation_lines_take_the_level_of_the_line_they_continue() -> None:
    buffer = LogBuffer()
    buffer.extend([
        LogLine(API, "payment failed", level=Level.ERROR),
        LogLine(WORKER, "job 18 started", level=Level.INFO),
        LogLine(API, "    at Pay.charge(Pay.java:42)"),  # the API's error goes on
        LogLine(API, "Caused by: timeout"),
        LogLine(API, "GET /health 200"),  # a new line without a level
        LogLine(API, "    indented after an unknown"),
    ])  # fmt: skip
    assert [buffer.level_of(s) for s in range(6)] == [40, 20, 40, 40, 0, 0]
    warn = parse_filter("", Level.WARN)
    assert isinstance(warn, LogFilter)
    buffer.set_filter(warn)
    assert texts(buffer.view_lines()) == [
        "payment failed",
        "    at Pay.charge(Pay.java:42)",
        "Caused by: timeout",
    ]
    assert buffer.level_of(99) == 0


def test_refiltering_a_full_buffer() -> None:
    # 20,000 lines re-filtered in one pass (its cost is measured outside the tests).
    buffer = LogBuffer()
    status = [200] * 9 + [502]
    buffer.extend([LogLine(API, f"GET /orders/{n} {status[n % 10]}") for n in range(20_000)])
    spec = parse_filter(r"\b502$ -orders/1\d{4}\b")  # not 10000-19999
    assert isinstance(spec, LogFilter)
    buffer.set_filter(spec)
    assert buffer.view_len == 1000
    assert all(buffer.get(s).text.endswith("502") for s in buffer.view_seqs())  # type: ignore[union-attr]


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LogBuffer(0)
