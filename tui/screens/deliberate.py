"""Confirmations count only the keys pressed while they were on screen.

Keys typed while the console is busy (a burst of cluster updates, a paste) wait
in a queue and go to whatever screen is current when their turn comes. So
`/ready`, typed fast while a flush runs, could reach the pane as `r` (restart:
a confirmation opens) and then `y`, which would answer that confirmation
before the operator ever saw it. A screen with `DeliberateKeys` mixed in drops
every key that was pressed before it was shown.
"""

from __future__ import annotations

import math
import time

from textual import events


class DeliberateKeys:
    """Mixed into a confirmation screen, before its Screen base."""

    # Until the screen is shown, no key counts.
    _shown_at: float = math.inf

    def on_screen_resume(self) -> None:
        # Textual stamps each key with time.monotonic() when the terminal sends it.
        self._shown_at = time.monotonic()

    def on_key(self, event: events.Key) -> None:
        if event.time < self._shown_at:
            event.prevent_default()
            event.stop()
