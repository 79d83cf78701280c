"""`warroom incidents`: list incident files with their state."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from tui.commands.errors import EXIT_USAGE, UsageError
from tui.config import load_settings
from tui.safetext import one_line
from tui.timeline.store import IncidentSummary, StoreError, TimelineStore


def register(commands: argparse._SubParsersAction) -> None:
    incidents = commands.add_parser(
        "incidents",
        help="list incident files with title, severity, status, start and event count",
        description="List incident files, newest first.",
    )
    incidents.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or directories to list (default: the incidents directory)",
    )
    incidents.add_argument("--json", action="store_true", help="print JSON lines instead")
    incidents.add_argument("--config", type=Path, metavar="PATH", help="settings file (TOML)")
    incidents.set_defaults(run=lambda args: asyncio.run(list_incidents(args)))


async def list_incidents(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    files = _incident_files(args.paths or [settings.incidents.directory], explicit=bool(args.paths))
    summaries: list[IncidentSummary] = []
    problems: list[str] = []
    for path in files:
        try:
            store = await TimelineStore.open(path, readonly=True)
        except StoreError as error:
            problems.append(str(error))
            continue
        try:
            summaries.append(await store.summary())
        except StoreError as error:
            problems.append(str(error))
        finally:
            await store.close()
    summaries.sort(key=lambda s: s.incident.started_at, reverse=True)
    if args.json:
        for summary in summaries:
            print(json.dumps(_summary_json(summary)))
    elif summaries:
        _print_table(summaries)
    elif not problems:
        where = ", ".join(str(p) for p in (args.paths or [settings.incidents.directory]))
        print(f"no incident files in {where}")
    for problem in problems:
        print(f"warroom: skipped {one_line(problem)}", file=sys.stderr)
    return EXIT_USAGE if problems and not summaries and args.paths else 0


def _incident_files(paths: list[Path], *, explicit: bool) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = path.expanduser()
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.db") if p.is_file()))
        elif path.exists():
            files.append(path)
        elif explicit:
            raise UsageError(f"{path}: no such file or directory")
    return files


def _summary_json(summary: IncidentSummary) -> dict[str, object]:
    return {
        "path": str(summary.path),
        "id": summary.incident.id,
        "title": summary.incident.title,
        "severity": summary.severity.value,
        "status": summary.status,
        "started_at": summary.incident.started_at.isoformat(),
        "created_by": summary.incident.created_by,
        "events": summary.event_count,
    }


def _print_table(summaries: list[IncidentSummary]) -> None:
    rows = [("STARTED (UTC)", "SEV", "STATUS", "EVENTS", "TITLE", "FILE")]
    for s in summaries:
        rows.append(
            (
                f"{s.incident.started_at:%Y-%m-%d %H:%M}",
                s.severity.value,
                s.status,
                str(s.event_count),
                one_line(s.incident.title, max_chars=60),
                one_line(str(s.path)),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
        print("  ".join([*cells, row[-1]]))
