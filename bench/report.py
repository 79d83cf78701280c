"""The readable table: each figure next to its target and, where one ran, its peer.

Rows are read out of the JSON document `python -m bench` prints, so a saved
document can be turned into the table again (`python -m bench --from FILE`).
A row whose group did not run is left out; a figure or peer missing from a group
that ran shows "n/a" (with the reason when the group gave one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.targets import TARGETS

Pick = Callable[[Any], Any]


@dataclass(frozen=True)
class Row:
    group: str
    figure: str
    value: Pick
    unit: str = ""
    target: str | None = None  # a name in bench.targets.TARGETS
    peer: str = ""
    peer_value: Pick | None = None
    # Figures with a target that is not a number ("all" lines received).
    check: Callable[[Any], bool] | None = None
    check_text: str = ""


def _peer(key: str, figure: str, unit: str) -> Pick:
    """A peer's figure, or why it could not run."""

    def pick(result: Any) -> Any:
        peer = result[key]
        if "unavailable" in peer:
            return f"n/a: {peer['unavailable']}"
        return f"{peer[figure]:g}{unit}"

    return pick


def _of(received: str, sent: str) -> Pick:
    return lambda r: f"{r[received]:,} of {r[sent]:,}"


CORE = "% of a core"
TAIL = "tail -F of the same file (same run)"
KUBECTL = "kubectl get pods -w -A (same cluster and load)"
GLANCES = "glances --stdout cpu.total,mem.percent -t 2"
ALONE = "warroom sim serve alone, same scenario, unwatched"
DOCKER_STATS = "docker stats (the CLI, same engine and containers)"

