"""`warroom demo`: start a drill cluster in-process and open the console on it.

The console connects through a kubeconfig exactly as it would to a real
cluster; the drill is recorded as an incident like any other.
"""

from __future__ import annotations

import argparse
import os

from tui.commands import console
from tui.commands.errors import UsageError
from tui.commands.sim import (
    add_drill_flags,
    check_scenario,
    default_kubeconfig_path,
    print_scenarios,
)


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="start a drill cluster and open the console on it",
        description="Start the drill cluster in-process on 127.0.0.1 with a scenario from the"
        " runbooks and open the console connected to it through a kubeconfig. The incident"
        " file records the drill like a real incident.",
    )
    add_drill_flags(demo)
    demo.add_argument("--list", action="store_true", help="list the scenarios and exit")
    console.add_console_flags(demo)
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        return print_scenarios(args)
    check_scenario(args.scenario)
    from tui.sim.cluster import ClusterThread

    thread = ClusterThread(args.scenario, seed=args.seed, speed=args.speed)
    try:
        cluster = thread.start()
    except OSError as error:
        raise UsageError(f"cannot start the drill cluster: {error}") from None
    try:
        path = cluster.write_kubeconfig(default_kubeconfig_path("demo-kubeconfig"))
        # The console finds the cluster the way it finds any cluster: a kubeconfig
        # (also exported, for commands run from the console).
        os.environ["KUBECONFIG"] = str(path)
        args.kubeconfig = path
        args.context = args.context or ["warroom-drill"]
        if not args.namespace:
            args.all_namespaces = True
        if not args.title:
            args.title = f"Drill: {args.scenario}"
        return console.run(args)
    finally:
        thread.stop()
