"""Markdown runbook -> `Runbook`: sections, steps, commands and text.

CommonMark with GFM tables, strikethrough and task lists, plus YAML front matter.
Headings of any level (ATX or setext) open sections nested by level. List items
become steps, their nested items sub-steps ("3.2"). A code block belongs to the
step it sits in, or to the last step of the list right above it (runbooks often
forget to indent the fence under "1. Check pods:"); otherwise to the section.
Everything else is kept as text, so what the author wrote is all on screen.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from tui.runbook.codeblock import read_code_block
from tui.runbook.frontmatter import FrontMatter, parse_front_matter
from tui.runbook.model import Command, Problem, Runbook, Section, Step, Text, TextKind
from tui.runbook.plaintext import blocks_text, inline_text, table_text, task_state
from tui.runbook.source import read_runbook_text

_SLUG_DROP = re.compile(r"[^\w\- ]")
_TEXT_KINDS: dict[str, TextKind] = {
    "table": "table",
    "blockquote": "quote",
    "html_block": "html",
    "heading": "heading",
}


@cache
def markdown() -> MarkdownIt:
    return (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .use(tasklists_plugin)
        .use(front_matter_plugin)
    )


def read_runbook(path: Path) -> Runbook:
    """Read and parse a runbook file; raises `tui.readfile.UnreadableFile` with a reason."""
    return parse_runbook(read_runbook_text(path), path)


def parse_runbook(text: str, path: Path | None = None) -> Runbook:
    """Parse runbook text (already decoded and LF-normalised, see `source.decode`)."""
    md = markdown()
    root = SyntaxTreeNode(md.parse(text))
    builder = _Builder(text.split("\n"), md.normalizeLinkText)
    front = FrontMatter()
    for node in root.children:
        if node.type == "front_matter":
            front = parse_front_matter(node.content, line=1)
        else:
            builder.add(node)
    warnings = list(front.warnings)
    if text.startswith("---\n") and not (root.children and root.children[0].type == "front_matter"):
        warnings.append(Problem(1, "front matter opened with '---' is never closed; read as text"))
    first_heading = next((s.title for s in builder.sections if s.level > 0), None)
    title = front.title or first_heading or (path.stem if path else "") or "untitled"
    return Runbook(
        path=path,
        title=title,
        severity=front.severity,
        tags=front.tags,
        triggers=front.triggers,
        sections=builder.top_level,
        warnings=warnings,
        meta=front.meta,
        sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def slugify(title: str) -> str:
    """Like a heading's link anchor: lower case, punctuation dropped, spaces as dashes."""
    return _SLUG_DROP.sub("", title.strip().lower()).replace(" ", "-") or "section"


class _Builder:
    def __init__(self, lines: list[str], decode_url: Callable[[str], str]) -> None:
        self.lines = lines
        self.decode_url = decode_url
        self.top_level: list[Section] = []
        self.sections: list[Section] = []  # every section, in file order
        self.stack: list[Section] = []  # open headings, outermost first
        self.current: Section | None = None
        self.slugs: dict[str, int] = {}
        self.counters: dict[str, int] = {}  # steps numbered so far per section slug
        self.after_list: Step | None = None  # last step of a list just above

    def add(self, node: SyntaxTreeNode) -> None:
        if node.type == "heading":
            self._heading(node)
            return
        section = self._section()
        if node.type in ("bullet_list", "ordered_list"):
            steps = self._list(node, section, None)
            section.blocks.extend(steps)
            self.after_list = steps[-1] if steps else self.after_list
        elif node.type in ("fence", "code_block"):
            command = self._command(node)
            (self.after_list.blocks if self.after_list else section.blocks).append(command)
        else:
            self.after_list = None
            text = self._text(node)
            if text is not None:
                section.blocks.append(text)

    def _heading(self, node: SyntaxTreeNode) -> None:
        level = int(node.tag[1:])
        title = self._inline(node)
        section = Section(title, level, self._slug(title), _line(node))
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()
        (self.stack[-1].children if self.stack else self.top_level).append(section)
        self.stack.append(section)
        self.sections.append(section)
        self.current = section
        self.after_list = None

    def _section(self) -> Section:
        """The section blocks go to; text before any heading gets a level-0 section."""
        if self.current is None:
            self.current = Section("", 0, self._slug("top"), 1)
            self.top_level.append(self.current)
            self.sections.append(self.current)
        return self.current

    def _slug(self, title: str) -> str:
        base = slugify(title)
        seen = self.slugs.get(base, 0)
        self.slugs[base] = seen + 1
        return base if seen == 0 else f"{base}-{seen}"

    def _list(self, node: SyntaxTreeNode, section: Section, parent: Step | None) -> list[Step]:
        steps: list[Step] = []
        start = int(node.attrGet("start") or 1) if node.type == "ordered_list" else None
        for index, item in enumerate(node.children):
            if not item.children:
                continue  # "-" with nothing after it: nothing to do, nothing to lose
            if parent is None:
                number = self.counters.get(section.slug, 0) + 1
                self.counters[section.slug] = number
                path = str(number)
            else:
                path = f"{parent.path}.{len(parent.substeps) + len(steps) + 1}"
            children = list(item.children)
            text = ""
            if children[0].type == "paragraph":
                text = self._inline(children.pop(0))
            task = task_state(item)
            step = Step(
                id=f"{section.slug}/{path}",
                path=path,
                text=text,
                line=_line(item),
                number=None if start is None else start + index,
                task=task is not None,
                checked_in_file=bool(task),
                ordered=node.type == "ordered_list",
            )
            steps.append(step)
            for child in children:
                self._item_block(child, step, section)
        return steps

    def _item_block(self, node: SyntaxTreeNode, step: Step, section: Section) -> None:
        if node.type in ("bullet_list", "ordered_list"):
            step.blocks.extend(self._list(node, section, step))
        elif node.type in ("fence", "code_block"):
            step.blocks.append(self._command(node))
        else:
            text = self._text(node)
            if text is not None:
                step.blocks.append(text)

    def _command(self, node: SyntaxTreeNode) -> Command:
        fenced = node.type == "fence"
        info = node.info.strip().split(maxsplit=1)[0] if fenced and node.info.strip() else ""
        language = info.strip("{}.")  # "{.bash}" is Pandoc's way of writing "bash"
        first = _line(node) + (1 if fenced else 0)
        runnable, lines = read_code_block(node.content, language, first)
        return Command(node.content, language, runnable, lines, first)

    def _text(self, node: SyntaxTreeNode) -> Text | None:
        line = _line(node)
        if node.type == "hr":
            return None  # a rule is layout, there is nothing in it to read
        if node.type == "paragraph":
            return Text("paragraph", self._inline(node, softbreak="\n"), line)
        if node.type == "heading":  # a heading inside a list item
            return Text("heading", self._inline(node), line)
        if node.type == "table":
            return Text("table", table_text(node, self.lines, decode_url=self.decode_url), line)
        if node.type == "html_block":
            content = node.content.rstrip("\n")
        else:
            content = blocks_text(node.children, self.lines, decode_url=self.decode_url)
        kind = _TEXT_KINDS.get(node.type, "paragraph")
        return Text(kind, content, line) if content.strip() else None

    def _inline(self, node: SyntaxTreeNode, softbreak: str = " ") -> str:
        inline = node.children[0] if node.children else node
        return inline_text(inline, decode_url=self.decode_url, softbreak=softbreak)


def _line(node: SyntaxTreeNode) -> int:
    return node.map[0] + 1 if node.map else 0
