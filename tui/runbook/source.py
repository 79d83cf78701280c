"""Reading a runbook file into text: size cap, binary files refused, any encoding survives.

Runbooks are copied from wikis and chat, so their bytes are often not clean
UTF-8. Undecodable bytes become U+FFFD instead of failing the whole file, and
mojibake (UTF-8 read as Latin-1 somewhere upstream) is kept exactly as written.
What is refused is what cannot be a runbook: NUL bytes or mostly undecodable
bytes (an image, an archive, a compiled program) and anything absurdly large.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from tui.readfile import UnreadableFile, read_bytes

MAX_BYTES = 2 * 1024 * 1024
# More undecodable characters than this share of the text and it is not text.
_NOT_TEXT_SHARE = 0.3


class NotText(ValueError):
    """The bytes are not a text file; the message says why in plain words."""


def read_runbook_text(path: Path) -> str:
    """The file's text, normalised (see `decode`). Raises UnreadableFile with a clear reason."""
    data = read_bytes(path, what="runbook", limit=MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UnreadableFile(path, f"is larger than {MAX_BYTES // (1024 * 1024)} MB: not a runbook")
    try:
        return decode(data)
    except NotText as error:
        raise UnreadableFile(path, str(error)) from None


def decode(data: bytes) -> str:
    """Text from bytes: BOM dropped, CRLF and CR made LF, bad UTF-8 replaced, binary refused."""
    text = _decode_utf16(data)
    if text is None:
        if b"\x00" in data:
            raise NotText("contains NUL bytes: a binary file, not a runbook")
        text = codecs.decode(data, "utf-8-sig", errors="replace")
        sample = text[:8192]
        if sample and sample.count("\ufffd") > _NOT_TEXT_SHARE * len(sample):
            raise NotText("is not text (mostly bytes that are not UTF-8)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_utf16(data: bytes) -> str | None:
    """Some editors save as UTF-16 with a BOM; such a file is text despite its NUL bytes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    return None
