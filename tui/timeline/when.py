"""Reading the time an operator types for a backdated milestone.

Accepted: blank (now), relative ("-10m", "-1h30m", "90s ago"), a clock time in
UTC ("14:35", "14:35:10": today, or yesterday if that would be in the future),
or a full date and time ("2026-11-22 14:35", ISO 8601 with or without zone,
naive meaning UTC). Future times are refused: a milestone is something that
already happened.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^-?\s*((?:\d+\s*[dhms]\s*)+)(?:\s*ago)?$")
_PART = re.compile(r"(\d+)\s*([dhms])")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class WhenError(ValueError):
    """The text is not a time we can read; the message says what is accepted."""


HELP = "blank for now, -10m, 14:35 (UTC), or 2026-11-22 14:35"


def parse_when(text: str, now: datetime) -> datetime:
    text = text.strip().lower()
    if not text or text == "now":
        return now
    if match := _RELATIVE.match(text):
        seconds = sum(int(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(match.group(1)))
        return now - timedelta(seconds=seconds)
    if match := _CLOCK.match(text):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        try:
            moment = now.astimezone(UTC).replace(
                hour=hour, minute=minute, second=second, microsecond=0
            )
        except ValueError:
            raise WhenError(f"{text!r} is not a valid clock time") from None
        if moment > now:
            moment -= timedelta(days=1)
        return moment
    try:
        moment = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        raise WhenError(f"cannot read {text!r}: use {HELP}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment > now + timedelta(seconds=5):
        raise WhenError(f"{text!r} is in the future; a milestone must already have happened")
    return moment.astimezone(UTC)
