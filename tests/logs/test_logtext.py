"""sanitize: what a hostile or broken log line becomes before anything shows it."""

from __future__ import annotations

import re

import pytest
from rich.style import Style

from tui.sources.logtext import sanitize

# What must never survive: ESC, C0 controls other than the pictures, C1 controls,
# bidirectional overrides and isolates.
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ALLOWED_STYLE_WORDS = {"bold", "dim", "italic", "underline", "reverse", "on"}


def assert_safe(text: str, spans: tuple[tuple[int, int, str], ...]) -> None:
    assert not UNSAFE.search(text), repr(text)
    last_end = 0
    for start, end, style in spans:
        assert last_end <= start < end <= len(text), spans
        last_end = end
        parsed = Style.parse(style)  # a valid Rich style, with nothing but colour and weight
        assert parsed.link is None and not parsed.meta
        assert not (parsed.blink or parsed.conceal or parsed.strike or parsed.overline)
        for word in style.split():
            assert word in ALLOWED_STYLE_WORDS or re.fullmatch(
                r"(bright_)?(black|red|green|yellow|blue|magenta|cyan|white)|color\(\d+\)|#[0-9a-f]{6}",
                word,
            ), style


def test_plain_text_and_markup_pass_through_literally() -> None:
    for line in ("GET /api 200 12ms", "[red]x[/]", "[@click=app.quit]quit[/]", "[bold]é 日本"):
        assert sanitize(line) == (line, (), 0)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;owned terminal\x07after", "after"),  # OSC 0: window title, BEL-terminated
        ("\x1b]2;title\x1b\\after", "after"),  # OSC 2, ST-terminated
        ("\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\ tail", "click me tail"),
        ("\x1b]52;c;cm0gLXJmIC8=\x07clipboard", "clipboard"),  # OSC 52 writes the clipboard
        ("\x1b[2J\x1b[Hcleared", "cleared"),  # clear screen, cursor home
        ("a\x1b[1Ab\x1b[10Cc", "abc"),  # cursor movement
        ("\x1b[?1049h\x1b[?25lmodes", "modes"),  # alternate screen, hide cursor
        ("\x1bP1$qm\x1b\\dcs", "dcs"),  # DCS (a terminal answering back)
        ("\x1b_apc payload\x1b\\x", "x"),  # APC
        ("\x1b^pm\x1b\\x", "x"),  # PM
        ("\x1bXsos\x1b\\x", "x"),  # SOS
        ("\x1b(0charset\x1b(B", "charset"),  # character set switches
        ("\x1bcreset", "reset"),  # full reset (RIS)
        ("lone \x1b", "lone "),
        ("\x9b2J8-bit CSI", "8-bit CSI"),
        ("\x9b31mnot a colour", "not a colour"),  # 8-bit SGR is not kept either
        ("\x9d0;title\x9c8-bit OSC", "8-bit OSC"),
        ("next\x85line", "nextline"),  # NEL and other C1 controls
        ("unterminated \x1b]0;swallows the rest", "unterminated "),
        ("half a sequence at the end \x1b[3", "half a sequence at the end "),
    ],
)
def test_escape_sequences_are_removed(raw: str, shown: str) -> None:
    text, spans, cut = sanitize(raw)
    assert text == shown
    assert spans == () and cut == 0


def test_control_characters_become_visible() -> None:
    text, _, _ = sanitize("bell\x07 nul\x00 bs\x08 del\x7f cr\rlf\nvt\x0b")
    assert text == "bell␇ nul␀ bs␈ del␡ cr␍lf␊vt␋"


def test_bidi_overrides_are_neutralised_and_zero_width_kept() -> None:
    text, _, _ = sanitize("user \u202eexe.txt\u202c \u2066iso\u2069")
    assert "\u202e" not in text and "\u2066" not in text and "\u2069" not in text
    assert text.startswith("user \ufffdexe.txt")
    zero = "zero\u200bwidth\u200djoin\ufeffbom"
    assert sanitize(zero)[0] == zero


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    text, _, _ = sanitize(b"caf\xc3\xa9 \xff\xfe broken \xe2\x82")
    assert text == "café \ufffd\ufffd broken \ufffd"
    assert sanitize("lone \ud800 surrogate")[0] == "lone \ufffd surrogate"


