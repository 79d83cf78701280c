"""`warroom sim`: run the drill cluster on its own, or list its scenarios.

warroom sim serve --scenario bad-deploy --port 6443
warroom sim scenarios
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from tui.commands.errors import UsageError
from tui.config import APP_NAME


def default_kubeconfig_path(name: str = "kubeconfig") -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME)) / "drill" / name


def scenario_names() -> dict[str, str]:
    from tui.sim.scenarios import SCENARIOS

    return dict(SCENARIOS)


def check_scenario(name: str) -> str:
    scenarios = scenario_names()
    if name not in scenarios:
        raise UsageError(f"unknown scenario '{name}' (one of: {', '.join(scenarios)})")
    return name


def add_drill_flags(parser: argparse.ArgumentParser) -> None:
    """Flags shared by `sim serve` and `demo`."""
    parser.add_argument(
        "--scenario", default="healthy", metavar="NAME",
        help="incident to replay (default: healthy; 'warroom sim scenarios' lists them)",
    )  # fmt: skip
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N",
        help="seed for everything random (names, logs, timings): same seed, same drill",
    )  # fmt: skip
    parser.add_argument(
        "--speed", type=_speed, default=1.0, metavar="X",
        help="run the scenario X times faster than real time (default 1)",
    )  # fmt: skip


def _speed(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number") from None
    if not 0.1 <= speed <= 1000:
        raise argparse.ArgumentTypeError("speed must be between 0.1 and 1000")
    return speed


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return port


def register(commands: argparse._SubParsersAction) -> None:
    sim = commands.add_parser(
        "sim",
        help="the drill cluster: a Kubernetes API on loopback that replays incidents",
        description="Run the drill cluster (a Kubernetes API server on 127.0.0.1 that kubectl"
        " and the kubernetes client talk to unchanged), or list its scenarios.",
    )
    actions = sim.add_subparsers(dest="sim_command", metavar="ACTION", required=True)
    serve = actions.add_parser(
        "serve",
        help="run the drill cluster until Ctrl-C",
        description="Start the drill cluster, write a kubeconfig for it (its own CA, a bearer"
        " token, contexts warroom-drill and warroom-drill-readonly) and serve until Ctrl-C.",
    )
    add_drill_flags(serve)
    serve.add_argument(
        "--port", type=_port, default=0, metavar="N", help="port on 127.0.0.1 (default: any free)"
    )
    serve.add_argument(
        "--kubeconfig-out", type=Path, metavar="PATH",
        help=f"where to write the kubeconfig (default: {default_kubeconfig_path()})",
    )  # fmt: skip
    serve.add_argument(
        "--manifests", type=Path, metavar="DIR",
        help="also load every *.yaml / *.yml in DIR (Deployments, Services, Ingresses, ...)",
    )  # fmt: skip
    serve.set_defaults(run=lambda args: asyncio.run(serve_until_stopped(args)))
    scenarios = actions.add_parser(
        "scenarios",
        help="list the scenarios",
        description="List the drill scenarios with their symptoms. The fixes are kept back"
        " unless asked for, so a drill's players find them themselves.",
    )
    scenarios.add_argument(
        "--fixes", action="store_true", help="also show the fix each scenario expects"
    )
    scenarios.set_defaults(run=print_scenarios)


FIX_SEPARATOR = "; fix: "


def print_scenarios(args: argparse.Namespace) -> int:
    scenarios = scenario_names()
    width = max(len(name) for name in scenarios)
    for name, description in scenarios.items():
        symptom, _, fix = description.partition(FIX_SEPARATOR)
        print(f"{name:<{width}}  {symptom}")
        if fix and getattr(args, "fixes", False):
            print(f"{'':<{width}}  fix: {fix}")
    return 0


def check_manifests(folder: Path | None) -> None:
    if folder is None:
        return
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a directory of manifests")
    if not any(folder.glob("*.y*ml")):
        raise UsageError(f"{folder}: no *.yaml or *.yml files")


async def serve_until_stopped(args: argparse.Namespace) -> int:
    from tui.sim.cluster import DrillCluster

    check_scenario(args.scenario)
    check_manifests(args.manifests)
    cluster = DrillCluster(
        args.scenario, port=args.port, seed=args.seed, speed=args.speed, manifests=args.manifests
    )
    try:
        await cluster.start()
    except OSError as error:
        raise UsageError(
            f"cannot serve on 127.0.0.1:{args.port}: {error.strerror or error}"
        ) from None
    except ValueError as error:  # a manifest that cannot be loaded
        raise UsageError(str(error)) from None
    path = cluster.write_kubeconfig(args.kubeconfig_out or default_kubeconfig_path())
    print(f"warroom drill cluster: scenario {args.scenario} on {cluster.url}", flush=True)
    print(f"kubeconfig: {path} (contexts warroom-drill, warroom-drill-readonly)")
    print(f"try: KUBECONFIG={path} kubectl get pods -A")
    print("Ctrl-C stops it.", flush=True)

    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    last = ""
    while not stopped.is_set():
        summary = cluster.world.summary()
        if summary != last:
            # A drill leader watches the scenario's state change as the team works.
            print(f"[{datetime.now(UTC):%H:%M:%S}] {summary}", flush=True)
            last = summary
        try:
            await asyncio.wait_for(stopped.wait(), timeout=1.0)
        except TimeoutError:
            pass
    await cluster.stop()
    print("drill cluster stopped", file=sys.stderr)
    return 0
