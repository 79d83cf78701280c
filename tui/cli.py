"""The `warroom` command: the console by default, plus subcommands for scripts.

Every failure a user can cause (a bad flag, an unreadable path, a file that is
not an incident) ends with one line on stderr and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from tui import __version__
from tui.config import ConfigError, Settings, default_config_path, load_settings
from tui.identity import current_actor
from tui.safetext import one_line
from tui.timeline.model import EventKind, IncidentState, Severity, utc_now
from tui.timeline.store import IncidentSummary, StoreError, TimelineStore

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors are one line on stderr (no usage dump) and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> Parser:
    parser = Parser(
        prog="warroom",
        description=(
            "A full-screen console for production incidents: host resources, the runbook and"
            " an incident timeline kept in a local SQLite file. With no subcommand, opens the"
            " console on a new incident (or on --db)."
        ),
        epilog=(
            "Keys in the console: ? shows them all. Settings: "
            f"{default_config_path()} (or --config / WARROOM_CONFIG), WARROOM_* variables."
        ),
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    parser.add_argument(
        "--db",
        type=Path,
        metavar="PATH",
        help="incident file to open, or to create if it does not exist"
        " (default: a new file per incident in the data directory, named by date and title)",
    )
    parser.add_argument("--title", help="title of a new incident (default: 'Untitled incident')")
    parser.add_argument(
        "--severity",
        type=_severity,
        metavar="P0..P3",
        help="severity of a new incident (default: incidents.default_severity, P2); on an"
        " existing file, records a severity change",
    )
    parser.add_argument(
        "--readonly",
        action="store_true",
        help="no changes to clusters, containers or hosts; the timeline is still recorded",
    )
    parser.add_argument("--config", type=Path, metavar="PATH", help="settings file (TOML)")

    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    note = commands.add_parser(
        "note",
        help="append a note to an incident from the shell",
        description="Append a note to an incident file; '-' reads the note from stdin."
        " Works while consoles have the file open: they show it within a second.",
    )
    note.add_argument("--db", type=Path, metavar="PATH", required=True, help="incident file")
    note.add_argument("text", nargs="+", help="the note (words are joined with spaces)")

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
    return parser


def _severity(value: str) -> Severity:
    try:
        return Severity(value.upper())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a severity (P0, P1, P2 or P3)"
        ) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "note":
            return asyncio.run(_note(args))
        if args.command == "incidents":
            return asyncio.run(_incidents(args))
        return _console(args)
    except (UsageError, StoreError, ConfigError) as error:
        print(f"warroom: {one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


# -- console ---------------------------------------------------------------------------


def slug(title: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return text[:40].rstrip("-") or "incident"


def new_incident_path(settings: Settings, title: str, now: datetime) -> Path:
    directory = settings.incidents.directory
    base = f"{now:%Y-%m-%d-%H%M%S}-{slug(title)}"
    path = directory / f"{base}.db"
    counter = 2
    while path.exists():
        path = directory / f"{base}-{counter}.db"
        counter += 1
    return path


async def prepare_incident(
    args: argparse.Namespace, settings: Settings, actor: str
) -> tuple[Path, IncidentState, list[str]]:
    """Create or validate the incident file before the full screen takes over.

    Returns the path, the incident's state (for the first frame) and any
    notices to show on stderr afterwards.
    """
    notices: list[str] = []
    title = args.title or "Untitled incident"
    severity = args.severity or settings.incidents.default_severity
    path: Path = args.db.expanduser() if args.db else new_incident_path(settings, title, utc_now())
    if path.exists() and path.stat().st_size:
        store = await TimelineStore.open(path)
        try:
            state = await store.state()
            if args.title and args.title != store.incident.title:
                notices.append(f"{path}: keeps its title '{one_line(store.incident.title)}'")
            if args.severity and args.severity is not state.severity:
                await store.append(
                    EventKind.SEVERITY_CHANGED,
                    f"Severity: {state.severity.value} → {args.severity.value} (set at start)",
                    data={"from": state.severity.value, "to": args.severity.value},
                    actor=actor,
                )
                state = await store.state()
        finally:
            await store.close()
    else:
        store = await TimelineStore.create(path, title=title, severity=severity, actor=actor)
        state = await store.state()
        await store.close()
        notices.append(f"new incident file: {path}")
    return path, state, notices


def _console(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    actor = current_actor()
    path, state, notices = asyncio.run(prepare_incident(args, settings, actor))
    from tui.app import WarRoomApp  # Textual loads only when the console really opens

    app = WarRoomApp(settings, path, readonly=args.readonly, actor=actor, initial_state=state)
    app.run()
    if app.fatal_error:
        raise StoreError(app.fatal_error)
    for notice in notices:
        print(f"warroom: {notice}", file=sys.stderr)
    return app.return_code or 0


# -- note ------------------------------------------------------------------------------


async def _note(args: argparse.Namespace) -> int:
    words: list[str] = args.text
    text = sys.stdin.read() if words == ["-"] else " ".join(words)
    text = text.strip()
    if not text:
        raise UsageError("the note is empty")
    path: Path = args.db.expanduser()
    if not path.exists():
        raise UsageError(f"{path}: no such incident file (start one with 'warroom --db {path}')")
    store = await TimelineStore.open(path)
    try:
        event = await store.append(EventKind.NOTE, text, actor=current_actor(), source="cli")
    finally:
        await store.close()
    print(f"recorded note #{event.seq} at {event.ts:%Y-%m-%d %H:%M:%S} UTC ({event.uuid})")
    return 0


# -- incidents -------------------------------------------------------------------------


async def _incidents(args: argparse.Namespace) -> int:
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


if __name__ == "__main__":
    sys.exit(main())
