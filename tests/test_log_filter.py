"""The Logs pane's filter and highlight, from what an operator types to which lines pass."""

from __future__ import annotations

import pytest

from tui.sources.log_model import Level, LogLine, LogOrigin
from widgets.log_filter import (
    FilterError,
    LogFilter,
    highlight_spans,
    inherits_level,
    next_level,
    parse_filter,
    parse_highlight,
)

API = LogOrigin("pod", "api-7f8d9c-ccccc", namespace="payments", container="api")
WORKER = LogOrigin("pod", "worker-0", namespace="payments")

LINES = [
    LogLine(API, "GET /health 200 1ms"),
    LogLine(API, "POST /orders 502 upstream timeout", level=Level.ERROR),
    LogLine(API, "Timeout talking to db-primary:5432", level=Level.WARN),
    LogLine(WORKER, "job 17 done", level=Level.INFO),
    LogLine(WORKER, "retrying job 18 after timeout (attempt 2/5)", level=Level.DEBUG),
    LogLine(API, "price=[red]x[/] (literal brackets)"),
]


def passing(spec: LogFilter) -> list[str]:
    return [line.text for line in LINES if spec(line, int(line.level or 0))]


def parsed(text: str, level: Level | None = None) -> LogFilter:
    spec = parse_filter(text, level)
    assert isinstance(spec, LogFilter), spec
    return spec


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("timeout", [1, 2, 4]),  # lowercase: any case
        ("Timeout", [2]),  # an uppercase letter: exact case
        ("timeout -db", [1, 4]),  # -term excludes
        ("timeout !db !retrying", [1]),  # so does !term
        ("timeout job", [4]),  # every term must match
        (r"^timeout\W", [2]),  # \W is not an uppercase letter: still any case
        (r"/\w+ 5\d\d", [1]),  # regular expressions
        ('"upstream timeout"', [1]),  # quotes keep a phrase together
        ("-timeout -health", [3, 5]),
        ("@worker", [3, 4]),  # the source label
        ("-@worker timeout", [1, 2]),
        (r"\[red\]", [5]),  # markup characters are just text
        ("", [0, 1, 2, 3, 4, 5]),
    ],
)
def test_terms_include_exclude_and_smart_case(typed: str, expected: list[int]) -> None:
    assert passing(parsed(typed)) == [LINES[i].text for i in expected]


def test_an_empty_filter_is_inactive_and_a_level_makes_it_active() -> None:
    assert not parsed("   ").active
    assert parsed("x").active
    assert parsed("", Level.WARN).active
    assert parsed("-x").has_terms


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (None, [0, 1, 2, 3, 4, 5]),
        (Level.INFO, [0, 1, 2, 3, 5]),  # unknown levels count as info; debug is hidden
        (Level.WARN, [1, 2]),
        (Level.ERROR, [1]),
    ],
)
def test_minimum_level(level: Level | None, expected: list[int]) -> None:
    assert passing(parsed("", level)) == [LINES[i].text for i in expected]


def test_level_and_terms_combine() -> None:
    assert passing(parsed("timeout", Level.WARN)) == [LINES[1].text, LINES[2].text]
    assert parsed("timeout").with_level(Level.ERROR).min_level is Level.ERROR


def test_level_cycle() -> None:
    seen = [None]
    for _ in range(4):
        seen.append(next_level(seen[-1]))
    assert seen == [None, Level.INFO, Level.WARN, Level.ERROR, None]
    assert next_level(Level.DEBUG) is Level.INFO  # an odd level starts the cycle over


@pytest.mark.parametrize("typed", ["(", "timeout [a-", "ok *bad", "x{2,1}"])
def test_an_invalid_pattern_is_reported_not_raised(typed: str) -> None:
    result = parse_filter(typed)
    assert isinstance(result, FilterError)
    assert result.message.startswith("not a valid pattern: ")


def test_the_error_names_the_bad_term() -> None:
    result = parse_filter("timeout (oops")
    assert isinstance(result, FilterError)
    assert "'(oops'" in result.message
    assert "position" in result.message


def test_describe_says_what_is_in_force() -> None:
    assert parsed("timeout -db", Level.WARN).describe() == "filter: timeout -db · level ≥ warn"
    assert parsed("", Level.ERROR).describe() == "level ≥ error"
    assert parsed("").describe() == ""


def test_highlight_is_one_pattern_with_smart_case() -> None:
    pattern = parse_highlight("time out|timeout")
    assert not isinstance(pattern, FilterError) and pattern is not None
    assert highlight_spans(pattern, "a Timeout and a time out") == [(2, 9), (16, 24)]
    exact = parse_highlight("Timeout")
    assert not isinstance(exact, FilterError)
    assert highlight_spans(exact, "timeout Timeout") == [(8, 15)]
    assert parse_highlight("  ") is None
    assert isinstance(parse_highlight("[unclosed"), FilterError)


def test_empty_matches_mark_nothing() -> None:
    pattern = parse_highlight("x*")
    assert not isinstance(pattern, FilterError)
    assert highlight_spans(pattern, "abxxc") == [(2, 4)]
    assert highlight_spans(None, "abc") == ()


@pytest.mark.parametrize(
    ("text", "inherits"),
    [
        ("    at com.example.Pay.charge(Pay.java:42)", True),
        ("\tat java.base/java.lang.Thread.run", True),
        ("Caused by: java.net.SocketTimeoutException", True),
        ('  File "/app/pay.py", line 12, in charge', True),
        ("Traceback (most recent call last):", True),
        ("GET /health 200", False),
    ],
)
def test_continuation_lines(text: str, inherits: bool) -> None:
    assert inherits_level(text) is inherits
