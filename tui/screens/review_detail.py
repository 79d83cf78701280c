"""One event in full: who, when, what, and its data laid out by kind.

Command runs show the command, where it ran, how it ended and its output; log
evidence shows the lines with their sources and times; actions and transitions
show the object they were about. Then the raw data, and the event's hash.
Everything is cleaned text in `Text` objects: output and log lines are
untrusted.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.safetext import clean, plain
from tui.screens.dialogs import dialog_css
from tui.timeline.model import Event, EventKind, format_ts

MAX_SHOWN = 200_000
OBJECT_KEYS = ("context", "namespace", "kind", "name", "action", "result", "detail")
RUN_KEYS = (
    "runbook_title",
    "section",
    "step_text",
    "context",
    "namespace",
    "exit_code",
    "duration_s",
    "danger",
    "result",
    "error",
)


def _fields(pairs: list[tuple[str, Any]]) -> Text:
    text = Text()
    width = max((len(label) for label, _ in pairs), default=0)
    for label, value in pairs:
        text.append(f"{label:>{width}}  ", "bold")
        text.append(clean(str(value), max_chars=2000) + "\n")
    return text


def kind_sections(event: Event) -> list[tuple[str, Text]]:
    """(title, body) blocks for what this kind of event carries."""
    data = event.data
    sections: list[tuple[str, Text]] = []
    if event.kind == EventKind.RUNBOOK_RUN and "command" in data:
        sections.append(("Command", plain(str(data["command"]), "bold")))
        shown = [(key, data[key]) for key in RUN_KEYS if data.get(key) not in (None, "")]
        if shown:
            sections.append(("Run", _fields(shown)))
        if data.get("output"):
            cut = " (cut: the hash covers all of it)" if data.get("output_cut") else ""
            sections.append((f"Output{cut}", plain(str(data["output"]), max_chars=MAX_SHOWN)))
    elif event.kind == EventKind.LOG_EVIDENCE and isinstance(data.get("lines"), list):
        body = Text()
        for line in data["lines"]:
            if not isinstance(line, dict):
                continue
            origin = str(line.get("origin") or line.get("label") or "")
            when = str(line.get("time") or "")
            prefix = " ".join(part for part in (when, origin) if part)
            if prefix:
                body.append(clean(prefix, max_chars=200) + "  ", "dim")
            body.append(clean(str(line.get("text", "")), max_chars=20_000) + "\n")
        title = f"Log lines from {clean(str(data.get('source', '?')), max_chars=200)}"
        sections.append((title, body))
        origins = [o for o in data.get("origins") or [] if isinstance(o, dict)]
        if origins:
            refs = Text()
            for origin in origins:
                parts = [f"{key}={origin[key]}" for key in sorted(origin)]
                refs.append(clean(" ".join(parts), max_chars=500) + "\n")
            sections.append(("Sources", refs))
    elif event.kind == EventKind.STATUS_UPDATE:
        sections.append(("Update as posted", plain(event.text, max_chars=MAX_SHOWN)))
    shown = [(key, data[key]) for key in OBJECT_KEYS if data.get(key) not in (None, "")]
    if event.kind in (EventKind.K8S_ACTION, EventKind.K8S_TRANSITION) and shown:
        sections.append(("Object", _fields(shown)))
    return sections


class ReviewDetail(ModalScreen[None]):
    DEFAULT_CSS = dialog_css(
        "ReviewDetail",
        """
    ReviewDetail .dialog { width: 100; height: 90%; }
    ReviewDetail VerticalScroll { height: 1fr; }
    ReviewDetail .section { text-style: bold; color: $accent; padding-top: 1; }
    """,
    )
    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="detail.close")]

    def __init__(self, event: Event, *, chain_hash: str | None, pinned: bool) -> None:
        super().__init__()
        self._event = event
        self._hash = chain_hash
        self._pinned = pinned

    def compose(self) -> ComposeResult:
        e = self._event
        header = _fields(
            [
                ("event", f"#{e.seq}  {e.uuid}"),
                ("time", f"{format_ts(e.ts)} UTC"),
                ("kind", e.kind),
                ("by", e.actor),
                ("source", e.source),
                ("about", e.subject or "—"),
                ("pinned", "yes" if self._pinned else "no"),
                ("sha256", self._hash or "— (written before the hash chain)"),
            ]
        )
        with Vertical(classes="dialog"):
            yield Label(Text("Event"), classes="dialog-title")
            with VerticalScroll():
                yield Static(header)
                if e.kind != EventKind.STATUS_UPDATE:
                    yield Static(plain(e.text, max_chars=MAX_SHOWN))
                for title, body in kind_sections(e):
                    yield Label(Text(title), classes="section")
                    yield Static(body)
                if e.data:
                    yield Label(Text("Data"), classes="section")
                    data = json.dumps(e.data, indent=2, sort_keys=True, default=str)
                    yield Static(plain(data, "dim", max_chars=MAX_SHOWN))
            yield Label(Text("Esc closes"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
