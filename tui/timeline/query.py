"""The review's view of a timeline: which events match a filter, by position, in pages.

A million events are never loaded. A filter becomes `Positions`: the matching
seqs in commit order, either a dense range (no filter, no gap: position i is
seq first + i, nothing is read) or an array of seqs (8 bytes each). A page of
rows is then fetched by seq (the table's rowid), which costs the same at row 10
as at row 900,000.

Text search is `LIKE` over the event's text and its data, measured at well
under a second on a million events here (bench/review.py); FTS5 would double
the file and slow every append, and it would tie every SQLite that writes the
file to the FTS5 extension. `LIKE` is case-insensitive for ASCII; data is
stored as JSON with non-ASCII escaped, so the search also tries the escaped
form of the term.

Pinned means pinned *now*: pinned when recorded, then every pin and unpin.
"""

from __future__ import annotations

import json
import re
import threading
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tui.timeline.metrics import METRIC_KINDS, Metrics, MetricsFolder
from tui.timeline.model import (
    Event,
    EventKind,
    Incident,
    IncidentState,
    StateFolder,
    format_ts,
    parse_ts,
)
from tui.timeline.process import ProcessFolder
from tui.timeline.reader import TimelineReader

# Kinds the summary folds (state, metrics, process facts): few, whatever the file's size.
SUMMARY_KINDS = tuple(
    dict.fromkeys(
        (
            *METRIC_KINDS,
            EventKind.PIN_CHANGED,
            EventKind.TIMER_PROMPT,
            EventKind.TIMER_SNOOZED,
            EventKind.ROLE_ASSIGNED,
            EventKind.TODO,
        )
    )
)
FACETS = ("kind", "actor", "source")


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    kind: str | None = None
    actor: str | None = None
    source: str | None = None
    pinned: bool = False
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.kind or self.actor or self.source or self.pinned or self.text)

    def describe(self) -> str:
        parts = [
            f"{name}={value}"
            for name, value in (("kind", self.kind), ("actor", self.actor), ("source", self.source))
            if value
        ]
        if self.pinned:
            parts.append("pinned")
        if self.text:
            parts.append(f"search={self.text!r}")
        return " ".join(parts)


