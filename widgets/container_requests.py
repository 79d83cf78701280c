"""What the Containers pane asks the app to do: messages posted upward.

The pane never talks to an engine. It posts one of these; the app checks
read-only mode, asks for confirmation, calls the engine in a thread, and
records the outcome in the timeline.
"""

from __future__ import annotations

from textual.message import Message

from tui.sources.docker.rows import ContainerRow


class ContainerActionRequested(Message):
    """r restart, x stop, u start, K kill, R restart the compose service."""

    def __init__(self, action: str, row: ContainerRow) -> None:
        super().__init__()
        self.action = action
        self.row = row


class ContainerInspectRequested(Message):
    """Enter: command, environment (secrets masked), mounts, health check log."""

    def __init__(self, row: ContainerRow) -> None:
        super().__init__()
        self.row = row


class ContainerLogsRequested(Message):
    """l: follow the container's log in the Logs pane; L: from a time ago you choose."""

    def __init__(self, row: ContainerRow, *, ask_since: bool = False) -> None:
        super().__init__()
        self.row = row
        self.ask_since = ask_since
