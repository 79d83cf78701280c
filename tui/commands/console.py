"""`warroom` with no subcommand: open the console on an incident."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from tui.commands.errors import UsageError
from tui.config import Settings, load_settings
from tui.identity import current_actor
from tui.keymap import default_keys_path, read_keymap
from tui.kube_options import KubeOptions
from tui.safetext import one_line
from tui.timeline.model import EventKind, IncidentState, Severity, utc_now
from tui.timeline.store import StoreError, TimelineStore


def severity(value: str) -> Severity:
    try:
        return Severity(value.upper())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a severity (P0, P1, P2 or P3)"
        ) from None


def add_console_flags(parser: argparse.ArgumentParser) -> None:
    """The flags of the console itself (also taken by `warroom demo`)."""
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
        type=severity,
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
    parser.add_argument(
        "--keys", type=Path, metavar="PATH",
        help=f"key-map file: binding id = key(s) (default: {default_keys_path()};"
             " 'warroom keys' lists the ids)",
    )  # fmt: skip
    parser.add_argument(
        "--present",
        action="store_true",
        help="start in presentation mode (P toggles it): high contrast, a large banner,"
        " secrets redacted; for a screen shared in a war-room call",
    )
    parser.add_argument(
        "--redact",
        action="store_true",
        help="start with secrets masked on screen (X toggles it): tokens, passwords, keys",
    )
    kube = parser.add_argument_group("Kubernetes (as kubectl takes them)")
    kube.add_argument(
        "--kubeconfig", type=Path, metavar="PATH",
        help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)",
    )  # fmt: skip
    kube.add_argument(
        "--context", action="append", default=[], metavar="NAME",
        help="context to show; repeat for several clusters in one view (default: current)",
    )  # fmt: skip
    kube.add_argument(
        "-n", "--namespace", action="append", default=[], metavar="NS",
        help="namespace to show; repeatable (default: the context's, else 'default')",
    )  # fmt: skip
    kube.add_argument("-A", "--all-namespaces", action="store_true", help="show every namespace")
    logs = parser.add_argument_group("Logs")
    logs.add_argument(
        "--log-file", action="append", default=[], type=log_file, metavar="PATH",
        help="follow this file in the Logs pane, like tail -F (survives rotation); repeatable",
    )  # fmt: skip
    runbooks = parser.add_argument_group("Runbooks")
    runbooks.add_argument(
        "--runbooks", action="append", default=[], type=runbook_dir, metavar="DIR",
        help="also offer the runbooks (*.md) in this directory, after runbooks.directories;"
             " a file named like a bundled one replaces it; repeatable",
    )  # fmt: skip
    probes = parser.add_argument_group("Probes (Ingress pane)")
    probes.add_argument(
        "--probe", action="append", default=[], type=probe_url, metavar="URL",
        help="check this URL every 15 s like curl -f, with latency and the last error;"
             " repeatable (more settings: [probes] endpoints in the config file)",
    )  # fmt: skip
    probes.add_argument(
        "--resolve", action="append", default=[], type=resolve_pin, metavar="HOST:ADDR",
        help="like curl --resolve: probes and host checks reach HOST at ADDR without asking"
             " DNS; repeatable",
    )  # fmt: skip
    docker = parser.add_argument_group("Containers (as the docker CLI finds the engine)")
    docker.add_argument(
        "--docker-host", type=docker_host, metavar="URL",
        help="the engine to show, like docker --host (unix:///run/podman/podman.sock,"
             " tcp://host:2376, ssh://user@host); default: docker.host, DOCKER_HOST, the"
             " current docker context, the default socket, then podman's sockets",
    )  # fmt: skip


def add_view_only_flag(parser: argparse.ArgumentParser) -> None:
    """The viewer mode `warroom serve` runs for each browser (tui/view_only.py)."""
    parser.add_argument(
        "--view-only",
        action="store_true",
        help="show the incident in --db read-only: no notes, no status changes, no actions"
        " (what `warroom serve` shows in a browser)",
    )


def log_file(value: str) -> Path:
    """A file to follow: it may not exist yet (tail -F waits), but its folder must."""
    path = Path(value).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is a directory, not a log file")
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"{value}: folder {path.parent} does not exist")
    return path.absolute()


def runbook_dir(value: str) -> Path:
    """A directory of runbooks: it must exist now (a typo would silently offer nothing)."""
    path = Path(value).expanduser()
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(f"runbook directory {value} {what}")
    return path.absolute()


def probe_url(value: str) -> str:
    """A URL to probe, checked by the probes' own rules (loaded only when the flag is used)."""
    from tui.sources.probes import ProbeSpec

    try:
        ProbeSpec.from_config(value)
    except ValueError as error:
        # The message names the URL already; argparse adds "argument --probe:".
        text = str(error).removeprefix(f"--probe {value.strip()!r}: ")
        raise argparse.ArgumentTypeError(text) from None
    return value.strip()


