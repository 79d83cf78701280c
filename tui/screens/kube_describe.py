"""`kubectl describe pod` as Rich renderables: header, containers, conditions, events, owners.

Plain functions of the pod object, its events and the time, so the detail screen
only lays them out. Every value comes from the cluster and goes through
`tui.safetext` into `Text`: never markup, never raw control characters. Tables
use Text cells for the same reason (Rich parses str cells as markup).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import yaml
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from tui.safetext import cell, clean, screen_clean
from tui.sources.kube.actions import ObjectRef
from tui.sources.podstatus import human_duration, parse_time, pod_status

Obj = Mapping[str, Any]
YAML_MAX_CHARS = 500_000


def _get(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, Mapping):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def ago(value: str | None, now: datetime) -> str:
    moment = parse_time(value)
    if moment is None:
        return "-"
    return f"{human_duration((now - moment).total_seconds())} ago"


def _grid() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    return table


def header(pod: Obj, context: str, now: datetime) -> Table:
    status = pod_status(pod)
    grid = _grid()
    rows = (
        ("context", context),
        ("namespace", _get(pod, "metadata", "namespace", default="")),
        ("name", _get(pod, "metadata", "name", default="")),
        ("node", _get(pod, "spec", "nodeName", default="-")),
        ("IP", _get(pod, "status", "podIP", default="-")),
        ("QoS", _get(pod, "status", "qosClass", default="-")),
        ("created", ago(_get(pod, "metadata", "creationTimestamp"), now)),
    )
    for label, value in rows:
        grid.add_row(Text(label), cell(str(value)))
    healthy = status in ("Running", "Completed", "Succeeded")
    grid.add_row(Text("status"), cell(status, "bold green" if healthy else "bold red"))
    return grid


def owner_chain(pod: Obj, owners: Sequence[ObjectRef]) -> Text:
    """pod x → ReplicaSet y → Deployment z (the pod itself first, given or not)."""
    name = _get(pod, "metadata", "name", default="")
    if not owners or owners[0].kind != "Pod":
        owners = [ObjectRef("", "", "Pod", name), *owners]
    text = Text()
    for index, ref in enumerate(owners):
        if index:
            text.append(" → ", "dim")
        kind = "pod" if ref.kind == "Pod" else ref.kind
        text.append(f"{kind} ", "dim")
        text.append_text(cell(ref.name, "bold"))
    if len(owners) == 1:
        text.append(" (no owner: nothing recreates it if it goes)", "dim")
    return text


def _state(state: Obj, now: datetime) -> Text:
    if not state:
        return Text("-", style="dim")
    if "running" in state:
        since = ago(_get(state, "running", "startedAt"), now)
        return Text.assemble(("Running", "green"), f" since {since}")
    if "waiting" in state:
        waiting = state["waiting"] or {}
        text = Text.assemble(
            ("Waiting: ", "yellow"), cell(waiting.get("reason", "?"), "bold yellow")
        )
        if waiting.get("message"):
            text.append(" (")
            text.append_text(cell(waiting["message"], max_chars=300))
            text.append(")")
        return text
    return _terminated(state.get("terminated") or {}, now)


def _terminated(terminated: Obj, now: datetime) -> Text:
    if not terminated:
        return Text("-", style="dim")
    reason = terminated.get("reason") or "Terminated"
    text = Text.assemble(("Terminated: ", "red"), cell(reason, "bold red"))
    text.append(f", exit code {terminated.get('exitCode', '?')}")
    if terminated.get("signal"):
        text.append(f", signal {terminated['signal']}")
    text.append(f", finished {ago(terminated.get('finishedAt'), now)}")
    return text


def _resources(resources: Obj) -> Text:
    parts = []
    for kind in ("requests", "limits"):
        values = resources.get(kind) or {}
        if values:
            listed = ", ".join(f"{k} {v}" for k, v in sorted(values.items()))
            parts.append(f"{kind} {listed}")
    return cell("; ".join(parts) or "none (BestEffort)", "" if parts else "dim")


def containers(pod: Obj, now: datetime) -> Table:
    statuses = {
        s.get("name"): s
        for s in [
            *_get(pod, "status", "initContainerStatuses", default=[]),
            *_get(pod, "status", "containerStatuses", default=[]),
        ]
    }
    grid = _grid()
    specs = [
        *(("init", c) for c in _get(pod, "spec", "initContainers", default=[])),
        *(("", c) for c in _get(pod, "spec", "containers", default=[])),
    ]
    for kind, spec in specs:
        name = spec.get("name", "")
        status = statuses.get(name, {})
        title = Text.assemble(cell(name, "bold cyan"), (f" ({kind})" if kind else "", "dim"))
        grid.add_row(title, cell(spec.get("image", "")))
        grid.add_row(Text("  state"), _state(status.get("state") or {}, now))
        ready = status.get("ready")
        grid.add_row(
            Text("  ready"),
            Text.assemble(
                ("yes" if ready else "no", "green" if ready else "bold red"),
                ("   restarts ", "bold"),
                (
                    str(status.get("restartCount", 0)),
                    "bold red" if status.get("restartCount") else "",
                ),
            ),
        )
        last = _get(status, "lastState", "terminated")
        if last:
            grid.add_row(Text("  last"), _terminated(last, now))
        grid.add_row(Text("  resources"), _resources(spec.get("resources") or {}))
    return grid


def conditions(pod: Obj, now: datetime) -> Table:
    grid = Table.grid(padding=(0, 2))
    for _ in range(4):
        grid.add_column(no_wrap=True)
    grid.add_column()
    for condition in _get(pod, "status", "conditions", default=[]):
        ok = condition.get("status") == "True"
        grid.add_row(
            cell(condition.get("type", ""), "bold"),
            cell(condition.get("status", ""), "green" if ok else "bold red"),
            cell(condition.get("reason", ""), "dim"),
            Text(ago(condition.get("lastTransitionTime"), now), style="dim"),
            cell(condition.get("message", ""), max_chars=300),
        )
    return grid


def events_table(events: Sequence[Obj], now: datetime) -> RenderableType:
    if not events:
        return Text("no events (they expire after an hour)", style="dim")
    grid = Table.grid(padding=(0, 2))
    for _ in range(4):
        grid.add_column(no_wrap=True)
    grid.add_column()
    for event in events:
        warning = event.get("type") != "Normal"
        last = (
            event.get("lastTimestamp")
            or event.get("eventTime")
            or _get(event, "metadata", "creationTimestamp")
        )
        grid.add_row(
            cell(event.get("type") or "Normal", "bold yellow" if warning else "dim"),
            cell(event.get("reason") or "", "yellow" if warning else ""),
            Text(ago(last, now), style="dim"),
            Text(f"×{event.get('count') or 1}", style="dim"),
            cell(event.get("message") or "", max_chars=500),
        )
    return grid


def sections(
    pod: Obj, events: Sequence[Obj], owners: Sequence[ObjectRef], context: str, now: datetime
) -> list[tuple[str, RenderableType]]:
    """(heading, body) in the order `kubectl describe pod` reads."""
    return [
        ("", header(pod, context, now)),
        ("Owners", owner_chain(pod, owners)),
        ("Containers", containers(pod, now)),
        ("Conditions", conditions(pod, now)),
        ("Events (newest first)", events_table(events, now)),
    ]


def yaml_text(obj: Any) -> Text:
    """The object as YAML, cleaned, with keys picked out so the structure reads at a glance."""
    try:
        dumped = yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, width=1000)
    except yaml.YAMLError as error:
        return Text(f"cannot show as YAML: {clean(str(error))}", style="red")
    return highlight_yaml(screen_clean(dumped, max_chars=YAML_MAX_CHARS))


def highlight_yaml(text: str) -> Text:
    out = Text(no_wrap=False)
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip(" -")
        key, colon, rest = stripped.partition(":")
        if colon and key and " " not in key.strip() and not stripped.startswith(("'", '"')):
            indent = len(line) - len(stripped)
            out.append(line[:indent])
            out.append(key, "cyan")
            out.append(colon + rest)
        else:
            out.append(line)
    return out
