"""`warroom` with no subcommand: open the console on an incident."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import datetime
from pathlib import Path

from tui.config import Settings, load_settings
from tui.identity import current_actor
from tui.kube_session import KubeOptions
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
    settings = load_settings(args.config)
    actor = current_actor()
    path, state, notices = asyncio.run(prepare_incident(args, settings, actor))
    from tui.app import WarRoomApp  # Textual loads only when the console really opens

    app = WarRoomApp(
        settings,
        path,
        readonly=args.readonly,
        actor=actor,
        initial_state=state,
        kube_options=kube_options(args),
    )
    app.run()
    if app.fatal_error:
        raise StoreError(app.fatal_error)
    for notice in notices:
        print(f"warroom: {notice}", file=sys.stderr)
    return app.return_code or 0
