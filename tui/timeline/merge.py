"""Merging timelines written by several operators or bastions into one file.

* Events are identified by their id (uuid): the same event found in several
  sources (copies of one file) is written once. The same id with different
  content is a conflict: the copy met first in merged order (earliest time,
  then the source given first) is kept, and the merge says so.
* Order: the sources are merged by event time, but each source keeps its own
  commit order (a k-way merge never reorders within one input), so what one
  operator did stays in the order they did it.
* The header: the sources' incident if they share one, else the earliest
  declared. Every other source's declaration stays in as an event.
* The output is re-chained in the merged order, and a final `merged` event
  records each source: its path, incident id and title, how many events it
  had and added, whether its own chain verified, and its head hash, so the
  merged file can be checked against the originals.

Sources whose chain does not verify are refused unless the caller allows
them: merging would otherwise launder an edit into a fresh, valid chain.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from tui.timeline.bulk import write_new_file
from tui.timeline.chain import genesis_hash
from tui.timeline.export import load_json
from tui.timeline.model import EventKind, format_ts, new_event_id
from tui.timeline.reader import TimelineReader
from tui.timeline.rows import StoredRow, data_text
from tui.timeline.store import StoreError, check_sqlite_header
from tui.timeline.verify import VerifyReport, verify_file, verify_rows

MAX_LISTED_CONFLICTS = 20


@dataclass(slots=True)
class MergeSource:
    name: str
    header: tuple[str, str, str, str, str]
    rows: Callable[[], Iterator[StoredRow]]
    report: VerifyReport
    close: Callable[[], None] = lambda: None
    events: int = 0
    added: int = 0


@dataclass(slots=True)
class MergeResult:
    path: Path
    events: int
    head: str | None
    duplicates: int
    conflicts: list[str] = field(default_factory=list)
    sources: list[MergeSource] = field(default_factory=list)


def open_source(path: Path) -> MergeSource:
    """An incident file, or a JSON export of one (`warroom export --format json`)."""
    if _looks_like_json(path):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise StoreError(f"{path}: cannot read ({error})") from None
        try:
            loaded = load_json(text)
        except ValueError as error:
            raise StoreError(f"{path}: {error}") from None
        rows = loaded.rows
        report = verify_rows(
            genesis_hash(*loaded.header), rows, starts_after=loaded.starts_after_seq
        )
        return MergeSource(str(path), loaded.header, lambda: iter(rows), report)
    reader = TimelineReader(path)
    try:
        report = verify_file(reader)
    except BaseException:
        reader.close()
        raise
    return MergeSource(str(path), reader.header, reader.iter_rows, report, reader.close)  # type: ignore[arg-type]


def _looks_like_json(path: Path) -> bool:
    check = path.suffix.lower() == ".json"
    if not check:
        check_sqlite_header(path)  # a clear error for anything that is neither
    return check


def merge(sources: list[MergeSource], out: Path, *, actor: str, now: datetime) -> MergeResult:
    header = _choose_header(sources)
    seen: dict[str, tuple[str, int]] = {}  # uuid -> (content key, source index)
    result = MergeResult(out, 0, None, 0, sources=sources)

    def tagged(index: int) -> Iterator[tuple[str, int, StoredRow]]:
        for row in sources[index].rows():
            sources[index].events += 1
            yield row.ts, index, row

    def merged() -> Iterator[StoredRow]:
        streams = [tagged(i) for i in range(len(sources))]
        for _ts, index, row in heapq.merge(*streams, key=lambda item: (item[0], item[1])):
            key = _content_key(row)
            earlier = seen.get(row.uuid)
            if earlier is not None:
                if earlier[0] == key:
                    result.duplicates += 1
                else:
                    result.conflicts.append(
                        f"event {row.uuid}: {sources[index].name} differs from"
                        f" {sources[earlier[1]].name}, whose copy was kept"
                    )
                continue
            seen[row.uuid] = (key, index)
            sources[index].added += 1
            yield row
        yield _merged_event(sources, result, actor, now)

    count, head = write_new_file(out, header, merged())
    result.events, result.head = count, head
    return result


def _choose_header(sources: list[MergeSource]) -> tuple[str, str, str, str, str]:
    ids = {source.header[0] for source in sources}
    if len(ids) == 1:
        return sources[0].header
    return min((s.header for s in sources), key=lambda h: h[3])


def _content_key(row: StoredRow) -> tuple[object, ...]:
    return (row.ts, row.kind, row.actor, row.source, row.text, row.data, row.pinned, row.subject)


def _merged_event(
    sources: list[MergeSource], result: MergeResult, actor: str, now: datetime
) -> StoredRow:
    described = [
        {
            "path": source.name,
            "incident_id": source.header[0],
            "title": source.header[1],
            "started_at": source.header[3],
            "events": source.events,
            "added": source.added,
            "verified": source.report.ok,
            "head": source.report.head,
        }
        for source in sources
    ]
    data = {
        "sources": described,
        "duplicates": result.duplicates,
        "conflicts": len(result.conflicts),
        "conflict_details": result.conflicts[:MAX_LISTED_CONFLICTS],
    }
    names = ", ".join(Path(source.name).name for source in sources)
    text = f"Merged {len(sources)} timelines ({names}): {result.duplicates} duplicates dropped"
    if result.conflicts:
        text += f", {len(result.conflicts)} conflicting events (the first copy kept)"
    return StoredRow(
        0,
        new_event_id(),
        format_ts(now),
        EventKind.MERGED,
        actor,
        "warroom",
        text,
        data_text(data),
        0,
        None,
    )
