"""`warroom merge A.db B.db ... -o OUT.db`: one timeline from several operators' files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.errors import UsageError
from tui.identity import current_actor
from tui.safetext import one_line
from tui.timeline.model import utc_now

if TYPE_CHECKING:
    from tui.timeline.merge import MergeSource


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "merge",
        help="merge incident files (or JSON exports) into a new file, without duplicates",
        description="Merge the timelines of several incident files, e.g. from several operators"
        " or bastions, into a new file. Events are matched by id, so copies of the same file"
        " add nothing twice; each file keeps its own order and the files are interleaved by"
        " time. The new file is re-chained and ends with an event naming every source, its"
        " event count and head hash. JSON exports ('warroom export --format json') are read"
        " too. Sources whose hash chain does not verify are refused unless"
        " --allow-unverified.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="incident files (.db) or JSON exports (.json)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT.db",
        required=True,
        help="the new incident file (must not exist)",
    )
    parser.add_argument(
        "--allow-unverified",
        action="store_true",
        help="merge sources even when their hash chain shows altered or missing events",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Loaded when a merge runs: the console's start-up imports every command's module.
    from tui.timeline.merge import merge, open_source

    out: Path = args.output.expanduser()
    if out.exists():
        raise UsageError(f"{out}: already exists (merge writes a new file)")
    sources: list[MergeSource] = []
    try:
        for path in args.paths:
            source = open_source(path.expanduser())
            sources.append(source)
            problem = source.report.first
            if problem is not None and not args.allow_unverified:
                raise UsageError(
                    f"{path}: {problem.message}; merge refused (see 'warroom verify {path}',"
                    " or merge anyway with --allow-unverified)"
                )
        result = merge(sources, out, actor=current_actor(), now=utc_now())
    finally:
        for source in sources:
            source.close()
    for conflict in result.conflicts:
        print(f"warroom: conflict: {one_line(conflict)}", file=sys.stderr)
    for source in result.sources:
        state = "verified" if source.report.ok else "NOT verified"
        print(f"  {one_line(source.name)}: {source.events} events, {source.added} added ({state})")
    print(
        f"merged {len(sources)} files into {one_line(str(out))}: {result.events} events,"
        f" {result.duplicates} duplicates dropped, {len(result.conflicts)} conflicts;"
        f" head sha256 {result.head}"
    )
    return 0
