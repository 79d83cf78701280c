"""The container screens: `docker inspect` in detail, and the confirmation before a
container changes.

    ContainerDetailScreen(detail, row)                                   -> None
    ConfirmContainerScreen(target, title, consequence, typed=, production=) -> bool

Every value shown comes from the engine and goes through `tui.safetext`; the
detail's secrets were masked by the source before it got here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui.safetext import cell, clean, plain, screen_clean
from tui.screens.dialogs import dialog_css
from tui.screens.kube_dialogs import ConfirmActionScreen
from tui.sources.docker.actions import Target
from tui.sources.docker.detail import ContainerDetail, DetailSection
from tui.sources.docker.rows import ContainerRow
from tui.sources.kube.actions import ObjectRef
from widgets.container_requests import ContainerLogsRequested

LARGE = """
ContainerDetailScreen .dialog { width: 95%; height: 95%; max-width: 100%; max-height: 100%; }
ContainerDetailScreen VerticalScroll { height: 1fr; }
ContainerDetailScreen .section { text-style: bold; color: $accent; padding-top: 1; }
"""
LABEL_WIDTH = 16


def section_text(section: DetailSection) -> Text:
    text = Text()
    for index, (label, value) in enumerate(section.lines):
        if index:
            text.append("\n")
        if label:
            text.append_text(cell(f"{label:>{LABEL_WIDTH}}  ", "bold", max_chars=80))
        text.append(screen_clean(value, max_chars=4000))
    return text


class ContainerDetailScreen(ModalScreen[None]):
    """`docker inspect`, summarized: command, environment, mounts, health check log."""

    DEFAULT_CSS = dialog_css("ContainerDetailScreen", LARGE)
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="detail.close"),
        Binding(
            "l",
            "logs",
            "Logs",
            tooltip="Follow this container's log in the Logs pane",
            id="containers.detail_logs",
        ),
    ]

    def __init__(self, detail: ContainerDetail, row: ContainerRow) -> None:
        super().__init__()
        self.detail = detail
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text.assemble("Container ", cell(self.detail.name)), classes="dialog-title")
            with VerticalScroll(id="container-detail"):
                for section in self.detail.sections:
                    yield Label(Text(section.title), classes="section")
                    yield Static(section_text(section))
            yield Label(Text("l logs · Esc closes · secrets are masked"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def redaction_changed(self) -> None:
        """Redaction was switched (tui/redact.py): the sections are shown again."""
        self.refresh(recompose=True)

    def action_logs(self) -> None:
        self.app.post_message(ContainerLogsRequested(self.row))
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


def target_table(target: Target) -> Text:
    """Engine, compose project and service, and the container(s): what the action is about."""
    rows: list[tuple[str, str, bool]] = [("engine", target.engine, False)]
    if target.project:
        rows.append(("project", target.project, False))
    if target.kind == "container":
        if target.service:
            rows.append(("service", target.service, False))
        rows.append(("container", target.name, True))
    else:
        rows.append(("service", target.name, True))
        rows.append(("containers", ", ".join(target.container_names) or "(none)", False))
    text = Text()
    for label, value, named in rows:
        text.append(f"{label:>10}  ", "bold")
        text.append_text(cell(value, "bold" if named else ""))
        text.append("\n")
    text.rstrip()
    return text


class ConfirmContainerScreen(ConfirmActionScreen):
    """The Kubernetes confirmation, naming an engine, a compose project and a container.

    `typed`: the operator types the container's (or service's) name first.
    """

    def __init__(
        self, target: Target, action_title: str, consequence: str, *, typed: bool, production: bool
    ) -> None:
        ref = ObjectRef(target.engine, target.project, target.kind, target.name)
        super().__init__(ref, action_title, consequence, typed=typed, production=production)
        self.target = target

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(cell(self.action_title), classes="dialog-title")
            yield Label(
                Text(f"PRODUCTION: engine {clean(self.target.engine)}"), id="confirm-production"
            )
            yield Static(target_table(self.target), id="confirm-object", classes="kube-object")
            yield Static(plain(self.consequence))
            if self.typed:
                yield Label(
                    Text.assemble("Type ", cell(self.target.name, "bold"), " to confirm:"),
                    id="confirm-type",
                )
                yield Input(placeholder=clean(self.target.name), id="confirm-name")
            yield Static(Text(""), classes="dialog-error", id="confirm-error")
            yield Label(self._hint(), classes="dialog-hint", id="confirm-hint")
