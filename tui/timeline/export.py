"""Exporting an incident file: JSON (complete, round-trips), CSV (a row per event), Markdown.

JSON carries every stored field of every event as stored, the header and the
chain's facts; `load_json` gives back the same rows (hashes included), so
`warroom merge` can rebuild a file from an export and `verify` still holds.
`data` is written as an object; when the stored text is not exactly what that
object serialises to (a damaged or foreign row), `data_raw` keeps the original.

CSV is for spreadsheets: one row per event, `pinned` as it stands at the end
(pins and unpins applied), control characters made visible and cells that a
spreadsheet would run as a formula (=, +, -, @) prefixed with a quote.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any, TextIO

from tui.redact import Redactor
from tui.safetext import clean
from tui.timeline.model import parse_ts
from tui.timeline.postmortem import FactsCollector, render_postmortem
from tui.timeline.reader import TimelineReader
from tui.timeline.rows import StoredRow, data_text, parse_data

FORMAT = "warroom-timeline"
FORMAT_VERSION = 1
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormatError(ValueError):
    """A JSON document that is not a warroom export, worded for the operator."""


# -- redaction (--redact) -------------------------------------------------------------


def redacted(row: StoredRow, redactor: Redactor | None) -> StoredRow:
    """`row` with secrets in its text and data masked (as is without a redactor).

    The hash is left as stored: it covers the original, so a redacted export is for
    reading and sharing; it does not verify or merge back."""
    if redactor is None:
        return row
    data = parse_data(row.data)
    if data_text(data) == row.data:
        shown_data = data_text(redactor.redact_value(data))
    else:  # not an object as we write them: masked as the text it is
        shown_data = redactor.redact(row.data)
    return replace(row, text=redactor.redact(row.text), data=shown_data)


# -- JSON ----------------------------------------------------------------------------


def row_json(row: StoredRow) -> dict[str, Any]:
    data = parse_data(row.data)
    item: dict[str, Any] = {
        "seq": row.seq,
        "uuid": row.uuid,
        "ts": row.ts,
        "kind": row.kind,
        "actor": row.actor,
        "source": row.source,
        "subject": row.subject,
        "pinned": bool(row.pinned),
        "text": row.text,
        "data": data,
        "hash": row.hash,
    }
    if data_text(data) != row.data:
        item["data_raw"] = row.data
    return item


def write_json(
    reader: TimelineReader,
    out: TextIO,
    *,
    pinned_only: bool = False,
    redactor: Redactor | None = None,
) -> int:
    """Stream the file as one JSON document; returns the number of events written."""
    with reader.snapshot():
        starts_after, since = reader.chain_info()
        keep = reader.pinned_uuids() if pinned_only else None
        incident_id, title, severity, started_at, created_by = reader.header
        if redactor is not None:
            title = redactor.redact(title)
        head = {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "incident": {
                "id": incident_id,
                "title": title,
                "severity": severity,
                "started_at": started_at,
                "created_by": created_by,
            },
            "chain": {"starts_after_seq": starts_after, "since": since, "genesis": reader.genesis},
            "pinned_only": pinned_only,
        }
        if redactor is not None:
            head["redacted"] = True
        # The header as an object, then the events one per line: a million events
        # stream out without being held in memory.
        out.write(json.dumps(head)[:-1] + ', "events": [\n')
        count = 0
        for row in reader.iter_rows():
            if keep is not None and row.uuid not in keep:
                continue
            out.write((",\n" if count else "") + json.dumps(row_json(redacted(row, redactor))))
            count += 1
        out.write("\n]}\n")
    return count


@dataclass(frozen=True, slots=True)
class LoadedExport:
    header: tuple[str, str, str, str, str]
    starts_after_seq: int
    rows: list[StoredRow]
    pinned_only: bool


def load_json(text: str) -> LoadedExport:
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ExportFormatError(f"not JSON ({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ExportFormatError("not a warroom timeline export (no 'format': 'warroom-timeline')")
    if document.get("version") != FORMAT_VERSION:
        raise ExportFormatError(f"export version {document.get('version')!r} is not supported")
    try:
        incident = document["incident"]
        header = tuple(
            str(incident[k]) for k in ("id", "title", "severity", "started_at", "created_by")
        )
        parse_ts(header[3])
        rows = [_row_from_json(item) for item in document["events"]]
        starts_after = int(document.get("chain", {}).get("starts_after_seq", 0))
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ExportFormatError(f"damaged export ({type(error).__name__}: {error})") from None
    return LoadedExport(header, starts_after, rows, bool(document.get("pinned_only")))  # type: ignore[arg-type]


def _row_from_json(item: dict[str, Any]) -> StoredRow:
    raw = item.get("data_raw")
    data = raw if isinstance(raw, str) else data_text(item.get("data") or {})
    subject = item.get("subject")
    return StoredRow(
        seq=int(item["seq"]),
        uuid=str(item["uuid"]),
        ts=str(item["ts"]),
        kind=str(item["kind"]),
        actor=str(item["actor"]),
        source=str(item["source"]),
        text=str(item["text"]),
        data=data,
        pinned=int(bool(item.get("pinned"))),
        subject=None if subject is None else str(subject),
        hash=item.get("hash") or None,
    )


# -- CSV -----------------------------------------------------------------------------


def _cell(text: str | None) -> str:
    if text is None:
        return ""
    text = clean(text, max_chars=1_000_000)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(
    reader: TimelineReader,
    out: TextIO,
    *,
    pinned_only: bool = False,
    zone: tzinfo | None = None,
    zone_name: str = "",
    redactor: Redactor | None = None,
) -> int:
    writer = csv.writer(out, lineterminator="\n")
    columns = ["seq", "time_utc"]
    if zone is not None:
        columns.append(f"time_{zone_name}")
    columns += ["kind", "actor", "source", "subject", "pinned", "text", "data", "uuid", "hash"]
    writer.writerow(columns)
    count = 0
    with reader.snapshot():
        pinned = reader.pinned_uuids()
        for row in reader.iter_rows():
            if pinned_only and row.uuid not in pinned:
                continue
            row = redacted(row, redactor)
            cells: list[object] = [row.seq, row.ts]
            if zone is not None:
                cells.append(_local(row.ts, zone))
            cells += [
                _cell(row.kind),
                _cell(row.actor),
                _cell(row.source),
                _cell(row.subject),
                int(row.uuid in pinned),
                _cell(row.text),
                _cell(row.data),
                row.uuid,
                row.hash or "",
            ]
            writer.writerow(cells)
            count += 1
    return count


def _local(ts: str, zone: tzinfo) -> str:
    try:
        return parse_ts(ts).astimezone(zone).isoformat(timespec="milliseconds")
    except ValueError:
        return ""


# -- Markdown ------------------------------------------------------------------------


def collect_facts(
    reader: TimelineReader, *, pinned_only: bool = False, redactor: Redactor | None = None
) -> FactsCollector:
    """One pass over the file (plus the few events pinned after the fact)."""
    with reader.snapshot():
        incident = reader.incident
        if redactor is not None:
            incident = replace(incident, title=redactor.redact(incident.title))
        facts = FactsCollector(incident, pinned_only=pinned_only)
        for event in _events(reader, redactor):
            facts.apply(event)
        missing = facts.missing_pins()
        if missing:
            for row in reader.rows_by_seq(reader.seqs_of_uuids(sorted(missing))):
                facts.add(redacted(row, redactor).to_event())
    return facts


def _events(reader: TimelineReader, redactor: Redactor | None = None) -> Iterator[Any]:
    for row in reader.iter_rows():
        yield redacted(row, redactor).to_event()


def write_markdown(
    reader: TimelineReader,
    out: TextIO,
    *,
    pinned_only: bool = False,
    zone: tzinfo | None = None,
    zone_name: str = "",
    source: str = "",
    redactor: Redactor | None = None,
) -> int:
    facts = collect_facts(reader, pinned_only=pinned_only, redactor=redactor)
    # Metrics of an unresolved incident run to its last event, not to "now":
    # the same file always gives the same postmortem.
    as_of = facts.metrics.last_ts
    out.write(render_postmortem(facts, zone=zone, zone_name=zone_name, source=source, as_of=as_of))
    return sum(facts.kinds.values())
