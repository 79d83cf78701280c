"""Which clusters and engines this console is pointed at, as labels for the banner.

Each Kubernetes context and the container engine gets a short label in a colour
derived from its name: the same name has the same colour on every run and every
machine, so an operator learns "blue is staging" and notices when the colour is
wrong. Production (the configured patterns) is always red and says PROD in words:
the warning must survive a monochrome terminal or a colour-blind reader.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text

from tui.safetext import one_line

# Saturated and readable on a dark or near-black background; no red (production's).
PALETTE = (
    "bold black on dodger_blue1",
    "bold black on green3",
    "bold black on dark_turquoise",
    "bold black on medium_purple1",
    "bold black on gold1",
    "bold black on orchid",
    "bold black on spring_green2",
    "bold black on light_slate_blue",
)
PRODUCTION_STYLE = "bold white on red"

KIND_PREFIX = {"kube": "k8s:", "docker": "docker:"}
# At 80 columns a context is its bare name; the engine keeps a "d:" to tell them apart.
COMPACT_KIND_PREFIX = {"kube": "", "docker": "d:"}

# A name is cut to this many cells before labels are dropped.
FULL_NAME_CELLS = 28
SHORT_NAME_CELLS = 12


@dataclass(frozen=True, slots=True)
class ContextLabel:
    kind: str  # "kube" or "docker"
    name: str
    production: bool = False


def label_style(label: ContextLabel) -> str:
    if label.production:
        return PRODUCTION_STYLE
    # crc32, not hash(): Python salts str hashes per process.
    return PALETTE[zlib.crc32(label.name.encode("utf-8")) % len(PALETTE)]


def render_label(label: ContextLabel, *, compact: bool = False, name_cells: int = 0) -> Text:
    """' PROD k8s:prod-eu-1 ', ' docker:web-1 '; compact: ' PROD prod-eu-1 ', ' d:web-1 '."""
    prefix = (COMPACT_KIND_PREFIX if compact else KIND_PREFIX).get(label.kind, f"{label.kind}:")
    name = Text(one_line(label.name, max_chars=200), no_wrap=True, end="")
    limit = name_cells or (SHORT_NAME_CELLS if compact else FULL_NAME_CELLS)
    if name.cell_len > limit:
        name.truncate(limit, overflow="ellipsis")
    marker = "PROD " if label.production else ""
    text = Text(f" {marker}{prefix}", no_wrap=True, end="")
    text.append_text(name)
    text.append(" ")
    text.stylize(label_style(label))
    return text


def render_labels(labels: Sequence[ContextLabel], width: int, *, compact: bool = False) -> Text:
    """The labels in at most `width` cells, separated by a space.

    When they do not fit, names are cut first, then the non-production labels give
    way to a '+N' count: a production label is the last thing to disappear.
    """
    if not labels or width <= 0:
        return Text(no_wrap=True, end="")
    # Production first: if anything is cut, it is not the warning.
    ordered = sorted(labels, key=lambda label: not label.production)
    for keep in range(len(ordered), 0, -1):
        for name_cells in (0, SHORT_NAME_CELLS, 6):
            shown = _join([render_label(label, compact=compact, name_cells=name_cells)
                           for label in ordered[:keep]])  # fmt: skip
            if keep < len(ordered):
                shown.append(f" +{len(ordered) - keep}", "bold")
            if shown.cell_len <= width:
                return shown
    # Not even one label with a short name: the first, its name cut to what is left.
    first = ordered[0]
    overhead = render_label(first, compact=True, name_cells=1).cell_len - 1
    shown = render_label(first, compact=True, name_cells=max(width - overhead, 1))
    shown.truncate(width, overflow="ellipsis")
    return shown


def _join(blocks: list[Text]) -> Text:
    joined = Text(no_wrap=True, end="")
    for index, block in enumerate(blocks):
        if index:
            joined.append(" ")
        joined.append_text(block)
    return joined
