"""Checking an incident file's hash chain: the first altered or missing event.

Rules, in commit order (seq):

* seqs run 1, 2, 3... with no gap: SQLite's AUTOINCREMENT never reuses or skips
  a seq on commit, so a gap is a deleted event, and a highest-ever seq above
  the last row means the last events were deleted;
* events up to the `chain` table's `starts_after_seq` predate the chain (written
  by a warroom before it existed): counted, not checked;
* every later event must carry sha256(previous stored hash + its canonical
  form); the first links to the header's genesis hash.

Each event is checked against the hash *stored* before it, so one edit is
reported once (at the edited event) and the events after it still check.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tui.timeline.chain import row_hash
from tui.timeline.reader import TimelineReader
from tui.timeline.rows import StoredRow

MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    what: str  # "missing" or "altered"
    message: str


@dataclass(slots=True)
class VerifyReport:
    events: int = 0
    chained: int = 0
    pre_chain: int = 0
    chain_since: str | None = None
    head: str | None = None
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def _describe(row: StoredRow) -> str:
    text = row.text if len(row.text) <= 60 else row.text[:59] + "…"
    return f"{row.ts} {row.kind} by {row.actor}: {text!r}"


def verify_file(reader: TimelineReader) -> VerifyReport:
    with reader.snapshot():
        starts_after, since = reader.chain_info()
        report = verify_rows(
            reader.genesis,
            reader.iter_rows(),
            starts_after=starts_after,
            highest_seq=reader.highest_assigned_seq(),
        )
    report.chain_since = since
    return report


def verify_rows(
    genesis: str, rows: Iterable[StoredRow], *, starts_after: int = 0, highest_seq: int = 0
) -> VerifyReport:
    """Check rows in seq order; `highest_seq` is the highest seq ever assigned, if known."""
    report = VerifyReport()
    previous = genesis
    expected = 1
    for row in rows:
        report.events += 1
        if row.seq != expected:
            _add(report, _missing(expected, row.seq - 1, "deleted"))
        expected = row.seq + 1
        if row.seq <= starts_after:
            report.pre_chain += 1
            continue
        if not row.hash:
            _add(report, _altered(row, f"event #{row.seq} has no hash"))
            continue
        if row_hash(previous, row) != row.hash:
            cause = "it, or the event before it," if report.chained else "it or the header"
            message = f"event #{row.seq} does not match the chain: {cause} was altered"
            _add(report, _altered(row, message))
        report.chained += 1
        previous = row.hash
        report.head = row.hash
    if highest_seq >= expected:
        _add(report, _missing(expected, highest_seq, "the last events were deleted"))
    return report


def _missing(first: int, last: int, why: str) -> Problem:
    span = f"#{first}" if first == last else f"#{first}–#{last}"
    return Problem(first, "missing", f"event {span} is missing ({why})")


def _altered(row: StoredRow, message: str) -> Problem:
    return Problem(row.seq, "altered", f"{message} ({_describe(row)})")


def _add(report: VerifyReport, problem: Problem) -> None:
    if len(report.problems) < MAX_PROBLEMS:
        report.problems.append(problem)
    else:
        report.more_problems += 1
