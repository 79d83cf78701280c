"""What a terminal would show: the console's output played into a terminal emulator.

Searching the raw output for a title can miss it: Textual rewrites only the
cells that changed, so a border going from "Ingress · ingresses" to
"Ingress · probes" may send just "probes". The emulator keeps the whole
screen, so a check reads what an operator would see.
"""

from __future__ import annotations

import time

import pyte

from bench.terminal import TerminalProcess


class Screen:
    def __init__(self, terminal: TerminalProcess, size: tuple[int, int]) -> None:
        columns, rows = size
        self.terminal = terminal
        self._screen = pyte.Screen(columns, rows)
        self._stream = pyte.ByteStream(self._screen)
        self._fed = 0

    def text(self) -> str:
        output = self.terminal.output
        if len(output) < self._fed:  # the caller dropped what was already played
            self._fed = 0
        self._stream.feed(bytes(output[self._fed :]))
        self._fed = len(output)
        return "\n".join(self._screen.display)

    def shows(self, text: str, within: float) -> bool:
        """Whether `text` is on screen within `within` seconds."""
        deadline = time.monotonic() + within
        while True:
            if text in self.text():
                return True
            if time.monotonic() >= deadline:
                return False
            self.terminal.pump(0.1)
