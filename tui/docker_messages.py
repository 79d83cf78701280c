"""Messages from the docker flow to the Containers pane."""

from __future__ import annotations

from textual.message import Message

from tui.sources.docker.model import DockerDelta


class DockerUpdated(Message):
    """What changed on the engine since the last update (rows by id), and its state."""

    def __init__(self, delta: DockerDelta) -> None:
        super().__init__()
        self.delta = delta
