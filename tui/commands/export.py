"""`warroom export FILE.db`: the postmortem draft (Markdown), or every event as JSON or CSV."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tui.commands.errors import UsageError

if TYPE_CHECKING:
    from tui.redact import Redactor

FORMATS = ("md", "json", "csv")


def register(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export",
        help="write the postmortem draft (md), or every event as json or csv",
        description="Export an incident file. md: the postmortem draft following the runbooks'"
        " template (summary, impact and metrics, root cause, resolution, timeline, what went"
        " well and wrong, action items from TODO notes, lessons learned), where whatever the"
        " timeline cannot tell is left as a 'To write' prompt. json: every event with every"
        " field and its hash (complete; 'warroom merge' reads it back). csv: one row per"
        " event. Read-only: works on a file another console is writing.",
    )
    export.add_argument("path", type=Path, metavar="FILE.db", help="incident file")
    export.add_argument("--format", choices=FORMATS, default="md", help="default: md")
    export.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="PATH",
        help="write here instead of standard output (never over an existing file unless --force)",
    )
    export.add_argument("--force", action="store_true", help="replace an existing output file")
    export.add_argument(
        "--pinned-only",
        action="store_true",
        help="only pinned events (md: in the timeline section; json and csv: every row)",
    )
    export.add_argument(
        "--tz",
        metavar="ZONE",
        help="also show times in this zone (e.g. Europe/Paris); UTC is always shown",
    )
    export.add_argument(
        "--redact",
        action="store_true",
        help="mask secrets (tokens, passwords, keys, Secret data) in event texts and data,"
        " with the extra patterns of the config's [redaction] section; hashes are kept as"
        " stored, so a redacted json export does not verify or merge back",
    )
    export.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Loaded when an export runs: the console's start-up imports every command's module.
    from tui.timeline.export import write_csv, write_json, write_markdown
    from tui.timeline.postmortem import resolve_zone
    from tui.timeline.reader import TimelineReader

    try:
        zone = resolve_zone(args.tz)
    except ValueError as error:
        raise UsageError(str(error)) from None
    zone_name = args.tz or ""
    redactor = _redactor() if args.redact else None
    path: Path = args.path.expanduser()
    with TimelineReader(path) as reader:
        writers: dict[str, Callable[[TextIO], int]] = {
            "md": lambda out: write_markdown(
                reader,
                out,
                pinned_only=args.pinned_only,
                zone=zone,
                zone_name=zone_name,
                source=path.name,
                redactor=redactor,
            ),
            "json": lambda out: write_json(
                reader, out, pinned_only=args.pinned_only, redactor=redactor
            ),
            "csv": lambda out: write_csv(
                reader,
                out,
                pinned_only=args.pinned_only,
                zone=zone,
                zone_name=zone_name,
                redactor=redactor,
            ),
        }
        write = writers[args.format]
        if args.output is None:
            try:
                write(sys.stdout)
                sys.stdout.flush()
            except BrokenPipeError:
                # `warroom export ... | head`: the reader left; not an error.
                with contextlib.suppress(OSError):
                    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
            return 0
        target = args.output.expanduser()
        with _atomic(target, force=args.force) as out:
            count = write(out)
    print(f"warroom: wrote {target} ({args.format}, {count} events)", file=sys.stderr)
    return 0


def _redactor() -> Redactor:
    """The built-in patterns and the configuration's extra ones (a bad one is an error)."""
    from tui.config import load_settings
    from tui.redact import Redactor

    return Redactor(load_settings().redaction.patterns)


@contextlib.contextmanager
def _atomic(target: Path, *, force: bool) -> Iterator[TextIO]:
    """Write next to `target`, then rename: a failed export never leaves half a file."""
    if target.is_dir():
        raise UsageError(f"{target}: is a directory")
    if target.exists() and not force:
        raise UsageError(f"{target}: already exists (choose another path, or --force)")
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise UsageError(f"{target}: cannot write ({error.strerror or error})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
        Path(temp).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        raise
