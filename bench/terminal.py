"""Run a full-screen program in a real pseudo-terminal and watch what it draws.

Used by the benchmarks (time to first frame, idle CPU) and by end-to-end tests
that start the real `warroom` command. The output is kept as raw bytes; a
caller waits for text it knows the first full frame contains.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

# Colours and cursor moves: taken out, words split by a change of style read whole.
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class TerminalProcess:
    process: subprocess.Popen[bytes]
    fd: int
    started: float
    output: bytearray = field(default_factory=bytearray)

    @property
    def pid(self) -> int:
        return self.process.pid

    def read_until(self, needles: Sequence[bytes], timeout: float) -> float | None:
        """Read output until every needle has appeared; return when (seconds since start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(needle in self.output for needle in needles):
                return time.monotonic() - self.started
            self.pump(min(0.05, max(deadline - time.monotonic(), 0)))
        return None

    def pump(self, timeout: float = 0.0) -> None:
        """Drain what the program wrote (so it never blocks on a full pty)."""
        while True:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output.extend(chunk)
            timeout = 0.0

    def drawn(self, since: int = 0) -> bytes:
        """The text written after the first `since` bytes of output, without escapes."""
        return ESCAPES.sub(b"", bytes(self.output[since:]))

    def check_running(self, what: str) -> None:
        """Raise if the program has exited: a figure taken from a crashed program means nothing."""
        status = self.process.poll()
        if status is not None:
            tail = self.drawn(max(0, len(self.output) - 4000)).decode(errors="replace")
            raise RuntimeError(f"{what} exited with status {status}: {tail[-600:]}")

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait(self, timeout: float) -> int | None:
        """Exit status (negative signal number if killed), or None if still running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump(0.05)
            status = self.process.poll()
            if status is not None:
                self._close()
                return status
        return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._close()

    def _close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def spawn(
    argv: Sequence[str],
    *,
    size: tuple[int, int] = (80, 24),
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> TerminalProcess:
    """Start `argv` on a new pty of `size` (columns, rows), as its controlling terminal."""
    master, slave = os.openpty()
    columns, rows = size
    # The size is set before the program starts, so its first frame has it.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    def become_session_leader() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    started = time.monotonic()
    process = subprocess.Popen(
        list(argv),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        # A caller's TERM wins (terminal tests try screen, tmux...); else a common one.
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
        preexec_fn=become_session_leader,
        close_fds=True,
    )
    os.close(slave)
    return TerminalProcess(process=process, fd=master, started=started)
