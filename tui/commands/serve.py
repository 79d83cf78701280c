"""`warroom serve`: share a running console, read-only, in a browser.

Each browser tab gets its own console process in viewer mode (`--view-only`,
tui/view_only.py) on the same incident file, with the same console flags: it
follows the timeline live as the operators write it, and can change nothing.
The server (tui/share.py) binds 127.0.0.1 unless told otherwise and wants a
token on every request.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import shlex
import sys
from pathlib import Path

from tui.commands import console
from tui.commands.errors import UsageError
from tui.safetext import one_line
from tui.timeline.model import IncidentState
from tui.timeline.store import TimelineStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Console flags a viewer cannot use: both would change the incident.
NOT_FOR_VIEWERS = ("title", "severity")
MIN_TOKEN_CHARS = 16


def token_value(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value):
        raise argparse.ArgumentTypeError("use letters, digits, '-' and '_' only (it goes in a URL)")
    if len(value) < MIN_TOKEN_CHARS:
        raise argparse.ArgumentTypeError(f"too short: at least {MIN_TOKEN_CHARS} characters")
    return value


def port_value(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 … 65535)")
    return port


def register(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve",
        help="share the console read-only in a browser (a link with a token)",
        description="Serve the console on --db to web browsers, read-only: viewers see every"
        " pane live and can record or change nothing. Each browser tab runs its own console"
        " with the flags given here. Prints the link to open; it carries the token that every"
        " request needs.",
    )
    console.add_console_flags(serve)
    for action in serve._actions:
        if action.dest == "db":
            action.help = "the incident file to share (required; it must exist)"
        elif action.dest in NOT_FOR_VIEWERS:
            action.help = argparse.SUPPRESS  # taken, to be refused in words (run)
    web = serve.add_argument_group("Sharing")
    web.add_argument(
        "--host", default=DEFAULT_HOST, metavar="ADDR",
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only;"
             " 0.0.0.0 for every interface)",
    )  # fmt: skip
    web.add_argument(
        "--port", type=port_value, default=DEFAULT_PORT, metavar="N",
        help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)",
    )  # fmt: skip
    web.add_argument(
        "--token", type=token_value, metavar="TOKEN",
        help="the token the link carries (default: a new random one each time)",
    )  # fmt: skip
    serve.set_defaults(run=run)


def console_flag_actions() -> list[argparse.Action]:
    """The console's own flags, as `add_console_flags` defines them today."""
    parser = argparse.ArgumentParser(add_help=False)
    console.add_console_flags(parser)
    return [action for action in parser._actions if action.option_strings]


def viewer_flags(args: argparse.Namespace) -> list[str]:
    """The console flags given to `warroom serve`, written back as a command line.

    Done from the flags' definitions, so a flag added to the console later is
    passed on without a change here.
    """
    flags: list[str] = []
    for action in console_flag_actions():
        if action.dest in ("db", *NOT_FOR_VIEWERS):
            continue
        value = getattr(args, action.dest, None)
        option = next((o for o in action.option_strings if o.startswith("--")),
                      action.option_strings[0])  # fmt: skip
        if isinstance(action, argparse._StoreTrueAction):
            flags += [option] if value else []
        elif isinstance(action, argparse._AppendAction):
            for item in value or ():
                flags += [option, str(item)]
        elif isinstance(action, argparse._StoreAction):
            flags += [option, str(value)] if value is not None else []
        else:
            raise TypeError(f"warroom serve cannot pass on {option} ({type(action).__name__})")
    return flags


def viewer_command(path: Path, args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser tab."""
    argv = [sys.executable, "-m", "tui", "--view-only", "--db", str(path.absolute())]
    return shlex.join([*argv, *viewer_flags(args)])


async def read_incident(path: Path) -> IncidentState:
    """The incident as it is now; StoreError if `path` is not one. Nothing is written."""
    if not path.exists():
        raise UsageError(f"{path}: no such incident file")
    store = await TimelineStore.open(path, readonly=True)
    try:
        return await store.state()
    finally:
        await store.close()


def refuse_changing_flags(args: argparse.Namespace, why: str) -> None:
    given = [f"--{name}" for name in NOT_FOR_VIEWERS if getattr(args, name, None)]
    if given:
        raise UsageError(f"{why}: {' and '.join(given)} cannot be used")


async def incident_to_view(args: argparse.Namespace) -> tuple[Path, IncidentState, list[str]]:
    """For `warroom --view-only`: like prepare_incident, but never creates or changes."""
    refuse_changing_flags(args, "--view-only changes nothing")
    if args.db is None:
        raise UsageError("--view-only needs --db PATH: the incident file to show")
    path: Path = args.db.expanduser()
    return path, await read_incident(path), []


def run(args: argparse.Namespace) -> int:
    from tui.config import load_settings
    from tui.keymap import read_keymap

    refuse_changing_flags(args, "warroom serve shares an existing incident")
    if args.db is None:
        raise UsageError("warroom serve needs --db PATH: the incident file the console has open")
    # What each viewer's console would refuse, refused once here, before anyone connects.
    settings = load_settings(args.config)
    console.with_docker_flags(console.with_probe_flags(settings, args), args)
    read_keymap(getattr(args, "keys", None))
    path: Path = args.db.expanduser()
    state = asyncio.run(read_incident(path))

    from tui.share import Listening, SharedConsole, display_url, serve_until_stopped

    token = args.token or secrets.token_urlsafe(24)
    title = f"warroom: {one_line(state.incident.title, max_chars=80)}"
    server = SharedConsole(
        viewer_command(path, args), host=args.host, port=args.port, token=token, title=title
    )

    def announce(listening: Listening) -> None:
        print(f"Sharing {path} read-only. Open:", flush=True)
        print(f"  {display_url(listening.host, listening.port, token)}", flush=True)
        if listening.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"  (listening on {listening.host}: anyone with the link can watch)", flush=True)
        print("Ctrl-C stops sharing.", flush=True)

    try:
        asyncio.run(serve_until_stopped(server, announce))
    except OSError as error:
        raise UsageError(
            f"cannot listen on {args.host} port {args.port}: {error.strerror or error}"
        ) from None
    return 0
