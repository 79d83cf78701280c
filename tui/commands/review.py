"""`warroom review FILE.db`: browse an incident timeline read-only, live if still written."""

from __future__ import annotations

import argparse
from pathlib import Path

from tui.keymap import read_keymap
from tui.timeline.reader import TimelineReader


def register(commands: argparse._SubParsersAction) -> None:
    review = commands.add_parser(
        "review",
        help="browse an incident file read-only: filter, search, details, metrics",
        description="Open a read-only review screen over an incident file: filter by kind,"
        " actor, source or pinned; search the text and data; jump to a time; open an event"
        " with its data; see the milestones and metrics. Works on a copied file without any"
        " cluster, and follows a file another console is still writing.",
    )
    review.add_argument("path", type=Path, metavar="FILE.db", help="incident file")
    review.add_argument(
        "--keys", type=Path, metavar="PATH",
        help="key-map file (default: keys.toml in the config directory; see 'warroom keys')",
    )  # fmt: skip
    review.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path: Path = args.path.expanduser()
    keymap = read_keymap(args.keys)
    # Opened (and checked) before the full screen takes over: a bad file is one
    # line on stderr, not a broken screen.
    reader = TimelineReader(path)
    from tui.screens.review_app import ReviewApp  # Textual loads only for a good file

    app = ReviewApp(reader, keymap=keymap)
    try:
        app.run()
    finally:
        reader.close()
    return app.return_code or 0
