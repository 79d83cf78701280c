"""Dialogs before a cluster changes: confirm, pick a revision, a replica count, contexts.

Each returns its answer through `dismiss` and never acts: the app calls the API
and records the outcome. Esc always cancels. Names shown come from the cluster
or the kubeconfig and go through `tui.safetext` like any untrusted text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from tui.safetext import cell, clean, plain
from tui.screens.deliberate import DeliberateKeys
from tui.screens.dialogs import dialog_css
from tui.sources.kube.actions import ObjectRef, Revision
from tui.sources.podstatus import human_duration

MAX_REPLICAS = 1000
# The object an action is about stands apart from what follows it.
OBJECT_CSS = "SCREEN .kube-object { padding-bottom: 1; }"


def kube_dialog_css(screen_class: str, extra: str = "") -> str:
    return dialog_css(screen_class, OBJECT_CSS.replace("SCREEN", screen_class) + extra)


def object_table(ref: ObjectRef) -> Text:
    """Context, namespace, kind and name, one per line: what the action is about."""
    text = Text()
    for label, value in (("context", ref.context), ("namespace", ref.namespace or "-"),
                         ("kind", ref.kind), ("name", ref.name)):  # fmt: skip
        text.append(f"{label:>10}  ", "bold")
        text.append_text(cell(value, "bold" if label == "name" else ""))
        text.append("\n")
    text.rstrip()
    return text


class ConfirmActionScreen(DeliberateKeys, ModalScreen[bool]):
    """Names the object and what will happen; True only on an explicit yes.

    `typed`: the operator must type the object's name exactly first (for what
    cannot be undone, or in production). `production`: the box is red.
    """

    DEFAULT_CSS = kube_dialog_css(
        "ConfirmActionScreen",
        """
    ConfirmActionScreen.-production .dialog { border: thick $error; }
    ConfirmActionScreen #confirm-production {
        display: none; background: $error; color: $text; text-style: bold; padding: 0 1;
    }
    ConfirmActionScreen.-production #confirm-production { display: block; }
    ConfirmActionScreen #confirm-object { padding: 1 0; }
    ConfirmActionScreen #confirm-type { padding-top: 1; }
    """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("n", "cancel", "No", id="confirm.no"),
        Binding("enter", "confirm", "Confirm", id="confirm.accept"),
        Binding("y", "confirm", "Yes", id="confirm.yes"),
    ]

    def __init__(
        self, ref: ObjectRef, action_title: str, consequence: str, *, typed: bool, production: bool
    ) -> None:
        super().__init__(classes="-production" if production else "")
        self.ref = ref
        self.action_title = action_title
        self.consequence = consequence
        self.typed = typed
        self.production = production

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(cell(self.action_title), classes="dialog-title")
            yield Label(
                Text(f"PRODUCTION: context {clean(self.ref.context)}"), id="confirm-production"
            )
            yield Static(object_table(self.ref), id="confirm-object", classes="kube-object")
            yield Static(plain(self.consequence))
            if self.typed:
                yield Label(
                    Text.assemble("Type ", cell(self.ref.name, "bold"), " to confirm:"),
                    id="confirm-type",
                )
                yield Input(placeholder=clean(self.ref.name), id="confirm-name")
            yield Static(Text(""), classes="dialog-error", id="confirm-error")
            yield Label(self._hint(), classes="dialog-hint", id="confirm-hint")

    def on_mount(self) -> None:
        if self.typed:
            self.query_one("#confirm-name", Input).focus()

    @property
    def allowed(self) -> bool:
        return not self.typed or self.query_one("#confirm-name", Input).value == self.ref.name

    def _hint(self) -> Text:
        if not self.typed:
            return Text("Enter or y confirms · Esc or n cancels")
        if self.is_mounted and self.allowed:
            return Text("The name matches: Enter confirms · Esc cancels")
        return Text("Type the name, then Enter confirms · Esc cancels")

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.query_one("#confirm-hint", Label).update(self._hint())
        self.query_one("#confirm-error", Static).update(Text(""))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if not self.allowed:
            self.query_one("#confirm-error", Static).update(
                Text.assemble("Type ", cell(self.ref.name), " exactly to confirm.")
            )
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


def _revision_label(revision: Revision, now: datetime) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{revision.number:>4}  ", "bold")
    text.append_text(cell(", ".join(revision.images) or "-", "cyan"))
    if revision.change_cause:
        text.append("  ")
        text.append_text(cell(revision.change_cause, "italic"))
    if revision.created is not None:
        age = human_duration((now - revision.created).total_seconds())
        text.append(f"  {age} ago", "dim")
    if revision.current:
        text.append("  (current)", "bold green")
    return text


class RevisionPickerScreen(ModalScreen[int | None]):
    """`rollout history`, newest first: the revision to roll back to (not the current one)."""

    DEFAULT_CSS = kube_dialog_css(
        "RevisionPickerScreen", "RevisionPickerScreen .dialog { width: 100; }"
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(
        self,
        ref: ObjectRef,
        revisions: Sequence[Revision],
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__()
        self.ref = ref
        self.revisions = sorted(revisions, key=lambda r: r.number, reverse=True)
        self._now = (clock or (lambda: datetime.now(UTC)))()

    def compose(self) -> ComposeResult:
        options = [
            Option(_revision_label(r, self._now), id=str(r.number), disabled=r.current)
            for r in self.revisions
        ]
        with Vertical(classes="dialog"):
            what = cell(f"{self.ref.kind.lower()}/{self.ref.name}")
            title = Text.assemble("Roll back ", what, " to which revision?")
            yield Label(title, classes="dialog-title")
            yield Static(object_table(self.ref), classes="kube-object")
            if any(not r.current for r in self.revisions):
                yield OptionList(*options, id="revisions")
            else:
                yield Static(Text("No earlier revision to roll back to.", style="bold yellow"))
            yield Static(Text(""), classes="dialog-error", id="revision-error")
            yield Label(Text("Enter chooses · Esc cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        found = self.query("#revisions")
        if found:
            option_list = found.first(OptionList)
            option_list.highlighted = next(
                (i for i, r in enumerate(self.revisions) if not r.current), None
            )
            option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        number = int(event.option.id or 0)
        chosen = next((r for r in self.revisions if r.number == number), None)
        if chosen is None or chosen.current:
            self.query_one("#revision-error", Static).update(
                Text(f"Revision {number} is the current one: choose another.")
            )
            return
        self.dismiss(number)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScaleScreen(ModalScreen[int | None]):
    """A replica count: a whole number from 0 to 1000."""

    DEFAULT_CSS = kube_dialog_css("ScaleScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, ref: ObjectRef, current: int) -> None:
        super().__init__()
        self.ref = ref
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text.assemble("Scale ", cell(f"{self.ref.kind.lower()}/{self.ref.name}")),
                        classes="dialog-title")  # fmt: skip
            yield Static(object_table(self.ref), classes="kube-object")
            yield Label(Text(f"Replicas (now {self.current}):"))
            yield Input(value=str(self.current), id="replicas")
            yield Static(Text(""), classes="dialog-error", id="scale-error")
            yield Label(Text("Enter scales · Esc cancels"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#replicas", Input).focus()

    @staticmethod
    def parse(value: str) -> int | str:
        """The replica count, or why `value` is not one."""
        text = value.strip()
        if not text.isdigit():
            return f"Enter a whole number of replicas from 0 to {MAX_REPLICAS}."
        replicas = int(text)
        if replicas > MAX_REPLICAS:
            return f"{replicas} is more than {MAX_REPLICAS} replicas: enter 0 to {MAX_REPLICAS}."
        return replicas

    def on_input_changed(self, event: Input.Changed) -> None:
        replicas = self.parse(event.value)
        warning = ""
        if replicas == 0:
            warning = "0 replicas stops every pod of it."
        self.query_one("#scale-error", Static).update(Text(warning))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        replicas = self.parse(event.value)
        if isinstance(replicas, str):
            self.query_one("#scale-error", Static).update(Text(replicas))
            return
        self.dismiss(replicas)

    def action_cancel(self) -> None:
        self.dismiss(None)


# The "every namespace" entry: a value no namespace can have (names are DNS labels).
ALL_NAMESPACES = "all namespaces"


class ChoiceListScreen(ModalScreen[str | list[str] | None]):
    """Pick contexts (`multiple`: space toggles, Enter confirms; returns a list in the
    options' order) or one value, e.g. a namespace (type to narrow, Enter picks; returns
    the str). `selected` is preselected and marked with `marker`. ALL_NAMESPACES among
    the options is shown as the special entry it is."""

    DEFAULT_CSS = dialog_css(
        "ChoiceListScreen",
        """
    ChoiceListScreen SelectionList { height: auto; max-height: 16; }
    ChoiceListScreen OptionList { height: auto; max-height: 16; }
    """,
    )
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        # In a SelectionList Enter would toggle; here it means "done".
        Binding("enter", "confirm", "Confirm", priority=True, id="list.confirm"),
        Binding("down", "move(1)", "Down", show=False, id="list.down"),
        Binding("up", "move(-1)", "Up", show=False, id="list.up"),
    ]

    def __init__(
        self,
        title: str,
        options: Sequence[str],
        selected: set[str] | frozenset[str],
        *,
        multiple: bool,
        marker: str | None = "(current)",
    ) -> None:
        super().__init__()
        self._title = title
        self.options = list(options)
        self.selected = set(selected)
        self.multiple = multiple
        self.marker = marker
        self._shown: list[str] = []  # values of the options on screen, in order

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(cell(self._title), classes="dialog-title")
            if self.multiple:
                yield SelectionList[str](
                    *(Selection(self._label(name, marked=False), name, name in self.selected)
                      for name in self.options),
                    id="choices",
                )  # fmt: skip
                hint = "Space toggles · Enter confirms · Esc cancels"
            else:
                yield Input(placeholder="type to narrow the list", id="choice-filter")
                yield OptionList(id="choices")
                hint = "Type to narrow · ↑↓ choose · Enter picks · Esc cancels"
            yield Static(Text(""), classes="dialog-error", id="choice-error")
            yield Label(Text(hint), classes="dialog-hint")

    def on_mount(self) -> None:
        if self.multiple:
            self.query_one(SelectionList).focus()
        else:
            self._fill("")
            self.query_one("#choice-filter", Input).focus()

    def _fill(self, typed: str) -> None:
        word = typed.strip().lower()
        shown = [name for name in self.options if word in name.lower()]
        self._shown = shown
        option_list = self.query_one("#choices", OptionList)
        option_list.set_options(
            Option(self._label(value), id=f"choice-{index}") for index, value in enumerate(shown)
        )
        current = next((i for i, v in enumerate(shown) if v in self.selected), 0)
        option_list.highlighted = current if shown else None

    def _label(self, value: str, *, marked: bool = True) -> Text:
        text = Text(value, style="italic") if value == ALL_NAMESPACES else cell(value)
        if marked and self.marker and value in self.selected:
            text.append(f" {self.marker}", "dim")
        return text

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Up and down move the list from the filter field; in the list they are its own.
        if action == "move":
            return not self.multiple and isinstance(self.focused, Input)
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if not self.multiple:
            event.stop()
            self.action_confirm()

    def action_move(self, step: int) -> None:
        option_list = self.query_one("#choices", OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_confirm(self) -> None:
        if self.multiple:
            chosen = list(self.query_one(SelectionList).selected)
            if not chosen:
                self.query_one("#choice-error", Static).update(Text("Choose at least one."))
                return
            self.dismiss([name for name in self.options if name in chosen])
            return
        index = self.query_one("#choices", OptionList).highlighted
        if index is None or not 0 <= index < len(self._shown):
            self.query_one("#choice-error", Static).update(Text("Nothing matches."))
            return
        self.dismiss(self._shown[index])

    def action_cancel(self) -> None:
        self.dismiss(None)
