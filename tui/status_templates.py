"""Status updates as the seeds write them: the internal update and the status-page line.

The internal template (seeds, "Every 15 minutes in incident channel"):

    Incident Update #X (HH:MM)
    Status: [Investigating / Identified / Monitoring / Resolved]
    Impact: X users affected, Y services degraded
    Actions: Currently doing Z
    ETA: Next update in 15 minutes or when status changes

and the status page's line for each status. The composer fills the fields; the
text recorded (and copied, and saved) is `compose(draft)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from tui.timeline.model import Severity, Status, format_ts

PUBLIC_TEMPLATES: dict[Status, str] = {
    Status.INVESTIGATING: "We are investigating elevated error rates on our platform. Some users"
    " may experience service degradation. We'll provide an update in {minutes} minutes.",
    Status.IDENTIFIED: "We have identified the issue as [brief technical description]. We are"
    " implementing a fix.",
    Status.MONITORING: "A fix has been implemented. We are monitoring the situation to ensure"
    " stability.",
    Status.RESOLVED: "The issue has been resolved. All services are operating normally. We will"
    " conduct a post-mortem to prevent future occurrences.",
}

IMPACT_HINT = "X users affected, Y services degraded"
ACTIONS_HINT = "currently doing Z"

# The templates' blanks ("[brief technical description]"): a post that still holds
# one is refused. Only these: an operator's own brackets are their text.
BLANKS = frozenset(
    blank for template in PUBLIC_TEMPLATES.values() for blank in re.findall(r"\[[^\]]+\]", template)
)


@dataclass(frozen=True, slots=True)
class Draft:
    number: int
    title: str
    severity: Severity
    status: Status
    impact: str = ""
    actions: str = ""
    next_minutes: int | None = 15
    public: str = ""

    def with_status(self, status: Status) -> Draft:
        """Switch template: the status-page line follows unless it was edited."""
        untouched = self.public in ("", public_line(self.status, self.next_minutes))
        public = public_line(status, self.next_minutes) if untouched else self.public
        minutes = None if status is Status.RESOLVED else (self.next_minutes or 15)
        return replace(self, status=status, public=public, next_minutes=minutes)


def public_line(status: Status, minutes: int | None) -> str:
    return PUBLIC_TEMPLATES[status].format(minutes=minutes or 15)


def new_draft(number: int, title: str, severity: Severity, status: Status, minutes: float) -> Draft:
    next_minutes = None if status is Status.RESOLVED else max(1, round(minutes))
    return Draft(
        number,
        title,
        severity,
        status,
        next_minutes=next_minutes,
        public=public_line(status, next_minutes),
    )


def unfilled(draft: Draft) -> str | None:
    """The first template blank still in the draft, or None when it is ready to post."""
    for text in (draft.impact, draft.actions, draft.public):
        for blank in sorted(BLANKS):
            if blank in text:
                return blank
    return None


def compose(draft: Draft, now: datetime) -> str:
    """The update as posted: the seeds' internal format, then the status-page line."""
    lines = [
        f"Incident Update #{draft.number} ({now:%H:%M} UTC): {draft.title} [{draft.severity}]",
        f"Status: {draft.status.value.capitalize()}",
        f"Impact: {draft.impact.strip() or 'not assessed yet'}",
        f"Actions: {draft.actions.strip() or 'none recorded'}",
    ]
    if draft.next_minutes is None or draft.status is Status.RESOLVED:
        lines.append("Next update: none (resolved); a postmortem will follow")
    else:
        due = now + timedelta(minutes=draft.next_minutes)
        lines.append(
            f"Next update: in {draft.next_minutes} minutes ({due:%H:%M} UTC) or when status changes"
        )
    if draft.public.strip():
        lines += ["", f"Status page: {draft.public.strip()}"]
    return "\n".join(lines)


def event_data(draft: Draft, now: datetime) -> dict[str, object]:
    """The STATUS_UPDATE event's data (see tui/timeline/process.py)."""
    minutes = None if draft.status is Status.RESOLVED else draft.next_minutes
    due = None if minutes is None else now + timedelta(minutes=minutes)
    return {
        "number": draft.number,
        "status": draft.status.value,
        "impact": draft.impact.strip(),
        "actions": draft.actions.strip(),
        "public": draft.public.strip(),
        "next_update_minutes": minutes,
        "next_update_at": format_ts(due) if due else None,
    }
