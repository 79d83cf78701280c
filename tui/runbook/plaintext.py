"""Markdown nodes as plain text: what an operator reads on a terminal, nothing dropped.

Emphasis markers go; inline code keeps its backticks (it is what to type);
links keep their target after the text, since nobody clicks on a bastion;
strikethrough keeps its `~~` because "do not do this" must stay visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from markdown_it.tree import SyntaxTreeNode

from tui.runbook.tables import extra_cells, render_table

TASK_CHECKBOX = "task-list-item-checkbox"


def inline_text(
    node: SyntaxTreeNode, *, decode_url: Callable[[str], str] = str, softbreak: str = " "
) -> str:
    """The text of an `inline` node (or any node holding inline children)."""
    parts: list[str] = []
    _inline(node, parts, decode_url, softbreak)
    return "".join(parts).strip()


def _inline(
    node: SyntaxTreeNode, out: list[str], decode_url: Callable[[str], str], softbreak: str
) -> None:
    for child in node.children:
        kind = child.type
        if kind == "text":
            out.append(child.content)
        elif kind == "code_inline":
            out.append(f"`{child.content}`")
        elif kind == "softbreak":
            out.append(softbreak)
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "html_inline":
            if TASK_CHECKBOX not in child.content:
                out.append(child.content)
        elif kind in ("link", "image"):
            label: list[str] = []
            _inline(child, label, decode_url, softbreak)
            text = "".join(label)
            target = decode_url(str(child.attrGet("href") or child.attrGet("src") or ""))
            title = str(child.attrGet("title") or "")
            out.append(text)
            if target and target not in (text, f"mailto:{text}"):
                out.append(f" ({target}" + (f' "{title}"' if title else "") + ")")
        elif kind == "s":
            out.append("~~")
            _inline(child, out, decode_url, softbreak)
            out.append("~~")
        else:  # em, strong and whatever a plugin adds: their text, without markers
            if child.children:
                _inline(child, out, decode_url, softbreak)
            elif child.content:
                out.append(child.content)


def table_text(
    node: SyntaxTreeNode, lines: list[str], *, decode_url: Callable[[str], str] = str
) -> str:
    """A `table` node as aligned columns; `lines` is the source, to recover dropped cells."""
    rows: list[list[str]] = []
    aligns: list[str] = []
    for row in (tr for part in node.children for tr in part.children):
        cells = [inline_text(cell.children[0], decode_url=decode_url) if cell.children else ""
                 for cell in row.children]  # fmt: skip
        if not aligns:
            aligns = [_align(cell) for cell in row.children]
        if row.map and row.map[0] < len(lines):
            extra = extra_cells(lines[row.map[0]], len(cells))
            if extra and cells:
                cells[-1] = " | ".join([cells[-1], *extra]).strip(" |")
        rows.append(cells)
    return render_table(rows, aligns)


def _align(cell: SyntaxTreeNode) -> str:
    style = str(cell.attrGet("style") or "")
    return style.removeprefix("text-align:") if style.startswith("text-align:") else "left"


def blocks_text(
    nodes: Iterable[SyntaxTreeNode], lines: list[str], *, decode_url: Callable[[str], str] = str
) -> str:
    """Block nodes (what a blockquote holds) as text: lists keep their markers."""
    return "\n\n".join(
        part for part in (_block(node, lines, decode_url) for node in nodes) if part
    ).strip("\n")


def _block(node: SyntaxTreeNode, lines: list[str], decode_url: Callable[[str], str]) -> str:
    kind = node.type
    if kind in ("paragraph", "heading"):
        return inline_text(node.children[0], decode_url=decode_url, softbreak="\n")
    if kind in ("fence", "code_block"):
        return "\n".join("    " + line for line in node.content.rstrip("\n").split("\n"))
    if kind == "html_block":
        return node.content.rstrip("\n")
    if kind == "table":
        return table_text(node, lines, decode_url=decode_url)
    if kind == "blockquote":
        inner = blocks_text(node.children, lines, decode_url=decode_url)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, lines, decode_url)
    if kind == "hr":
        return ""
    if node.children:
        return blocks_text(node.children, lines, decode_url=decode_url)
    return node.content.strip()


def _list(node: SyntaxTreeNode, lines: list[str], decode_url: Callable[[str], str]) -> str:
    out = []
    start = int(node.attrGet("start") or 1) if node.type == "ordered_list" else 0
    for index, item in enumerate(node.children):
        marker = f"{start + index}. " if node.type == "ordered_list" else "- "
        task = task_state(item)
        if task is not None:
            marker += "[x] " if task else "[ ] "
        body = blocks_text(item.children, lines, decode_url=decode_url).replace("\n\n", "\n")
        indented = body.replace("\n", "\n" + " " * len(marker))
        out.append(marker + indented)
    return "\n".join(out)


def task_state(item: SyntaxTreeNode) -> bool | None:
    """None for a plain list item; for a task item (`- [ ]`), whether the file checks it."""
    if "task-list-item" not in str(item.attrGet("class") or ""):
        return None
    first = item.children[0] if item.children else None
    inline = first.children[0] if first is not None and first.children else None
    box = inline.children[0] if inline is not None and inline.children else None
    return box is not None and 'checked="checked"' in box.content
