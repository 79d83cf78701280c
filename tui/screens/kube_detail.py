"""Read-only views of cluster objects: a pod in detail (`describe`), and any object as YAML.

Both are large modal screens over the console; Esc closes them. The pod detail
can switch to the pod's YAML (`y`) and ask for its logs (`l`, `p`): it posts
LogsRequested to the app and closes, so the Logs pane behind comes into view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, Label, Static

from tui.safetext import cell, screen_clean
from tui.screens.dialogs import dialog_css
from tui.screens.kube_describe import highlight_yaml, sections, yaml_text
from tui.sources.kube.actions import ObjectRef
from tui.sources.kube.rows import pod_row
from widgets.kube_requests import LogsRequested

Obj = dict[str, Any]

LARGE = """
SCREEN .dialog { width: 95%; height: 95%; max-width: 100%; max-height: 100%; }
SCREEN VerticalScroll { height: 1fr; }
SCREEN ContentSwitcher { height: 1fr; }
SCREEN .section { text-style: bold; color: $accent; padding-top: 1; }
"""


class PodDetailScreen(ModalScreen[None]):
    """`kubectl describe pod`: header, owners, containers, conditions, events; `y` for YAML."""

    DEFAULT_CSS = dialog_css("PodDetailScreen", LARGE.replace("SCREEN", "PodDetailScreen"))
    BINDINGS = [
        Binding("escape", "close", "Close", id="detail.close"),
        Binding(
            "y",
            "toggle_yaml",
            "YAML",
            tooltip="Switch between the details and the YAML",
            id="pods.detail_yaml",
        ),
        Binding(
            "l",
            "logs(False)",
            "Logs",
            tooltip="Follow this pod's logs in the Logs pane",
            id="pods.detail_logs",
        ),
        Binding(
            "p",
            "logs(True)",
            "Prev logs",
            tooltip="Logs of the previous (crashed) container",
            id="pods.detail_previous_logs",
        ),
    ]

    def __init__(
        self,
        pod: Obj,
        events: Sequence[Obj],
        owners: Sequence[ObjectRef],
        context: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.pod = pod
        self.events = list(events)
        self.owners = list(owners)
        self.context = context
        self._now = (clock or (lambda: datetime.now(UTC)))()
        self._yaml_shown = False

    @property
    def pod_name(self) -> str:
        return str((self.pod.get("metadata") or {}).get("name", ""))

    def compose(self) -> ComposeResult:
        namespace = (self.pod.get("metadata") or {}).get("namespace", "")
        title = Text.assemble("Pod ", cell(f"{namespace}/{self.pod_name}"), ("  ", ""))
        with Vertical(classes="dialog"):
            yield Label(title, classes="dialog-title", id="detail-title")
            with ContentSwitcher(initial="detail-body"):
                with VerticalScroll(id="detail-body"):
                    for heading, body in sections(
                        self.pod, self.events, self.owners, self.context, self._now
                    ):
                        if heading:
                            yield Label(Text(heading), classes="section")
                        yield Static(body, classes="detail-section")
                with VerticalScroll(id="detail-yaml"):
                    yield Static(Text(""), id="yaml-text")
            yield Label(
                Text("y YAML · l logs · p previous logs · Esc closes"), classes="dialog-hint"
            )

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): every section, and the YAML, drawn again."""
        bodies = sections(self.pod, self.events, self.owners, self.context, self._now)
        for static, (_heading, body) in zip(
            self.query(".detail-section").results(Static), bodies, strict=False
        ):
            static.update(body)
        if self._yaml_shown:
            self.query_one("#yaml-text", Static).update(yaml_text(self.pod))

    @property
    def showing_yaml(self) -> bool:
        return self.query_one(ContentSwitcher).current == "detail-yaml"

    def action_toggle_yaml(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        if switcher.current == "detail-body":
            # Dumped on first use: a detail view that never shows YAML never pays for it.
            if not self._yaml_shown:
                self.query_one("#yaml-text", Static).update(yaml_text(self.pod))
                self._yaml_shown = True
            switcher.current = "detail-yaml"
        else:
            switcher.current = "detail-body"
        # The visible part scrolls with the keys.
        self.query_one(f"#{switcher.current}", VerticalScroll).focus()

    def action_logs(self, previous: bool) -> None:
        metadata = self.pod.get("metadata") or {}
        key = (
            self.context,
            "pods",
            str(metadata.get("uid") or f"{metadata.get('namespace')}/{self.pod_name}"),
        )
        self.app.post_message(LogsRequested(pod_row(key, self.pod), previous=previous))
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class YamlScreen(ModalScreen[None]):
    """Any object as YAML (already dumped by the caller), cleaned, read-only."""

    DEFAULT_CSS = dialog_css("YamlScreen", LARGE.replace("SCREEN", "YamlScreen"))
    BINDINGS = [Binding("escape,q", "close", "Close", id="detail.close")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title = title
        self._text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(cell(self._title), classes="dialog-title")
            with VerticalScroll():
                yield Static(highlight_yaml(screen_clean(self._text, max_chars=500_000)))
            yield Label(Text("Esc closes"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the text is shown again."""
        self.refresh(recompose=True)

    def action_close(self) -> None:
        self.dismiss(None)
