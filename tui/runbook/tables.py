"""Markdown tables as aligned plain text, measured in terminal cells (emoji are two wide)."""

from __future__ import annotations

import re

from rich.cells import cell_len

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def render_table(rows: list[list[str]], aligns: list[str], *, header: bool = True) -> str:
    """Columns padded to their widest cell; a dashed rule under the header row.

    `aligns` holds "left", "right" or "center" per column (missing means left).
    """
    if not rows:
        return ""
    columns = max(len(row) for row in rows)
    rows = [row + [""] * (columns - len(row)) for row in rows]
    widths = [max(cell_len(row[c]) for row in rows) for c in range(columns)]
    lines = [_row(row, widths, aligns) for row in rows]
    if header and len(lines) > 1:
        lines.insert(1, "  ".join("-" * width for width in widths).rstrip())
    return "\n".join(lines)


def extra_cells(source_line: str, columns: int) -> list[str]:
    """Cells beyond the header's count, which Markdown drops silently: kept as text."""
    line = source_line.strip()
    line = line.removeprefix("|")
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = [cell.strip() for cell in _UNESCAPED_PIPE.split(line)]
    return [cell for cell in cells[columns:] if cell]


def _row(cells: list[str], widths: list[int], aligns: list[str]) -> str:
    out = []
    for index, (text, width) in enumerate(zip(cells, widths, strict=True)):
        pad = width - cell_len(text)
        align = aligns[index] if index < len(aligns) else "left"
        if align == "right":
            out.append(" " * pad + text)
        elif align == "center":
            out.append(" " * (pad // 2) + text + " " * (pad - pad // 2))
        else:
            out.append(text + " " * pad)
    return "  ".join(out).rstrip()
