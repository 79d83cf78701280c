"""Kubernetes rows as table cells: text, colour by severity, and the order they sort in.

Pure functions of a row and the time: rows carry times, not ages, so the same
row formatted a minute later gives a different age and nothing else. Every
value from the cluster goes through `tui.safetext.cell`: a pod named
`[red]x[/]` is shown as exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.text import Text

from tui.safetext import cell
from tui.sources.kube.rows import DeploymentRow, EventRow, HpaRow, NodeRow, PodRow
from tui.sources.podstatus import human_duration

Cells = dict[str, Text]
MISSING = "-"

# rank -> style: 0 crash/error, 1 image pull, 2-3 pending/not ready/starting.
RANK_STYLES: dict[int, str] = {0: "bold red", 1: "dark_orange", 2: "yellow", 3: "yellow"}
PROBLEM_STYLE = "yellow"  # a deployment, node or HPA that needs a look
BAD_STYLE = "bold red"  # ...and one that is down


def rank_style(rank: int) -> str:
    return RANK_STYLES.get(rank, "")


def age(moment: datetime | None, now: datetime) -> str:
    """kubectl's AGE column (45s, 5m30s, 3h, 2d4h); '-' when unknown."""
    if moment is None:
        return MISSING
    return human_duration((now - moment).total_seconds())


def restarts_text(row: PodRow, now: datetime) -> str:
    """kubectl's RESTARTS column: '5 (2m ago)' once a container has restarted."""
    if row.restarts and row.last_restart is not None:
        return f"{row.restarts} ({age(row.last_restart, now)} ago)"
    return str(row.restarts)


def millicores(value: int | None) -> str:
    return MISSING if value is None else str(value)


def mebibytes(value: int | None) -> str:
    return MISSING if value is None else str(round(value / 1024**2))


def gibibytes(value: int | None) -> str:
    return MISSING if value is None else f"{value / 1024**3:.1f}"


def usage_style(used: int | None, capacity: int | None) -> str:
    """Node usage like the host pane: above 80% warning, above 90% critical."""
    if not used or not capacity:
        return ""
    share = used / capacity
    return BAD_STYLE if share >= 0.9 else "yellow" if share >= 0.8 else ""


# -- pods -----------------------------------------------------------------------------

# (column key, header label); the context column is only shown for several contexts.
# Name and status come first: in a small pane they are what must stay visible.
POD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("context", "ctx"),
    ("name", "name"),
    ("ready", "ready"),
    ("status", "status"),
    ("restarts", "restarts"),
    ("age", "age"),
    ("namespace", "namespace"),
    ("cpu", "cpu(m)"),
    ("memory", "mem(Mi)"),
    ("node", "node"),
)


def pod_label(row: PodRow) -> str:
    """What the summary line counts a pod as: its status, or NotReady when running unready."""
    return row.state if row.status == "Running" and row.problem else row.status


def pod_cells(row: PodRow, now: datetime) -> Cells:
    style = rank_style(row.rank)
    ready_style = style or ("" if row.ready == row.containers else "yellow")
    return {
        "context": cell(row.context, style or "dim"),
        "namespace": cell(row.namespace, style),
        "name": cell(row.name, style),
        "ready": Text(f"{row.ready}/{row.containers}", style=ready_style, no_wrap=True),
        "status": cell(row.status, f"bold {style}" if style else ""),
        "restarts": Text(restarts_text(row, now), style=style, no_wrap=True),
        "age": Text(age(row.created, now), style=style, no_wrap=True),
        "cpu": Text(millicores(row.cpu_millicores), style=style),
        "memory": Text(mebibytes(row.memory_bytes), style=style),
        "node": cell(row.node or MISSING, style or "dim"),
    }


def _created(row: Any) -> tuple[bool, float]:
    # Youngest first; unknown creation times last.
    return (row.created is None, -row.created.timestamp() if row.created else 0.0)


def _name(row: PodRow) -> tuple[str, str, str]:
    return (row.context, row.namespace, row.name)


# Sort column -> order key, in the direction that puts what matters first
# (worst, biggest, youngest); `O` reverses. Ties fall back to context/namespace/name.
POD_SORTS: dict[str, Callable[[PodRow], tuple[Any, ...]]] = {
    "status": lambda r: (r.rank, *_name(r)),
    "namespace": lambda r: (r.namespace, r.name, r.context),
    "name": lambda r: (r.name, r.namespace, r.context),
    "restarts": lambda r: (-r.restarts, r.rank, *_name(r)),
    "age": lambda r: (*_created(r), *_name(r)),
    "cpu": lambda r: (r.cpu_millicores is None, -(r.cpu_millicores or 0), *_name(r)),
    "memory": lambda r: (r.memory_bytes is None, -(r.memory_bytes or 0), *_name(r)),
    "node": lambda r: (r.node or "\uffff", r.rank, *_name(r)),
}


