"""What the app does for the Logs pane: open sources, record evidence, save buffers.

The pane only renders a `LogFeed` and posts what the operator asks for. This
flow turns "logs of this pod", "this deployment's pods, merged", "this file"
into started sources feeding one new feed, stops the previous ones, and writes
marked lines and saved buffers into the incident's record.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.safetext import one_line
from tui.sources.log_model import LogFeed, LogLine
from tui.timeline.model import EventKind, format_ts

if TYPE_CHECKING:
    from tui.app import WarRoomApp
    from tui.sources.logs import ContainerLogReader, LogRequest, LogSource

# tui.sources.logs (and the HTTP stack under it) is imported when logs are first
# opened: the console's first frame does not wait for it.

# Evidence keeps the marked lines themselves, bounded: the record must stay readable.
EVIDENCE_MAX_LINES = 200
EVIDENCE_MAX_CHARS = 2000


class LogsFlow:
    def __init__(self, app: WarRoomApp) -> None:
        self.app = app
        self.sources: list[LogSource] = []
        self.feed: LogFeed | None = None
        # Where "container" requests read from: set by the docker flow once an engine answers.
        self.containers: ContainerLogReader | None = None

    # -- opening -----------------------------------------------------------------------

    def requests_for_row(self, row: Any, *, previous: bool) -> LogRequest:
        """A pod row: that pod (all containers). A deployment row: its pods, merged."""
        from tui.sources.logs import LogRequest

        logs = self.app.settings.logs
        kind = "pod" if hasattr(row, "container_names") else "deployment"
        return LogRequest(
            kind=kind,
            name=row.name,
            context=row.context,
            namespace=row.namespace,
            previous=previous,
            follow=not previous,
            tail_lines=logs.tail_lines,
            max_streams=logs.max_streams,
        )

    def file_requests(self, paths: Sequence[Path]) -> list[LogRequest]:
        from tui.sources.logs import LogRequest

        tail = self.app.settings.logs.tail_lines
        return [LogRequest(kind="file", name=str(path), tail_lines=tail) for path in paths]

    async def open(self, requests: Sequence[LogRequest], title: str) -> None:
        """Stop what the pane follows and follow `requests` instead, in one feed."""
        from tui.sources.logs import open_source

        self.stop()
        sources: list[LogSource] = []
        for request in requests:
            try:
                sources.append(
                    open_source(request, self.app.kube.client, containers=self.containers)
                )
            except (ValueError, AssertionError) as error:
                self.app.notify(f"Cannot open logs: {error}", severity="error", markup=False)
        if not sources:
            return
        feed = LogFeed()
        # Starting a source only spawns its threads, but the first one may load
        # the kubernetes client: keep that off the event loop.
        await asyncio.to_thread(lambda: [source.start(feed) for source in sources])
        self.sources, self.feed = sources, feed
        pane = self.app.console_screen.pane("logs")
        pane.attach(feed, title)

    def stop(self) -> None:
        for source in self.sources:
            source.stop()
        self.sources = []

    # -- recording ---------------------------------------------------------------------

    async def record_evidence(self, lines: Sequence[LogLine], title: str) -> None:
        if not lines:
            self.app.notify("Select a line (or a range with v) to mark it as evidence.")
            return
        kept = lines[:EVIDENCE_MAX_LINES]
        origins = sorted({line.origin.label for line in kept})
        times = [line.time for line in kept if line.time is not None]
        data: dict[str, Any] = {
            "source": title,
            "origins": [_origin_data(line) for line in _first_per_origin(kept)],
            "lines": [_line_data(line) for line in kept],
            "line_count": len(lines),
            "omitted": len(lines) - len(kept),
        }
        if times:
            data["first_time"] = format_ts(min(times))
            data["last_time"] = format_ts(max(times))
        first = one_line(kept[0].text, max_chars=120)
        count = f"{len(lines)} log lines" if len(lines) > 1 else "Log line"
        text = f"{count} from {', '.join(origins)}: {first}"
        event = await self.app.record(
            EventKind.LOG_EVIDENCE, text, data=data, pinned=True, source="logs"
        )
        if event is not None:
            self.app.notify(f"Evidence pinned to the timeline ({len(lines)} lines).")

    async def save(self, lines: Sequence[LogLine], path: Path) -> None:
        """Write the buffer to `path` (never over an existing file) and record that."""
        body = "".join(_saved_line(line) for line in lines)
        try:
            path = await asyncio.to_thread(_write_new, path, body)
        except OSError as error:
            self.app.notify(f"Not saved: {error}", severity="error", markup=False)
            return
        digest = hashlib.sha256(body.encode()).hexdigest()
        await self.app.record(
            EventKind.LOG_SAVED,
            f"Saved {len(lines)} log lines to {path}",
            data={"path": str(path), "lines": len(lines), "sha256": digest},
            source="logs",
        )
        self.app.notify(f"Saved {len(lines)} lines to {path}", markup=False)


def _write_new(path: Path, body: str) -> Path:
    path = path.expanduser().absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:
        out.write(body)
    return path


def _saved_line(line: LogLine) -> str:
    stamp = f"{format_ts(line.time)} " if line.time is not None else ""
    return f"{stamp}[{line.origin.label}] {line.text}\n"


def _first_per_origin(lines: Sequence[LogLine]) -> list[LogLine]:
    seen: dict[str, LogLine] = {}
    for line in lines:
        seen.setdefault(line.origin.label, line)
    return list(seen.values())


def _origin_data(line: LogLine) -> dict[str, Any]:
    origin = line.origin
    data = {"kind": origin.kind, "name": origin.name}
    for key in ("context", "namespace", "container"):
        if (value := getattr(origin, key)) is not None:
            data[key] = value
    if origin.previous:
        data["previous"] = True
    return data


def _line_data(line: LogLine) -> dict[str, Any]:
    data: dict[str, Any] = {"origin": line.origin.label, "text": line.text[:EVIDENCE_MAX_CHARS]}
    if line.time is not None:
        data["time"] = format_ts(line.time)
    if line.level is not None:
        data["level"] = line.level.name
    return data
