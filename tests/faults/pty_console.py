"""The real `warroom` console as a separate process on a pseudo-terminal, driven by
the keys an operator types; for faults that need a second process or a SIGKILL."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Collection
from pathlib import Path

from bench.terminal import TerminalProcess, spawn
from tests.helpers.cli import ROOT

NOTE_RECORDED = re.compile(rb"Note recorded \(#(\d+)\)")
# Colours and cursor moves split what reads as one phrase on screen.
ESCAPE = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")
# The banner's clock, and the timeline's first row: the incident file is open.
FIRST_FRAME = (b"ACK due", b"declared")


def open_console(
    db: Path, env: dict[str, str], size: tuple[int, int] = (80, 24)
) -> TerminalProcess:
    terminal = spawn(
        [sys.executable, "-m", "tui", "--db", str(db), "--kubeconfig", str(db.parent / "none")],
        size=size, env=env, cwd=str(ROOT),
    )  # fmt: skip
    if terminal.read_until(FIRST_FRAME, timeout=60) is None:
        terminal.kill()
        raise AssertionError(f"no first frame: {bytes(terminal.output[-2000:])!r}")
    return terminal


def wait_after(
    terminal: TerminalProcess,
    mark: int,
    pattern: re.Pattern[bytes],
    timeout: float = 30,
    accept: Callable[[re.Match[bytes]], bool] = lambda found: True,
) -> re.Match[bytes]:
    """The first accepted match of `pattern` in what the program drew after byte `mark`,
    its escape sequences taken out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        drawn = ESCAPE.sub(b"", bytes(terminal.output[mark:]))
        for found in pattern.finditer(drawn):
            if accept(found):
                return found
        terminal.pump(0.05)
    raise AssertionError(f"{pattern.pattern!r} not drawn: {bytes(terminal.output[-2000:])!r}")


def start_note(terminal: TerminalProcess, text: str) -> int:
    """Open the note dialog, type `text` and Enter; the output mark to look for the ack."""
    mark = len(terminal.output)
    terminal.send(b"n")
    # Keys typed before the dialog's input is up would go elsewhere: wait for its
    # placeholder, then for the typed text to be echoed, before Enter.
    wait_after(terminal, mark, re.compile(rb"what happened"))
    mark = len(terminal.output)
    terminal.send(text.encode())
    wait_after(terminal, mark, re.compile(re.escape(text[-8:].encode())))
    mark = len(terminal.output)
    terminal.send(b"\r")
    return mark


def type_note(terminal: TerminalProcess, text: str, seen: Collection[int] = ()) -> int:
    """Write a note through the console's keys; the seq the console acknowledged.

    An earlier note's message may still be on screen and drawn again: its seq is in
    `seen` and does not count."""
    mark = start_note(terminal, text)
    found = wait_after(terminal, mark, NOTE_RECORDED, accept=lambda m: int(m[1]) not in seen)
    return int(found[1])
