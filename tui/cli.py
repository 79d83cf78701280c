"""The `warroom` command: the console by default, plus subcommands.

Every failure a user can cause (a bad flag, an unreadable path, a file that is
not an incident) ends with one line on stderr and exit status 2, never a
traceback. Each subcommand lives in tui/commands/.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from tui import __version__
from tui.commands import (
    console,
    demo,
    export,
    incidents,
    keys,
    merge,
    note,
    recover,
    review,
    runbook,
    serve,
    sim,
    verify,
)
from tui.commands.errors import EXIT_USAGE, UsageError
from tui.config import ConfigError, default_config_path
from tui.keymap import default_keys_path
from tui.safetext import one_line
from tui.timeline.store import StoreError


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
            "Keys in the console: ? shows them all; 'warroom keys' lists them for the key-map"
            f" file, {default_keys_path()}. Settings: "
            f"{default_config_path()} (or --config / WARROOM_CONFIG), WARROOM_* variables."
        ),
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    console.add_console_flags(parser)
    console.add_view_only_flag(parser)
    parser.set_defaults(run=console.run)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    subcommands = (demo, note, incidents, runbook, sim, review, export, merge, verify, recover,
                   serve, keys)  # fmt: skip
    for module in subcommands:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (UsageError, StoreError, ConfigError) as error:
        print(f"warroom: {one_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
