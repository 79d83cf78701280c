"""`python -m bench`: run the benchmarks, print one JSON document and a readable table.

python -m bench                  every group: the JSON on stdout, the table on stderr
python -m bench --only startup   one group (repeatable)
python -m bench --quick          shorter runs, for a smoke check (not figures to publish)
python -m bench --table          the table on stdout instead of the JSON
python -m bench --markdown       the table as markdown on stdout, as the README shows it
python -m bench --from FILE      the table of a saved JSON document, without running anything
python -m bench --soak [MINUTES] only the soak: the demo with every pane live (default 30 min)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import machine, report

# Imported when their group runs: some need podman or the drill, all take a while to import.
SUITES: dict[str, Callable[[bool], dict[str, object]]] = {
    "startup": lambda quick: _module("startup").first_frame(runs=3 if quick else 7),
    "idle": lambda quick: _module("startup").idle(seconds=5 if quick else 30),
    "idle_demo": lambda quick: _module("demo").idle(seconds=10 if quick else 60),
    "drill_start": lambda quick: _module("drill").start_time(runs=1 if quick else 3),
    "drill_watch": lambda quick: _module("drill").watch_at_scale(
        pods=1000 if quick else 5000, seconds=10 if quick else 30
    ),
    "pods_pane": lambda quick: _module("pods_pane").keypress_latency(seconds=5 if quick else 20),
    "logs_pane": lambda quick: _module("logs_pane").firehose(seconds=10 if quick else 60),
    "probes": lambda quick: _module("probes").hung_endpoints(seconds=8 if quick else 20),
    "containers": lambda quick: _module("containers").at_scale(
        containers=50 if quick else 200, seconds=10 if quick else 30
    ),
    "review": lambda quick: _module("review").million(runs=1 if quick else 3),
}


def _module(name: str) -> Any:
    import importlib

    return importlib.import_module(f"bench.{name}")


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a number of minutes") from None
    if minutes <= 0:
        raise argparse.ArgumentTypeError("the soak needs more than 0 minutes")
    return minutes


def _run(name: str, measure: Callable[[], dict[str, object]]) -> dict[str, object]:
    """One group; a group that fails is reported as such and the others still run."""
    print(f"bench: {name}…", file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        result = measure()
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        result = {"error": f"{type(error).__name__}: {error}"}
    result["bench_seconds"] = round(time.monotonic() - started, 1)
    return result


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        print(f"bench: cannot read {path}: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    if not isinstance(document, dict):
        print(f"bench: {path} is not a bench document", file=sys.stderr)
        raise SystemExit(2)
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--only", action="append", choices=sorted(SUITES), help="run only this")
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke check)")
    parser.add_argument("--table", action="store_true", help="print the table on stdout")
    parser.add_argument("--markdown", action="store_true", help="the table as markdown")
    parser.add_argument("--from", dest="source", type=Path, metavar="FILE",
                        help="show the table of a saved JSON document")  # fmt: skip
    parser.add_argument("--soak", nargs="?", const=30.0, type=_minutes, metavar="MINUTES",
                        help="run only the soak, for MINUTES (default 30)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.source is not None:
        document = _load(args.source)
    else:
        document = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine.describe(),
            "quick": args.quick,
        }
        if args.soak is not None:
            minutes = args.soak
            document["soak"] = _run("soak", lambda: _module("soak").soak(minutes=minutes))
        else:
            for name in args.only or list(SUITES):
                document[name] = _run(name, lambda name=name: SUITES[name](args.quick))
        document["machine_after"] = {"load_average": machine.load_average()}
    table = report.markdown_table(document) if args.markdown else report.text_table(document)
    if args.table or args.markdown:
        print(table)
    else:
        print(json.dumps(document, indent=2))
        print(table, file=sys.stderr)
    failed = [name for name, value in document.items() if isinstance(value, dict)
              and "error" in value]  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
