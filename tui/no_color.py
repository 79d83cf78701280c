"""NO_COLOR: no colour at all, and what colour showed said another way.

Textual's own answer to NO_COLOR turns every colour into a shade of grey, which
still sends colour codes and leaves a monochrome terminal (or a screen reader's
log, or a `script` capture) guessing. Here NO_COLOR means what it says: only
bold, reverse and underline reach the terminal. What colour alone used to tell
is told by those and by shapes instead: the cursor row and the active tab in
reverse video, the focused pane with a heavy border. Everything else (levels,
severities, problems) already carries a word or a mark beside its colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.filter import LineFilter, Monochrome, NoColor

# `App:nocolor` holds only when NO_COLOR is set: these rules change nothing otherwise.
NO_COLOR_CSS = """
App:nocolor Pane:focus-within { border: heavy $accent; }
App:nocolor Tab.-active { text-style: bold reverse; }
App:nocolor DataTable > .datatable--cursor { text-style: bold reverse; }
App:nocolor OptionList > .option-list--option-highlighted { text-style: bold reverse; }
App:nocolor LogView > .log-view--cursor { text-style: reverse; }
App:nocolor ReviewList > .review-list--cursor { text-style: reverse; }
App:nocolor Input > .input--cursor { text-style: reverse; }
"""

_NO_COLOR = NoColor()


def without_colour(filters: Sequence[LineFilter]) -> list[LineFilter]:
    """The app's line filters with Textual's grey-scale filter swapped for no colour."""
    return [_NO_COLOR if isinstance(item, Monochrome) else item for item in filters]
