"""What the Kubernetes views ask the app to do: messages posted upward.

Widgets never talk to a cluster. They post one of these; the app checks
read-only mode, asks for confirmation, calls the API in a thread, and
records the outcome in the timeline.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

# Actions on a selected row (PodRow, DeploymentRow, ...):
RESTART = "restart"  # r: rollout restart of the pod's workload (or the selected deployment)
UNDO = "undo"  # u: rollout undo to a chosen revision
SCALE = "scale"  # + / - (amount=+1/-1) or = (amount=None: ask for a number)
DELETE_POD = "delete-pod"  # ctrl+d


class ActionRequested(Message):
    def __init__(self, action: str, row: Any, amount: int | None = None) -> None:
        super().__init__()
        self.action = action
        self.row = row
        self.amount = amount


class DetailRequested(Message):
    """Enter on a pod: containers, conditions, events, owner chain."""

    def __init__(self, row: Any) -> None:
        super().__init__()
        self.row = row


class YamlRequested(Message):
    def __init__(self, row: Any) -> None:
        super().__init__()
        self.row = row


class LogsRequested(Message):
    """l: follow the pod's logs in the Logs pane (a deployment's: all its pods, merged);
    p: the previous container's logs."""

    def __init__(self, row: Any, *, previous: bool) -> None:
        super().__init__()
        self.row = row
        self.previous = previous


class SwitchRequested(Message):
    """c: choose contexts; N: choose the namespace."""

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what  # "context" or "namespace"


class DrillRequested(Message):
    """D, when no cluster is reachable: start the drill cluster in-process."""
