"""Viewer mode: the console as `warroom serve` shows it to people watching in a browser.

A viewer sees everything an operator sees, live, and can change nothing: the
incident file is opened read-only at the SQLite level, and every way of acting
(keys, clicks, the command palette, requests posted by the panes) is refused
here, before a dialog opens, with one notice that says why.

The lists below are the whole policy: an action or request missing from them
would still fail at the read-only incident file, but with a less helpful message
and possibly after a dialog was shown.
"""

from __future__ import annotations

from functools import cache

from textual.message import Message

NOTICE = "view only: shared from warroom serve"
BANNER_MARKER = "VIEW ONLY"

# App actions (key bindings "app.NAME" and palette commands) that record something.
WRITING_ACTIONS = frozenset(
    {
        "add_note",
        "change_status",
        "change_severity",
        "acknowledge",
        "mark_milestone",
        "status_update",
        "add_todo",
        "assign_roles",
        "escalate",
        "snooze_update",
    }
)


@cache
def refused_requests() -> tuple[type[Message], ...]:
    """Requests the panes post to the app that change a cluster, a container, a host
    file or the timeline. Looking (details, YAML, logs, switching the view) stays.

    Imported when first asked: the panes' modules load after the console's first
    frame, and this module loads with the app."""
    from widgets.container_requests import ContainerActionRequested
    from widgets.ingress_pane import IngressPane
    from widgets.kube_requests import ActionRequested, DrillRequested
    from widgets.logs_pane import LogEvidence, LogSaveRequested
    from widgets.runbook_pane import RunbookPane
    from widgets.timeline_pane import TimelinePane

    return (
        ActionRequested,  # restart, undo, scale, delete pod
        ContainerActionRequested,  # start, stop, restart, kill...
        DrillRequested,  # starts a drill cluster and records it
        LogEvidence,  # records log lines in the timeline
        LogSaveRequested,  # writes a file on the sharing host
        RunbookPane.StepToggled,
        RunbookPane.RunRequested,
        TimelinePane.PinRequested,
        IngressPane.RecheckRequested,  # a recheck records what it finds
    )


def refuses_action(action_name: str) -> bool:
    """True for an app action a viewer may not run (the name without 'action_')."""
    return action_name in WRITING_ACTIONS


def refuses_request(message: Message) -> bool:
    return isinstance(message, refused_requests())
