"""`warroom verify FILE.db`: check the hash chain; report the first altered or missing event.

Exit status: 0 intact, 1 altered or missing events, 2 not a readable incident file.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from tui.safetext import one_line
from tui.timeline.reader import TimelineReader

if TYPE_CHECKING:
    from tui.timeline.verify import VerifyReport

EXIT_TAMPERED = 1
SHOWN_PROBLEMS = 10


def register(commands: argparse._SubParsersAction) -> None:
    verify = commands.add_parser(
        "verify",
        help="check an incident file's hash chain (exit 1 if an event was altered or deleted)",
        description="Recompute the hash chain of an incident file and report the first altered"
        " or missing event. Each event's SHA-256 covers its stored fields and the hash of the"
        " event before it; the first covers the incident header. Exit status: 0 intact,"
        " 1 altered or missing events, 2 not a readable incident file. Read-only: works on a"
        " file another console is writing.",
    )
    verify.add_argument("path", type=Path, metavar="FILE.db", help="incident file")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from tui.timeline.verify import verify_file  # loaded when a verify runs

    path: Path = args.path.expanduser()
    with TimelineReader(path) as reader:
        report = verify_file(reader)
    if args.json:
        print(json.dumps(report_json(path, report)))
    else:
        print_report(path, report)
    return 0 if report.ok else EXIT_TAMPERED


def report_json(path: Path, report: VerifyReport) -> dict[str, object]:
    return {
        "path": str(path),
        "ok": report.ok,
        "events": report.events,
        "chained": report.chained,
        "pre_chain": report.pre_chain,
        "chain_since": report.chain_since,
        "head": report.head,
        "problems": [{"seq": p.seq, "what": p.what, "message": p.message} for p in report.problems],
        "more_problems": report.more_problems,
    }


def print_report(path: Path, report: VerifyReport) -> None:
    name = one_line(str(path))
    first = report.first
    if first is None:
        print(f"{name}: OK, {report.events} events, hash chain intact")
    else:
        print(f"{name}: {first.what.upper()}: {one_line(first.message, max_chars=300)}")
        total = len(report.problems) + report.more_problems
        if total > 1:
            print(f"  {total - 1} more problem(s) after it:")
            for problem in report.problems[1:SHOWN_PROBLEMS]:
                print(f"    {one_line(problem.message, max_chars=300)}")
    if report.head:
        print(f"  head sha256: {report.head} (note it elsewhere to pin the file's state)")
    if report.pre_chain:
        print(
            f"  events #1–#{report.pre_chain} predate the hash chain (written by an older"
            " warroom): not verifiable"
        )
