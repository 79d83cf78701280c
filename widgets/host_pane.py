"""The Host pane: CPU, load, memory, swap, disks, throughput and top processes.

It renders the latest `HostSampled` message; values are coloured by the level
the threshold tracker gave them, so what the timeline calls critical is what
the pane shows in red.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.messages import HostHistory, HostSampled, HostUnavailable
from tui.safetext import screen_line
from tui.sources.host_rows import HostSample, ProcessRow
from tui.sources.thresholds import Level, Reading
from widgets.format import bar, human_bytes, human_rate, sparkline
from widgets.pane import Pane

LEVEL_STYLES: dict[Level, str] = {
    Level.OK: "green",
    Level.WARNING: "bold yellow",
    Level.CRITICAL: "bold white on red",
}
# Gauges are drawn in a plain foreground colour: a reversed block would hide the bar.
BAR_STYLES: dict[Level, str] = {Level.OK: "green", Level.WARNING: "yellow", Level.CRITICAL: "red"}
LABEL_WIDTH = 6
# Colour is not the only signal (NO_COLOR, monochrome terminals, colour-blind
# readers): a line over a threshold also carries a mark beside its name.
LEVEL_MARKS: dict[Level, str] = {Level.OK: " ", Level.WARNING: "▲", Level.CRITICAL: "✖"}


def _percent_level(value: float, warning: float = 80, critical: float = 90) -> Level:
    if value >= critical:
        return Level.CRITICAL
    if value >= warning:
        return Level.WARNING
    return Level.OK


def _percent_style(value: float, warning: float = 80, critical: float = 90) -> str:
    return LEVEL_STYLES[_percent_level(value, warning, critical)]


def render_host(
    sample: HostSample, readings: tuple[Reading, ...], history: HostHistory, width: int
) -> Text:
    by_metric = {r.metric: r for r in readings}
    width = max(width, 30)
    out = Text(no_wrap=True, overflow="ellipsis")

    def label(name: str, level: Level | None = None) -> None:
        if level is None or level is Level.OK:
            out.append(f"{name:<{LABEL_WIDTH}}", "bold")
            return
        out.append(f"{name:<{LABEL_WIDTH - 2}}", "bold")
        out.append(LEVEL_MARKS[level], LEVEL_STYLES[level])
        out.append(" ")

    def spark(values: tuple[float, ...], used: int, ceiling: float | None = None) -> None:
        room = width - used - 1
        if room >= 4:
            out.append(" " + sparkline(values, room, ceiling=ceiling), "cyan")

    # CPU, then per-core figures (a block per core when there are many).
    label("CPU", _percent_level(sample.cpu_percent))
    cpu = f"{sample.cpu_percent:5.1f}%"
    out.append(cpu, _percent_style(sample.cpu_percent))
    spark(history.cpu, LABEL_WIDTH + len(cpu), ceiling=100)
    out.append("\n")
    label("cores")
    if len(sample.per_cpu) <= 8:
        for value in sample.per_cpu:
            out.append(f"{value:4.0f}%", _percent_style(value))
    else:
        room = max(width - LABEL_WIDTH, 8)
        for value in sample.per_cpu[:room]:
            out.append(sparkline([value], 1, ceiling=100), _percent_style(value))
    out.append("\n")

    load = by_metric.get("load")
    label("Load", load.level if load else None)
    figures = f"{sample.load[0]:.2f} {sample.load[1]:.2f} {sample.load[2]:.2f}"
    out.append(figures, LEVEL_STYLES[load.level] if load else "")
    per_core = f" ({sample.load_per_core:.2f}/core)"
    out.append(per_core, "dim")
    # Scaled to twice the cores (the critical line) so a flat load looks flat.
    spark(history.load, LABEL_WIDTH + len(figures) + len(per_core),
          ceiling=max(2.0 * sample.cores, *history.load, 1e-9))  # fmt: skip
    out.append("\n")

    memory = by_metric.get("memory")
    label("Mem", memory.level if memory else None)
    figures = (
        f"{human_bytes(sample.memory_used)}/{human_bytes(sample.memory_total)}"
        f" {sample.memory_percent:4.1f}%"
    )
    out.append(figures, LEVEL_STYLES[memory.level] if memory else "")
    spark(history.memory, LABEL_WIDTH + len(figures), ceiling=100)
    out.append("\n")

    swap = by_metric.get("swap")
    label("Swap", swap.level if swap and sample.swap_total else None)
    if sample.swap_total:
        out.append(
            f"{human_bytes(sample.swap_used)}/{human_bytes(sample.swap_total)}"
            f" {sample.swap_percent:4.1f}%",
            LEVEL_STYLES[swap.level] if swap else "",
        )
    else:
        out.append("none configured", "dim")
    out.append("\n")

    mount_width = min(max((len(d.mountpoint) for d in sample.disks), default=1), 24)
    for disk in sample.disks:
        reading = by_metric.get(f"disk:{disk.mountpoint}")
        style = LEVEL_STYLES[reading.level] if reading else ""
        label("Disk", reading.level if reading else None)
        out.append(f"{screen_line(disk.mountpoint, max_chars=mount_width):<{mount_width}} ")
        out.append(f"{disk.percent:5.1f}%", style)
        sizes = f" {human_bytes(disk.used)}/{human_bytes(disk.total)}"
        out.append(sizes, "dim")
        room = width - LABEL_WIDTH - mount_width - 7 - len(sizes) - 1
        if room >= 5:
            out.append(
                " " + bar(disk.percent, min(room, 20)),
                BAR_STYLES[reading.level] if reading else "cyan",
            )
        out.append("\n")
    if not sample.disks:
        label("Disk")
        out.append("no real filesystems visible\n", "dim")

    label("I/O")
    out.append(f"disk r {human_rate(sample.disk_read_rate)} w {human_rate(sample.disk_write_rate)}")
    out.append("\n")
    label("Net")
    net = f"rx {human_rate(sample.net_rx_rate)} tx {human_rate(sample.net_tx_rate)}"
    out.append(net)
    spark(history.net, LABEL_WIDTH + len(net))
    out.append("\n")

    out.append(f"Top CPU ({sample.process_count} processes)\n", "bold")
    _process_lines(out, sample.top_cpu, width, by="cpu")
    out.append("Top memory\n", "bold")
    _process_lines(out, sample.top_memory, width, by="memory")
    out.rstrip()
    return out


def _process_lines(out: Text, rows: tuple[ProcessRow, ...], width: int, *, by: str) -> None:
    # pid, then the figure the list is sorted by, then name and user: the name
    # comes from the process itself and is cleaned like any untrusted text.
    for row in rows:
        out.append(f"{row.pid:>7} ", "dim")
        if by == "cpu":
            out.append(f"{row.cpu_percent:5.1f}% ", _percent_style(row.cpu_percent))
        else:
            out.append(f"{human_bytes(row.rss):>6} ", _percent_style(row.memory_percent))
        room = max(width - 15, 8)
        name = screen_line(row.name, max_chars=64)
        user = screen_line(row.user, max_chars=16)
        out.append(f"{name[: max(room - len(user) - 1, 4)]} ")
        out.append(user, "dim")
        out.append("\n")


class HostPane(Pane):
    DEFAULT_CSS = """
    HostPane #host-body { padding: 0 1; }
    """

    def __init__(self, number: int, *, id: str = "host") -> None:
        super().__init__("Host", number, id=id)
        self._last: HostSampled | None = None
        self._trouble: str | None = None
        self._lines = -1

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("sampling…", style="dim"), id="host-body")

    def on_host_sampled(self, message: HostSampled) -> None:
        self._last = message
        self._trouble = None
        self.set_status(f"{message.sample.hostname} · live")
        self._render_last()

    def on_host_unavailable(self, message: HostUnavailable) -> None:
        # The last good figures stay on screen, under the reason they are stale.
        self._trouble = f"Host sampling failed: {message.reason} (retrying)"
        self.set_status("sampling failed")
        self._render_last()

    def on_resize(self) -> None:
        self._render_last()

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): process names are drawn again."""
        self._render_last()

    def _render_last(self) -> None:
        text = Text()
        if self._trouble:
            text.append(self._trouble + "\n", "bold red")
        if self._last is not None:
            width = self.content_size.width - 2
            last = self._last
            text.append_text(render_host(last.sample, last.readings, last.history, width))
        if text:
            # Lay out again only when the number of lines changed (a disk came
            # or went): most samples change figures, not shape.
            lines = text.plain.count("\n")
            self.query_one("#host-body", Static).update(text, layout=lines != self._lines)
            self._lines = lines
