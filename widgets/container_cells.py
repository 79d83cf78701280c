"""Container rows as table cells (`docker ps` + `docker stats`), and their sort orders.

Pure functions of a row and the time. Every value from the engine goes through
`tui.safetext.cell`: a container named `[red]x[/]` shows as exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.safetext import cell
from tui.sources.docker.rows import DONE, ContainerRow, classify
from tui.sources.podstatus import human_duration
from widgets.format import human_bytes

Cells = dict[str, Text]
MISSING = "-"

# rank -> style, as the Pods pane colours pods: broken, failed, starting.
RANK_STYLES: dict[int, str] = {0: "bold red", 1: "dark_orange", 3: "yellow"}
HEALTH_STYLES = {"unhealthy": "bold red", "starting": "yellow", "healthy": "green"}

# Status, name and compose group first: in an 80-column pane they must stay visible.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("status", "status"),
    ("name", "name"),
    ("group", "project/service"),
    ("cpu", "cpu%"),
    ("memory", "mem use / limit"),
    ("restarts", "restarts"),
    ("uptime", "up"),
    ("health", "health"),
    ("image", "image"),
    ("ports", "ports"),
    ("net", "net rx / tx"),
    ("block", "block r / w"),
)


def rank_style(rank: int) -> str:
    return RANK_STYLES.get(rank, "")


def uptime(row: ContainerRow, now: datetime) -> str:
    """How long it has been running; for a stopped one, how long ago it stopped."""
    if row.state in ("running", "paused") and row.started_at is not None:
        return human_duration((now - row.started_at).total_seconds())
    if row.finished_at is not None:
        return f"{human_duration((now - row.finished_at).total_seconds())} ago"
    return MISSING


def _pair(first: int | None, second: int | None) -> str:
    if first is None and second is None:
        return MISSING
    return f"{human_bytes(first)} / {human_bytes(second)}"


def memory_style(row: ContainerRow) -> str:
    usage = row.usage
    share = usage.memory_percent if usage is not None else None
    if share is None or row.memory_limit is None:
        return ""  # no limit of its own: the Host pane watches the machine's memory
    return "bold red" if share >= 90 else "yellow" if share >= 80 else ""


def container_cells(row: ContainerRow, now: datetime) -> Cells:
    status, rank = classify(row)
    style = rank_style(rank)
    usage = row.usage
    cpu = MISSING if usage is None or usage.cpu_percent is None else f"{usage.cpu_percent:.1f}"
    memory = MISSING if usage is None else _pair(usage.memory, usage.memory_limit)
    net = MISSING if usage is None else _pair(usage.net_rx, usage.net_tx)
    block = MISSING if usage is None else _pair(usage.block_read, usage.block_write)
    # A stopped container keeps its last health status: stale, so not shown.
    health = row.health if row.state in ("running", "paused") else ""
    return {
        "status": cell(status, f"bold {style}" if style else ""),
        "name": cell(row.name, style),
        "group": cell(row.group or MISSING, style or "dim"),
        "cpu": Text(cpu, style=style, no_wrap=True, justify="right"),
        "memory": Text(memory, style=memory_style(row) or style, no_wrap=True),
        "restarts": Text(str(row.restart_count), style=style, no_wrap=True, justify="right"),
        "uptime": Text(uptime(row, now), style=style, no_wrap=True),
        "health": cell(health or MISSING, HEALTH_STYLES.get(health, "dim")),
        "image": cell(row.image, style or "dim"),
        "ports": cell(row.ports or MISSING, style or "dim"),
        "net": Text(net, no_wrap=True),
        "block": Text(block, no_wrap=True),
    }


def label(row: ContainerRow) -> str:
    """What the summary counts a container as: its status, exit codes folded together."""
    status = classify(row)[0]
    if status.startswith("Exited ("):
        return "Exited" if row.exit_code == 0 else "Exited (error)"
    return status


def _cpu(row: ContainerRow) -> float:
    usage = row.usage
    return -(usage.cpu_percent or 0.0) if usage is not None else 0.0


def _memory(row: ContainerRow) -> float:
    usage = row.usage
    return -float(usage.memory or 0) if usage is not None else 0.0


def _status_order(row: ContainerRow) -> tuple[Any, ...]:
    # Problems first (worst first), then everything grouped by compose project and service.
    # Within a service, containers that finished their job (exited 0) come last.
    rank = classify(row)[1]
    return (rank > 1, rank if rank <= 1 else 0, row.project == "", row.project, row.service,
            rank == DONE, row.name)  # fmt: skip


SORTS: dict[str, Callable[[ContainerRow], Any]] = {
    "status": _status_order,
    "cpu": lambda row: (_cpu(row), row.name),
    "memory": lambda row: (_memory(row), row.name),
    "restarts": lambda row: (-row.restart_count, row.name),
    "name": lambda row: (row.name,),
}