class Positions:
    """Matching seqs by position: a dense range, or an array."""

    def __init__(
        self, *, first: int = 1, count: int = 0, seqs: array[int] | None = None, upto: int = 0
    ) -> None:
        self._first = first
        self._count = count
        self._seqs = seqs
        # Every event up to this seq was considered: following reads only newer ones.
        self.upto = upto

    @property
    def total(self) -> int:
        return len(self._seqs) if self._seqs is not None else self._count

    @property
    def dense(self) -> bool:
        return self._seqs is None

    def seq_at(self, index: int) -> int:
        return self._seqs[index] if self._seqs is not None else self._first + index

    def seqs(self, start: int, count: int) -> list[int]:
        stop = min(start + count, self.total)
        if self._seqs is not None:
            return list(self._seqs[start:stop])
        return list(range(self._first + start, self._first + stop))

    def last_seq(self) -> int:
        return self.seq_at(self.total - 1) if self.total else 0

    def index_at_or_after(self, seq: int) -> int:
        if self._seqs is not None:
            return bisect_left(self._seqs, seq)
        return min(max(seq - self._first, 0), self._count)

    def extend(self, seqs: list[int], upto: int) -> None:
        """Append newer matching seqs (following a file still being written)."""
        self.upto = max(self.upto, upto)
        if not seqs:
            return
        if self._seqs is None:
            if not self._count:
                self._first = seqs[0]
            expected = range(self._first + self._count, self._first + self._count + len(seqs))
            if list(expected) == seqs:
                self._count += len(seqs)
                return
            self._seqs = array("q", range(self._first, self._first + self._count))
        self._seqs.extend(seqs)


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(flt: ReviewFilter, pinned_seqs: list[int] | None) -> tuple[str, list[object]]:
    clauses: list[str] = []
    params: list[object] = []
    for column in FACETS:
        value = getattr(flt, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if flt.pinned:
        seqs = pinned_seqs or []
        clauses.append(f"seq IN ({','.join(str(int(s)) for s in seqs) or 'NULL'})")
    if flt.text:
        # The data column holds JSON: non-ASCII and quotes appear escaped there.
        in_json = json.dumps(flt.text)[1:-1]
        clause = "text LIKE ? ESCAPE '\\' OR data LIKE ? ESCAPE '\\'"
        params += [_like(flt.text), _like(flt.text)]
        if in_json != flt.text:
            clause += " OR data LIKE ? ESCAPE '\\'"
            params.append(_like(in_json))
        clauses.append(f"({clause})")
    return " AND ".join(clauses) or "1", params


@dataclass(slots=True)
class Summary:
    """What the review's header and summary show, folded from the few kinds that matter."""

    state: IncidentState
    metrics: Metrics
    process: ProcessFolder
    kinds: Counter[str]
    events: int
    last_ts: datetime | None
    pinned: set[str] = field(default_factory=set)


class ReviewQuery:
    """The queries behind the review screen; every method is a short blocking call."""

    def __init__(self, reader: TimelineReader) -> None:
        self.reader = reader
        self._pinned: set[str] | None = None

    @property
    def incident(self) -> Incident:
        return self.reader.incident

    def pinned(self, *, refresh: bool = False) -> set[str]:
        if self._pinned is None or refresh:
            self._pinned = self.reader.pinned_uuids()
        return self._pinned

    def positions(self, flt: ReviewFilter, cancel: threading.Event | None = None) -> Positions:
        """The events matching `flt`; setting `cancel` stops a long search."""
        reader = self.reader
        with reader.snapshot():
            upto = reader.max_seq()
            if not flt.active:
                count, first = reader.count(), reader.min_seq()
                if count == 0 or count == upto - first + 1:
                    return Positions(first=first or 1, count=count, upto=upto)
            pinned = reader.seqs_of_uuids(sorted(self.pinned())) if flt.pinned else None
            where, params = where_clause(flt, pinned)
            rows = reader.query(
                f"SELECT seq FROM events WHERE {where} ORDER BY seq", params, cancel=cancel
            )
        return Positions(seqs=array("q", (row[0] for row in rows)), upto=upto)

    def newer(self, flt: ReviewFilter, positions: Positions) -> tuple[list[int], int]:
        """Matching seqs committed since `positions` was computed, and the new high mark."""
        reader = self.reader
        with reader.snapshot():
            upto = reader.max_seq()
            if upto <= positions.upto:
                return [], positions.upto
            pinned = None
            if flt.pinned:
                pinned = reader.seqs_of_uuids(sorted(self.pinned(refresh=True)))
            where, params = where_clause(flt, pinned)
            rows = reader.query(
                f"SELECT seq FROM events WHERE seq > ? AND seq <= ? AND {where} ORDER BY seq",
                [positions.upto, upto, *params],
            )
        return [row[0] for row in rows], upto

    def page(self, positions: Positions, start: int, count: int) -> list[Event]:
        seqs = positions.seqs(start, count)
        if not seqs:
            return []
        if positions.dense:
            rows = self.reader.rows(after_seq=seqs[0] - 1, limit=len(seqs))
        else:
            rows = self.reader.rows_by_seq(seqs)
        return [row.to_event() for row in rows]

    def stored(self, seq: int) -> tuple[Event, str | None] | None:
        """One event with its chain hash (for the detail view)."""
        rows = self.reader.rows_by_seq([seq])
        return (rows[0].to_event(), rows[0].hash) if rows else None

    def facet(self, column: str) -> list[tuple[str, int]]:
        """Distinct values of kind, actor or source with their counts, most common first."""
        if column not in FACETS:
            raise ValueError(column)
        rows = self.reader.query(
            f"SELECT {column}, count(*) FROM events GROUP BY {column} ORDER BY 2 DESC, 1"
        )
        return [(str(value), int(count)) for value, count in rows]

    def position_at(self, positions: Positions, moment: datetime) -> int:
        """The position of the first event recorded at or after `moment`."""
        rows = self.reader.query(
            "SELECT seq FROM events WHERE ts >= ? ORDER BY ts, seq LIMIT 1", [format_ts(moment)]
        )
        if not rows:
            return max(positions.total - 1, 0)
        return min(positions.index_at_or_after(rows[0][0]), max(positions.total - 1, 0))

    def summary(self) -> Summary:
        reader = self.reader
        with reader.snapshot():
            rows = reader.rows_of_kinds(SUMMARY_KINDS)
            # Notes starting with TODO are action items too (see timeline/process.py).
            rows += reader.rows_where("kind = 'note' AND ltrim(text) LIKE 'todo%'")
            kinds = Counter(dict(self.facet("kind")))
            count = reader.count()
            last = reader.query("SELECT ts FROM events ORDER BY seq DESC LIMIT 1")
            pinned = self.pinned(refresh=True)
        state = StateFolder(reader.incident)
        metrics = MetricsFolder(reader.incident)
        process = ProcessFolder()
        for row in sorted(rows, key=lambda r: r.seq):
            event = row.to_event()
            state.apply(event)
            metrics.apply(event)
            process.apply(event)
        last_ts = parse_ts(last[0][0]) if last else None
        return Summary(
            state=state.snapshot(),
            metrics=metrics.result(last_ts),
            process=process,
            kinds=kinds,
            events=count,
            last_ts=last_ts,
            pinned=pinned,
        )


_RELATIVE = re.compile(r"^\+\s*((?:\d+\s*[dhms]\s*)+)$")
_PART = re.compile(r"(\d+)\s*([dhms])")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_UNIT = {"d": 86400, "h": 3600, "m": 60, "s": 1}
JUMP_HELP = "14:35 (UTC, on the incident's day), +10m (after declaration), or 2026-11-22 14:35"


def parse_jump(text: str, started: datetime) -> datetime:
    """A time to jump to; raises ValueError with what is accepted."""
    text = text.strip().lower()
    if match := _RELATIVE.match(text):
        seconds = sum(int(n) * _UNIT[u] for n, u in _PART.findall(match.group(1)))
        return started + timedelta(seconds=seconds)
    if match := _CLOCK.match(text):
        try:
            moment = started.replace(
                hour=int(match[1]), minute=int(match[2]), second=int(match[3] or 0), microsecond=0
            )
        except ValueError:
            raise ValueError(f"{text!r} is not a valid clock time") from None
        # Before the declaration by more than an hour: the next day, past midnight.
        if moment < started - timedelta(hours=1):
            moment += timedelta(days=1)
        return moment
    try:
        return parse_ts(text.upper())
    except ValueError:
        raise ValueError(f"cannot read {text!r}: use {JUMP_HELP}") from None