# -- events ---------------------------------------------------------------------------

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("context", "ctx"),
    ("last_seen", "last seen"),
    ("type", "type"),
    ("reason", "reason"),
    ("object", "object"),
    ("count", "count"),
    ("message", "message"),
)


def event_cells(row: EventRow, now: datetime) -> Cells:
    style = "yellow" if row.warning else ""
    return {
        "context": cell(row.context, "dim"),
        "last_seen": Text(age(row.last_seen, now), style="dim", no_wrap=True),
        "type": cell(row.type, f"bold {style}" if style else "dim"),
        "reason": cell(row.reason, style),
        "object": cell(f"{row.object_kind.lower()}/{row.object_name}", style),
        "count": Text(str(row.count)),
        "message": cell(row.message, max_chars=300),
    }


def event_order(row: EventRow) -> tuple[Any, ...]:
    """Newest first by last seen; events without a time last."""
    seen = row.last_seen
    return (seen is None, -seen.timestamp() if seen else 0.0, row.namespace, row.key[2])


# -- workloads --------------------------------------------------------------------------

DEPLOYMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("context", "ctx"),
    ("namespace", "namespace"),
    ("name", "name"),
    ("ready", "ready"),
    ("updated", "up-to-date"),
    ("available", "available"),
    ("revision", "rev"),
    ("images", "images"),
    ("state", "state"),
)


def deployment_style(row: DeploymentRow) -> str:
    if row.state == "unavailable":
        return BAD_STYLE
    return PROBLEM_STYLE if row.problem else ""


def deployment_cells(row: DeploymentRow) -> Cells:
    style = deployment_style(row)
    return {
        "context": cell(row.context, style or "dim"),
        "namespace": cell(row.namespace, style),
        "name": cell(row.name, style),
        "ready": Text(f"{row.ready}/{row.desired}", style=style, no_wrap=True),
        "updated": Text(str(row.updated), style=style),
        "available": Text(str(row.available), style=style),
        "revision": cell(row.revision or MISSING, style),
        "images": cell(", ".join(row.images), style or "dim"),
        "state": cell(row.state, f"bold {style}" if style else "green"),
    }


def deployment_order(row: DeploymentRow) -> tuple[Any, ...]:
    return (not row.problem, row.state == "ok", row.context, row.namespace, row.name)


HPA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("context", "ctx"),
    ("namespace", "namespace"),
    ("name", "name"),
    ("target", "target"),
    ("replicas", "cur/min/max"),
    ("metrics", "metrics"),
    ("state", "state"),
)


def hpa_cells(row: HpaRow) -> Cells:
    style = PROBLEM_STYLE if row.problem else ""
    return {
        "context": cell(row.context, style or "dim"),
        "namespace": cell(row.namespace, style),
        "name": cell(row.name, style),
        "target": cell(row.target, style),
        "replicas": Text(f"{row.current}/{row.minimum}/{row.maximum}", style=style, no_wrap=True),
        "metrics": cell(row.metrics, style),
        "state": Text("AT MAX", style="bold red") if row.limited else Text("ok", style="green"),
    }


def hpa_order(row: HpaRow) -> tuple[Any, ...]:
    return (not row.problem, row.context, row.namespace, row.name)


NODE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("context", "ctx"),
    ("name", "name"),
    ("status", "status"),
    ("pressures", "pressure"),
    ("roles", "roles"),
    ("version", "version"),
    ("cpu", "cpu(m) used/cap"),
    ("memory", "mem(Gi) used/cap"),
)


def node_cells(row: NodeRow) -> Cells:
    style = BAD_STYLE if row.ready != "True" else PROBLEM_STYLE if row.problem else ""
    status_style = style or ("yellow" if row.unschedulable else "green")
    return {
        "context": cell(row.context, style or "dim"),
        "name": cell(row.name, style),
        "status": cell(row.status, f"bold {status_style}"),
        "pressures": cell(
            ",".join(row.pressures) or MISSING, "bold yellow" if row.pressures else "dim"
        ),
        "roles": cell(row.roles, "dim"),
        "version": cell(row.version, "dim"),
        "cpu": Text(
            f"{millicores(row.cpu_millicores)}/{millicores(row.cpu_capacity)}",
            style=usage_style(row.cpu_millicores, row.cpu_capacity),
            no_wrap=True,
        ),
        "memory": Text(
            f"{gibibytes(row.memory_bytes)}/{gibibytes(row.memory_capacity)}",
            style=usage_style(row.memory_bytes, row.memory_capacity),
            no_wrap=True,
        ),
    }


def node_order(row: NodeRow) -> tuple[Any, ...]:
    return (not row.problem, row.ready == "True", row.context, row.name)
