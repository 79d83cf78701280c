"""The key bar: the bindings that work right now, as one line of text.

Textual's Footer builds a widget per key and restyles them on every focus
change, which costs a tenth of a second at start-up; on a bastion over SSH one
line of text carries the same information, and is redrawn only when the set
of active bindings changes.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from tui import screen_redaction
from widgets.help_names import key_name

# Said first on the bar while secrets are masked on screen (tui/redact.py).
REDACTED_MARK = " REDACTED "


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def redaction_changed(self) -> None:
        self._bindings_changed(self.screen)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        line = Text(no_wrap=True, overflow="ellipsis")
        if screen_redaction.screen is not None:
            line.append(REDACTED_MARK, "bold reverse magenta")
            line.append(" ")
        seen: set[str] = set()
        focused = screen.focused
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in seen:
                continue
            name = key_name(binding.key)
            # Textual leaves out the keys a focused field types, but not those it
            # knows by name only ("plus"): while a filter is typed, "+" is a "+".
            if len(name) == 1 and focused is not None and focused.check_consume_key(name, name):
                continue
            seen.add(binding.action)
            line.append(f" {name} ", "bold reverse")
            line.append(f" {binding.description} ")
        line.append(" ctrl-p ", "bold reverse")
        line.append(" palette ")
        self.update(line)
