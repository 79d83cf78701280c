"""Reading runbook files: encodings survive, binary and huge files are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.readfile import UnreadableFile
from tui.runbook.parser import read_runbook
from tui.runbook.source import MAX_BYTES, NotText, decode, read_runbook_text


def test_bom_crlf_and_lone_cr_become_plain_lf() -> None:
    assert decode(b"\xef\xbb\xbf# Title\r\n\r\n- a\rb\n") == "# Title\n\n- a\nb\n"


def test_undecodable_bytes_become_replacement_characters() -> None:
    assert decode(b"# caf\xe9 down\n") == "# caf\ufffd down\n"


def test_mojibake_is_kept_exactly() -> None:
    text = "# ðŸš¨ Emergency â€” üö® down\n"
    assert decode(text.encode("utf-8")) == text


def test_utf16_with_bom_is_text() -> None:
    assert decode("# Título\n".encode("utf-16")) == "# Título\n"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
        (bytes(range(128, 256)) * 20, "not text"),
    ],
)
def test_binary_is_refused(data: bytes, fragment: str) -> None:
    with pytest.raises(NotText, match=fragment):
        decode(data)


def test_file_errors_name_the_file_and_the_reason(tmp_path: Path) -> None:
    binary = tmp_path / "logo.png"
    binary.write_bytes(b"\x89PNG\x00\x00\x00")
    huge = tmp_path / "huge.md"
    huge.write_bytes(b"# big\n" + b"x" * MAX_BYTES)
    cases = {
        binary: "NUL bytes",
        huge: "larger than 2 MB",
        tmp_path / "missing.md": "no such runbook",
        tmp_path: "is a directory",
    }
    for path, fragment in cases.items():
        with pytest.raises(UnreadableFile) as error:
            read_runbook_text(path)
        assert str(error.value).startswith(str(path))
        assert fragment in str(error.value)


def test_a_file_just_under_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    paragraph = b"word " * 200 + b"\n\n"
    path.write_bytes(b"# Big\n\n" + paragraph * ((MAX_BYTES - 8) // len(paragraph)))
    runbook = read_runbook(path)
    assert runbook.title == "Big"
    assert len(runbook.sections[0].blocks) > 2000


def test_empty_file_has_its_name_as_title(tmp_path: Path) -> None:
    path = tmp_path / "disk-full.md"
    path.write_bytes(b"")
    runbook = read_runbook(path)
    assert runbook.title == "disk-full"
    assert runbook.sections == [] and runbook.warnings == []