ROWS: list[Row] = [
    Row("startup", "First full frame, warroom (160x48 pty)", lambda r: r["warroom_first_frame_s"],
        " s", peer="bare Textual hello app", peer_value=lambda r: f"{r['hello_first_frame_s']} s"),
    Row("startup", "First full frame / hello's", lambda r: r["ratio"], "x",
        target="first_frame_ratio"),
    Row("idle", "Idle CPU, no cluster (Host pane sampling every 2 s)",
        lambda r: r["cpu_percent_of_one_core"], CORE, target="idle_cpu_percent",
        peer=GLANCES, peer_value=_peer("peer_glances", "cpu_percent_of_one_core", CORE)),
    Row("idle", "Idle RSS, no cluster", lambda r: r["rss_mb"], " MB", target="idle_rss_mb",
        peer=GLANCES, peer_value=_peer("peer_glances", "rss_mb", " MB")),
    Row("idle_demo", "warroom demo, every pane live: panes seen live",
        lambda r: f"{sum(r['panes_live'].values())} of {len(r['panes_live'])}",
        check=lambda r: all(r["panes_live"].values()), check_text="all"),
    Row("idle_demo", "… idle CPU (console + its in-process drill)",
        lambda r: r["cpu_percent_of_one_core"], CORE, target="idle_cpu_percent",
        peer=ALONE, peer_value=_peer("drill_alone", "cpu_percent_of_one_core", CORE)),
    Row("idle_demo", "… RSS (console + its in-process drill)", lambda r: r["rss_mb"], " MB",
        target="idle_rss_mb", peer=ALONE, peer_value=_peer("drill_alone", "rss_mb", " MB")),
    Row("drill_start", "Drill ready (sim serve, start to kubeconfig)",
        lambda r: r["serve_ready_s"], " s", target="drill_ready_s"),
    Row("drill_watch", "Drill, pods churning at 100/s: events seen by a kubernetes client",
        _of("events_seen_by_client", "events_sent"),
        check=lambda r: r["events_seen_by_client"] == r["events_sent"], check_text="all"),
    Row("drill_watch", "… pods in the cluster", lambda r: r["pods"]),
    Row("drill_watch", "… client watch lag p50 / p99",
        lambda r: f"{r['lag_ms_p50']} / {r['lag_ms_p99']} ms"),
    Row("drill_watch", "… cluster CPU (API server and controllers)",
        lambda r: r["cluster_cpu_percent_of_one_core"], CORE),
    Row("drill_watch", "Console on that drill (real watch): first full list",
        lambda r: r["console"]["first_list_s"], " s"),
    Row("drill_watch", "… pane current: new pod created to drawn, p95",
        lambda r: round(r["console"]["currency"]["p95_ms"] / 1000, 2), " s",
        target="pods_current_s"),
    Row("drill_watch", "… new pods not drawn within 10 s", lambda r: r["console"]["currency"]
        ["missed"], check=lambda r: r["console"]["currency"]["missed"] == 0, check_text="none"),
    Row("drill_watch", "… console CPU", lambda r: r["console"]["cpu_percent_of_one_core"], CORE,
        target="pods_cpu_percent", peer=KUBECTL,
        peer_value=_peer("peer_kubectl", "cpu_percent_of_one_core", CORE)),
    Row("drill_watch", "… console RSS", lambda r: r["console"]["rss_mb"], " MB",
        peer=KUBECTL, peer_value=_peer("peer_kubectl", "rss_mb", " MB")),
    Row("pods_pane", "Pods pane alone, fed by the real model (no API): cursor key p95",
        lambda r: r["cursor_down"]["p95_ms"], " ms", target="pods_key_p95_ms"),
    Row("pods_pane", "… a flush of changes into the table, p95", lambda r: r["flush"]["p95_ms"],
        " ms"),
    Row("pods_pane", "… filter applied on every row, p50", lambda r: r["filter_apply"]["p50_ms"],
        " ms"),
    Row("pods_pane", "… CPU with keys", lambda r: r["cpu_percent_with_keys"], CORE,
        target="pods_cpu_percent"),
    Row("logs_pane", "Logs: 20,000 lines/s, lines received", _of("lines_received",
        "lines_written"), check=lambda r: r["lines_received"] == r["lines_written"],
        check_text="all"),
    Row("logs_pane", "… display lag p95", lambda r: r["display_lag"]["p95_ms"], " ms",
        target="logs_lag_p95_ms"),
    Row("logs_pane", "… CPU of the console", lambda r: r["cpu_percent"], CORE,
        target="logs_cpu_percent", peer=TAIL,
        peer_value=lambda r: f"{r['peer_tail_F_cpu_percent']:g}{CORE}"),
    Row("logs_pane", "… stream peer from a pod", lambda r: "-", peer="kubectl logs -f",
        peer_value=lambda r: "n/a: no drill pod writes 20,000 lines/s; tail -F is the peer"),
    Row("logs_pane", "… RSS growth once the buffer is full",
        lambda r: r["rss_growth_mb_after_full"], " MB", target="logs_rss_growth_mb"),
    Row("probes", "50 hung probes: cursor key p95", lambda r: r["key_move"]["p95_ms"], " ms",
        target="probes_key_p95_ms"),
    Row("probes", "… CPU with keys", lambda r: r["cpu_percent_with_keys"], CORE),
    Row("containers", "Containers under podman: CPU of the console",
        lambda r: r["podman"]["cpu_percent_of_one_core"], CORE, target="containers_cpu_percent",
        peer=DOCKER_STATS,
        peer_value=_peer("peer_docker_stats", "cpu_percent_of_one_core", CORE)),
    Row("containers", "… replayed at docker's pace", lambda r: r["docker_pace"]
        ["cpu_percent_of_one_core"], CORE, target="containers_cpu_percent"),
    Row("containers", "… containers", lambda r: r["containers"]),
    Row("review", "1,000,000-event review: open to first frame", lambda r: r["first_frame_s"],
        " s", target="review_s"),
    Row("review", "… search, 1 match", lambda r: r["search_zebracorn_s"], " s",
        target="review_s"),
    Row("review", "… search, 183,000 matches", lambda r: r["search_refused_s"], " s",
        target="review_s"),
    Row("review", "… summary", lambda r: r["summary_s"], " s"),
    Row("review", "… export md (warroom export, whole process)", lambda r: r["export_md_s"],
        " s"),
    Row("review", "… export json (whole process)", lambda r: r["export_json_s"], " s"),
    Row("soak", "Soak, every pane live (the console; the drill apart): panes seen live",
        lambda r: f"{sum(r['panes_live'].values())} of {len(r['panes_live'])}",
        check=lambda r: all(r["panes_live"].values()), check_text="all"),
    Row("soak", "… minutes", lambda r: r["minutes"]),
    Row("soak", "… RSS slope, whole run", lambda r: r["rss_mb"]["slope_per_hour"], " MB/h"),
    Row("soak", "… RSS slope, second half (the verdict)",
        lambda r: r["rss_mb"]["slope_per_hour_second_half"], " MB/h",
        target="soak_rss_mb_per_hour"),
    Row("soak", "… RSS start / end", lambda r: f"{r['rss_mb']['start']} / {r['rss_mb']['end']} MB"),
    Row("soak", "… CPU slope, whole run",
        lambda r: r["cpu_percent_of_one_core"]["slope_per_hour"], " points/h"),
    Row("soak", "… CPU slope, second half (the verdict)",
        lambda r: r["cpu_percent_of_one_core"]["slope_per_hour_second_half"], " points/h",
        target="soak_cpu_points_per_hour"),
    Row("soak", "… CPU of the first / last sample",
        lambda r: f"{r['cpu_percent_of_one_core']['start']} / "
        f"{r['cpu_percent_of_one_core']['end']}{CORE}"),
    Row("soak", "… the drill's own process (apart): RSS start / end, slope",
        lambda r: f"{r['drill_rss_mb']['start']} / {r['drill_rss_mb']['end']} MB, "
        f"{r['drill_rss_mb']['slope_per_hour']} MB/h"),
]  # fmt: skip

