"""`python -m bench`: run the benchmarks and print one JSON document.

python -m bench                 everything
python -m bench --only startup  one group (repeatable)
python -m bench --quick         shorter runs, for a smoke check
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime

from bench import containers, drill, logs_pane, machine, pods_pane, probes, review, startup

SUITES: dict[str, Callable[[bool], dict[str, object]]] = {
    "startup": lambda quick: startup.first_frame(runs=3 if quick else 7),
    "idle": lambda quick: startup.idle(seconds=5 if quick else 30),
    "pods_pane": lambda quick: pods_pane.keypress_latency(seconds=5 if quick else 20),
    "logs_pane": lambda quick: logs_pane.firehose(seconds=10 if quick else 60),
    "probes": lambda quick: probes.hung_endpoints(seconds=8 if quick else 20),
    "drill_start": lambda quick: drill.start_time(runs=1 if quick else 3),
    "drill_watch": lambda quick: drill.watch_at_scale(
        pods=1000 if quick else 5000, seconds=10 if quick else 30
    ),
    "review": lambda quick: review.million(runs=1 if quick else 3),
    "containers": lambda quick: containers.at_scale(
        containers=50 if quick else 200, seconds=10 if quick else 30
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=sorted(SUITES), help="run only this")
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke check)")
    args = parser.parse_args(argv)
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine.describe(),
        "quick": args.quick,
    }
    for name in args.only or list(SUITES):
        print(f"bench: {name}…", file=sys.stderr, flush=True)
        results[name] = SUITES[name](args.quick)
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
