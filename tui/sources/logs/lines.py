"""Raw log lines into `LogLine`s: timestamps split off (API and docker stamps, and the
ones files start with), text sanitized and its level detected."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime, timedelta

from tui.sources.log_model import LogLine, LogOrigin
from tui.sources.loglevel import detect_level
from tui.sources.logtext import sanitize

Keyed = tuple[int, LogLine]  # (nanoseconds since the epoch, line): the merge order

_STAMP = re.compile(rb"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)(?: |$)")
_FILE_STAMP = re.compile(
    r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?(?![\d])"
)


@functools.lru_cache(maxsize=1024)
def _whole_second(stamp: bytes, zone: bytes) -> tuple[datetime, int]:
    # Lines come many to a second: parse each second once.
    offset = "+00:00" if zone == b"Z" else zone.decode()
    moment = datetime.fromisoformat(stamp.decode() + offset).astimezone(UTC)
    return moment, int(moment.timestamp())


def split_timestamp(line: bytes) -> tuple[int | None, datetime | None, bytes]:
    """Split off the RFC3339Nano stamp `timestamps=true` puts before each line:
    (nanoseconds since the epoch, the moment to the microsecond, the rest)."""
    match = _STAMP.match(line)
    if match is None:
        return None, None, line
    try:
        base, epoch = _whole_second(match[1], match[3])
    except ValueError:
        return None, None, line
    digits = match[2] or b""
    nanos = int(digits.ljust(9, b"0")) if digits else 0
    moment = base + timedelta(microseconds=nanos // 1000) if nanos >= 1000 else base
    return epoch * 1_000_000_000 + nanos, moment, line[match.end() :]


def file_timestamp(text: str) -> datetime | None:
    """The ISO-8601 moment a file's line starts with, if it does (local time if no zone)."""
    match = _FILE_STAMP.match(text)
    if match is None:
        return None
    fraction = (match[2] or "")[:6].ljust(6, "0")
    zone = match[3] or ""
    if zone and zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    try:
        moment = datetime.fromisoformat(f"{match[1].replace(' ', 'T')}.{fraction}{zone}")
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.astimezone().astimezone(UTC)


def make_line(origin: LogOrigin, body: bytes | str, moment: datetime | None = None) -> LogLine:
    """The one place a raw line becomes a `LogLine`: sanitized, its level detected."""
    if body[-1:] in (b"\r", "\r"):
        body = body[:-1]  # CRLF logs: the CR is line ending, not content
    text, spans, cut = sanitize(body)
    return LogLine(origin, text, moment, detect_level(text), spans, cut)
