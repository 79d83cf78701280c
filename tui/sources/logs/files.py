"""A log file followed like `tail -F`."""

from __future__ import annotations

import os
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from tui.sources.log_model import LogLine, LogOrigin
from tui.sources.logs.lines import file_timestamp, make_line
from tui.sources.logs.source import _Source
from tui.sources.logs.tuning import (
    DEFAULT_TAIL,
    FILE_POLL,
    FILE_READ,
    MAX_LINE_BYTES,
    PARTIAL_IDLE,
)


class FileLogs(_Source):
    """A file followed like `tail -F`: survives rotation (rename and create: the rest
    of the old file is read first), truncation (copytruncate: read from the start
    again), a file that does not exist yet, and one that cannot be read yet.

    States: connecting ("waiting for the file to appear"); live; error (the OSError,
    retried every second).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        tail_lines: int | None = DEFAULT_TAIL,
        from_start: bool = False,
    ) -> None:
        self.path = os.fspath(path)
        super().__init__(f"file {self.path}")
        self.tail_lines = tail_lines
        self.from_start = from_start
        self.origin = LogOrigin("file", self.path)
        self._file: Any = None  # the open raw file
        self._identity: tuple[int, int] | None = None  # (device, inode) of the open file
        self._pending = b""  # the last line, until its newline comes
        self._pending_since = 0.0
        self._missing = True  # waiting for the file to exist (rather than for an error)
        self._was_open = False

    def _run(self) -> None:
        first = True
        try:
            while not self.stopped:
                if self._file is None:
                    if not self._open(tail=first and not self.from_start):
                        if self._stop.wait(FILE_POLL if self._missing else 1.0):
                            return
                        continue
                    first = False
                self._drain()
                if self._stop.wait(FILE_POLL):
                    return
                self._check_rotation()
        finally:
            self._close()

    def _open(self, *, tail: bool) -> bool:
        try:
            handle = open(self.path, "rb", buffering=0)  # noqa: SIM115 - kept open across polls
        except FileNotFoundError:
            self._missing = True
            again = " again" if self._was_open else ""
            self._state("connecting", f"waiting for the file to appear{again}")
            return False
        except OSError as error:
            self._missing = False
            self._state("error", str(error))
            return False
        try:
            info = os.fstat(handle.fileno())
            if tail:
                handle.seek(_tail_offset(handle, info.st_size, self.tail_lines))
        except OSError as error:
            handle.close()
            self._missing = False
            self._state("error", str(error))
            return False
        self._file = handle
        self._was_open = True
        self._identity = (info.st_dev, info.st_ino)
        self._state("live", "")
        return True

    def _close(self) -> None:
        if self._file is not None:
            with suppress(OSError):
                self._file.close()
        self._file = None
        self._identity = None

    def _drain(self) -> None:
        """Read everything written since the last look."""
        while not self.stopped and self._file is not None:
            try:
                data = self._file.read(FILE_READ)
            except OSError as error:
                self._state("error", str(error))
                self._close()
                return
            if not data:
                break
            self._take(data)
        if self._pending and time.monotonic() - self._pending_since > PARTIAL_IDLE:
            self._flush_partial()

    def _take(self, data: bytes) -> None:
        lines = (self._pending + data).split(b"\n")
        self._pending = lines.pop()
        self._pending_since = time.monotonic()
        if len(self._pending) > MAX_LINE_BYTES:
            lines.append(self._pending)
            self._pending = b""
        if lines:
            self._outbox.add([(0, self._line(raw)) for raw in lines])

    def _line(self, raw: bytes) -> LogLine:
        line = make_line(self.origin, raw)
        moment = file_timestamp(line.text[:40])
        if moment is None:
            return line
        return LogLine(line.origin, line.text, moment, line.level, line.spans, line.cut)

    def _flush_partial(self) -> None:
        if self._pending:
            self._outbox.add([(0, self._line(self._pending))])
            self._pending = b""

    def _check_rotation(self) -> None:
        """Rotated (a new file under the name), truncated (shorter than what we read), or
        gone: finish the old file, then go on with the new one from its start."""
        if self._file is None:
            return
        try:
            named = Path(self.path).stat()
        except FileNotFoundError:
            named = None
        except OSError:
            return  # unreadable for a moment: keep reading what is open
        try:
            position = self._file.tell()
            size = os.fstat(self._file.fileno()).st_size
        except OSError:
            size = position = 0
        if named is not None and (named.st_dev, named.st_ino) == self._identity:
            if size < position:  # truncated in place (copytruncate)
                self._flush_partial()
                self._file.seek(0)
                self._state("live", "the file was truncated: reading from its start")
            return
        self._drain()
        self._flush_partial()
        self._close()
        if named is None:
            self._missing = True
            self._state("connecting", "waiting for the file to appear again")
        else:
            self._open(tail=False)


def _tail_offset(handle: Any, size: int, lines: int | None) -> int:
    """Where the last `lines` lines start, found by reading backwards: the start of the
    line after the `lines`-th newline from the end (a final newline ends the last line)."""
    if lines is None or lines < 0:
        return 0
    if lines == 0 or size == 0:
        return size
    block = 64 * 1024
    end = size
    found = 0
    while end > 0:
        start = max(0, end - block)
        handle.seek(start)
        chunk = handle.read(end - start)
        if end == size and chunk.endswith(b"\n"):
            chunk = chunk[:-1]
        index = len(chunk)
        while (index := chunk.rfind(b"\n", 0, index)) >= 0:
            found += 1
            if found == lines:
                return start + index + 1
        end = start
    return 0