HEADER = ("group", "figure", "value", "target", "met", "peer", "peer's value")


def _safe(pick: Pick, result: Any) -> Any:
    try:
        return pick(result)
    except (KeyError, TypeError, IndexError, ZeroDivisionError):
        return None


def _shown(value: Any, unit: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:g}{unit}"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return str(value)


def rows(document: dict[str, Any]) -> list[tuple[str, ...]]:
    lines: list[tuple[str, ...]] = []
    failed: set[str] = set()
    for row in ROWS:
        result = document.get(row.group)
        if not isinstance(result, dict):
            continue
        if "error" in result:
            if row.group not in failed:
                failed.add(row.group)
                lines.append((row.group, "did not finish", "n/a", "", "no", "", result["error"]))
            continue
        value = _safe(row.value, result)
        target, met = "", ""
        if row.target is not None:
            limit = TARGETS[row.target]
            target = limit.describe()
            if isinstance(value, int | float):
                met = "yes" if limit.met(float(value)) else "no"
        elif row.check is not None:
            target = row.check_text
            passed = _safe(row.check, result)
            met = "" if passed is None else ("yes" if passed else "no")
        peer_value = _safe(row.peer_value, result) if row.peer_value else None
        lines.append((row.group, row.figure, _shown(value, row.unit), target, met, row.peer,
                      "" if row.peer_value is None else _shown(peer_value, "")))  # fmt: skip
    return lines


def text_table(document: dict[str, Any]) -> str:
    body = rows(document)
    table = [HEADER, *body]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    out = [_machine_line(document)]
    for index, line in enumerate(table):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(cell.rstrip() for cell in out)


def markdown_table(document: dict[str, Any]) -> str:
    out = [_machine_line(document), "", _markdown_line(HEADER), _markdown_line(["---"] * 7)]
    out.extend(_markdown_line(line) for line in rows(document))
    return "\n".join(out)


def _markdown_line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _machine_line(document: dict[str, Any]) -> str:
    machine = document.get("machine") or {}
    quick = " (quick run: not for publishing)" if document.get("quick") else ""
    return (
        f"{document.get('when', '')}: {machine.get('cores')} cores of {machine.get('cpu')}, "
        f"{machine.get('memory_gib')} GiB, {machine.get('os')}, Python {machine.get('python')}, "
        f"Textual {machine.get('textual')}{quick}"
    )