def test_sgr_colours_become_spans_on_the_clean_text() -> None:
    raw = "\x1b[31mred\x1b[0m plain \x1b[1;38;5;200mpink\x1b[m \x1b[38;2;255;0;16;48;5;4mrgb\x1b[0m"
    text, spans, cut = sanitize(raw)
    assert text == "red plain pink rgb"
    assert spans == (
        (0, 3, "red"),
        (10, 14, "bold color(200)"),
        (15, 18, "#ff0010 on blue"),
    )
    assert cut == 0
    assert_safe(text, spans)


def test_sgr_keeps_only_colour_and_weight() -> None:
    raw = "\x1b[5;8;9;53mhidden?\x1b[0m \x1b[2;3;4;7;94;103mstyled\x1b[22;23;24;27;39;49m off"
    text, spans, _ = sanitize(raw)
    assert text == "hidden? styled off"  # conceal (8) cannot hide text; blink, strike dropped
    assert spans == ((8, 14, "dim italic underline reverse bright_blue on bright_yellow"),)
    assert_safe(text, spans)


def test_colon_forms_and_adjacent_spans_merge() -> None:
    text, spans, _ = sanitize("\x1b[38:2::1:2:3mab\x1b[38:2::1:2:3mcd\x1b[4:0mef\x1b[0m")
    assert text == "abcdef"
    assert spans == ((0, 6, "#010203"),)


def test_tabs_expand_to_tab_stops_across_colours() -> None:
    text, spans, _ = sanitize("\x1b[32mINFO\x1b[0m\tmain\tstarted")
    assert text == "INFO    main    started"
    assert spans == ((0, 4, "green"),)


def test_a_megabyte_line_is_cut_and_counted() -> None:
    raw = ("x" * 1_000_000).encode()
    text, spans, cut = sanitize(raw)
    assert text == "x" * 4000
    assert cut == 1_000_000 - 4000
    coloured = "\x1b[31m" + "y" * 1_000_000 + "\x1b[0m"
    text, spans, cut = sanitize(coloured, max_chars=100)
    assert text == "y" * 100 and spans == ((0, 100, "red"),)
    assert cut == 1_000_000 - 100


@pytest.mark.parametrize(
    "sequence",
    ["\x1b[31m", "\x1b]0;title\x07", "\x1b]8;;http://x.example/\x1b\\", "\x1bP1$q\x1b\\"],
)
def test_a_cut_never_splits_an_escape_sequence(sequence: str) -> None:
    # Put the sequence across every position of the pre-cut: nothing of it may show.
    for shift in range(len(sequence) + 1):
        raw = "a" * (1064 - shift) + sequence + "b" * 5000
        text, spans, cut = sanitize(raw, max_chars=10)
        assert text == "a" * 10
        assert_safe(text, spans)
        assert cut == 1064 - shift - 10 + 5000  # the escape itself is not counted


def test_everything_hostile_at_once_is_safe() -> None:
    raw = (
        b"\x1b]0;pwn\x07[red]x[/] [@click=app.quit] \x1b]8;;http://e\x1b\\l\x1b]8;;\x1b\\"
        b"\x1b[2J\x1bP+q\x1b\\\x07\x00 \xe2\x80\xae rtl \xe2\x80\x8b zw \xff \x1b[31mred\x1b[0m\t|"
    )
    text, spans, cut = sanitize(raw)
    assert_safe(text, spans)
    assert "[red]x[/] [@click=app.quit]" in text
    assert "\u200b" in text and "\ufffd" in text
    assert re.search(r"red +\|$", text) and text.index("|") % 8 == 0  # a real tab stop
    assert cut == 0
