"""`warroom keys`: every binding id, its key(s) now and what it does.

The operator's reference for writing the key-map file (tui/keymap.py): the
keys shown are those in force, the file applied, written as the file takes them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from tui.keymap import KeyMap, default_keys_path, read_keymap
from tui.safetext import one_line

if TYPE_CHECKING:
    from tui.key_catalogue import BindingEntry

Row = tuple["BindingEntry", str, str]  # the entry, its keys now, its default keys


def register(commands: argparse._SubParsersAction) -> None:
    keys = commands.add_parser(
        "keys",
        help="list every binding id with its key(s), for the key-map file",
        description="List every key binding of the console and the review screen: its id"
        " (what the key-map file names), its key or keys with the key-map file applied, and"
        f" what it does. The key-map file is {default_keys_path()} unless --keys names"
        ' another; each line in it is `id = "key"` or `id = "key1,key2"`.',
    )
    keys.add_argument(
        "--keys", type=Path, metavar="PATH", help="key-map file to apply (default: as above)"
    )
    keys.add_argument("--json", action="store_true", help="print JSON lines instead")
    keys.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    keymap = read_keymap(args.keys)
    from tui.key_catalogue import entries
    from widgets.help_names import key_name

    rows: list[Row] = [
        (entry, key_name(keymap.keys_for(entry.id, entry.keys)), key_name(entry.keys))
        for entry in entries()
    ]
    if args.json:
        for entry, keys, default in rows:
            print(
                json.dumps(
                    {
                        "id": entry.id,
                        "keys": keys.split(","),
                        "default": default.split(","),
                        "remapped": entry.id in keymap.remaps,
                        "description": entry.description,
                        "where": list(entry.places),
                    },
                    ensure_ascii=False,
                )
            )
        return 0
    _print_table(rows, keymap)
    return 0


def _print_table(rows: list[Row], keymap: KeyMap) -> None:
    id_width = max(len(entry.id) for entry, _keys, _default in rows)
    key_width = max(len(keys) for _entry, keys, _default in rows)
    if keymap.path is not None:
        print(f"# keys from {keymap.path} (* remapped)")
    for entry, keys, _default in rows:
        marker = "*" if entry.id in keymap.remaps else " "
        description = one_line(entry.description, max_chars=100)
        print(f"{entry.id:<{id_width}}  {keys:<{key_width}} {marker} {description}")