def resolve_pin(value: str) -> str:
    from tui.sources.probe_dns import parse_pin

    try:
        parse_pin(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).removeprefix("--resolve ")) from None
    return value.strip()


def docker_host(value: str) -> str:
    from tui.sources.docker.endpoint import check_url

    try:
        return check_url(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def with_docker_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    """--docker-host overrides docker.host."""
    host = getattr(args, "docker_host", None)
    return replace(settings, docker=replace(settings.docker, host=host)) if host else settings


def with_probe_flags(settings: Settings, args: argparse.Namespace) -> Settings:
    """--probe and --resolve add to what the config file lists."""
    probes = settings.probes
    extra = tuple(u for u in dict.fromkeys(args.probe) if u not in probes.endpoints)
    if not extra and not args.resolve:
        return settings
    endpoints = probes.endpoints + extra
    if extra:
        from tui.sources.probes import parse_probes

        try:
            parse_probes(endpoints)
        except ValueError as error:
            raise UsageError(str(error)) from None
    resolve = probes.resolve + tuple(args.resolve)
    return replace(settings, probes=replace(probes, endpoints=endpoints, resolve=resolve))


def kube_options(args: argparse.Namespace) -> KubeOptions:
    return KubeOptions(
        kubeconfig=args.kubeconfig.expanduser() if args.kubeconfig else None,
        contexts=tuple(dict.fromkeys(args.context)),
        namespaces=tuple(dict.fromkeys(args.namespace)),
        all_namespaces=args.all_namespaces,
    )


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


def run(args: argparse.Namespace) -> int:
    settings = with_docker_flags(with_probe_flags(load_settings(args.config), args), args)
    # Checked before any incident file is made: a typo in a key is an error at start.
    keymap = read_keymap(getattr(args, "keys", None))
    actor = current_actor()
    view_only = getattr(args, "view_only", False)
    if view_only:  # a viewer of `warroom serve`: the file is read, never created or changed
        from tui.commands.serve import incident_to_view

        path, state, notices = asyncio.run(incident_to_view(args))
    else:
        path, state, notices = asyncio.run(prepare_incident(args, settings, actor))
    from tui.app import WarRoomApp  # Textual loads only when the console really opens

    app = WarRoomApp(
        settings,
        path,
        readonly=args.readonly,
        actor=actor,
        initial_state=state,
        kube_options=kube_options(args),
        log_files=tuple(dict.fromkeys(args.log_file)),
        runbook_dirs=tuple(dict.fromkeys(args.runbooks)),
        view_only=view_only,
        present=getattr(args, "present", False),
        redacting=getattr(args, "redact", False),
        keymap=keymap,
    )
    app.run()
    # Events held on a full disk that could not be written by the end: where they went.
    for notice in app.held_flow.exit_notices:
        print(f"warroom: {notice}", file=sys.stderr)
    if app.fatal_error:
        raise StoreError(app.fatal_error)
    for notice in notices:
        print(f"warroom: {notice}", file=sys.stderr)
    return app.return_code or 0
