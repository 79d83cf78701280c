"""An event's columns exactly as stored, and the step from those to an `Event`.

Readers that work on whole files (review, export, verify, merge) keep the
stored text: the hash chain covers those bytes, and an export must not change
what it carries by re-serialising it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tui.timeline.model import Event, parse_ts

# The columns every whole-file reader selects, in StoredRow's field order.
ROW_COLUMNS = "seq, uuid, ts, kind, actor, source, text, data, pinned, subject, hash"
# Schema 1 files have no hash column: the same shape, with NULL in its place.
ROW_COLUMNS_V1 = "seq, uuid, ts, kind, actor, source, text, data, pinned, subject, NULL"


@dataclass(frozen=True, slots=True)
class StoredRow:
    seq: int
    uuid: str
    ts: str
    kind: str
    actor: str
    source: str
    text: str
    data: str
    pinned: int
    subject: str | None
    hash: str | None = None

    def payload(self) -> dict[str, Any]:
        """The data as an object; text that is not a JSON object is kept, not lost."""
        return parse_data(self.data)

    def to_event(self) -> Event:
        try:
            ts = parse_ts(self.ts)
        except ValueError:
            ts = parse_ts("1970-01-01T00:00:00.000Z")  # damaged row: shown, never fatal
        return Event(
            uuid=self.uuid,
            ts=ts,
            kind=self.kind,
            actor=self.actor,
            source=self.source,
            text=self.text,
            data=self.payload(),
            pinned=bool(self.pinned),
            subject=self.subject,
            seq=self.seq,
        )


def parse_data(text: str) -> dict[str, Any]:
    try:
        payload = json.loads(text) if text else {}
    except (json.JSONDecodeError, RecursionError):
        return {"unparsed": text}
    return payload if isinstance(payload, dict) else {"value": payload}


def data_text(data: dict[str, Any]) -> str:
    """The stored form of an event's data (what `Event.data_json` writes)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
