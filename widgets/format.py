"""Small formatting helpers shared by the panes: sizes, rates, durations, sparklines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

SPARK_CHARS = "▁▂▃▄▅▆▇█"
_UNITS = ("B", "K", "M", "G", "T", "P")


def human_bytes(value: float | None) -> str:
    """1536 -> '1.5K', like `free -h` and `df -h` (powers of 1024)."""
    if value is None:
        return "—"
    size = float(value)
    for unit in _UNITS:
        if abs(size) < 1024 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{int(size)}B"
            return f"{size:.1f}{unit}" if abs(size) < 100 else f"{size:.0f}{unit}"
        size /= 1024
    raise AssertionError("unreachable")


def human_rate(value: float | None) -> str:
    return "—" if value is None else f"{human_bytes(value)}/s"


def duration(delta: timedelta) -> str:
    """H:MM:SS, or D d H:MM:SS past a day; negative durations get a minus sign."""
    seconds = int(delta.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{sign}{days}d {clock}" if days else f"{sign}{clock}"


def short_duration(delta: timedelta) -> str:
    """Compact: 45s, 12m, 3h05m, 2d04h."""
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d{(seconds % 86400) // 3600:02d}h"


def sparkline(values: Sequence[float], width: int, *, ceiling: float | None = None) -> str:
    """The last `width` values as block characters scaled to `ceiling` (or the max)."""
    if width <= 0 or not values:
        return ""
    recent = list(values)[-width:]
    top = ceiling if ceiling else max(max(recent), 1e-9)
    last = len(SPARK_CHARS) - 1
    return "".join(SPARK_CHARS[min(last, max(0, round(v / top * last)))] for v in recent)


def bar(percent: float, width: int) -> str:
    """A horizontal gauge: '█████░░░░░'."""
    width = max(width, 1)
    filled = min(width, max(0, round(percent / 100 * width)))
    return "█" * filled + "░" * (width - filled)
