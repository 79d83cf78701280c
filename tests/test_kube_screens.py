"""The Kubernetes screens driven with Pilot: pod detail, YAML, and the dialogs that
stand between an operator and a change to a cluster."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from textual import events
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

from tests.helpers.fixed import T0
from tests.helpers.kube_objects import event, pod
from tui.screens.kube_screens import (
    ALL_NAMESPACES,
    ChoiceListScreen,
    ConfirmActionScreen,
    PodDetailScreen,
    RevisionPickerScreen,
    ScaleScreen,
    YamlScreen,
)
from tui.sources.kube.actions import ObjectRef, Revision
from tui.sources.kube.rows import PodRow
from widgets.kube_requests import LogsRequested

REF = ObjectRef("prod-eu", "payments", "Deployment", "api")


class ScreenApp(App[None]):
    """Shows one screen and keeps what it returns, and any logs it asks for."""

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.first = screen
        self.results: list[Any] = []
        self.logs: list[LogsRequested] = []

    def on_mount(self) -> None:
        self.push_screen(self.first, self.results.append)

    def on_logs_requested(self, message: LogsRequested) -> None:
        self.logs.append(message)


def text_of(screen: Screen[Any]) -> str:
    """Everything the screen's Static widgets (and labels) hold, as plain text."""
    console = Console(width=200, record=True, file=io.StringIO(), color_system=None)
    for widget in screen.query(Static):
        content = widget.content
        console.print(Text(content) if isinstance(content, str) else content)
    return console.export_text()


def crashing_pod() -> dict[str, Any]:
    return pod(
        "api-7f8d9c-ccccc",
        "payments",
        status="CrashLoopBackOff",
        restarts=5,
        message="back-off 5m0s restarting failed container=api",
    )


def detail(**changes: Any) -> PodDetailScreen:
    events = [
        event("api-7f8d9c-ccccc", "payments", count=12, last_seen=T0 - timedelta(seconds=20)),
        event(
            "api-7f8d9c-ccccc",
            "payments",
            reason="Pulled",
            type="Normal",
            message="Container image already present on machine",
            last_seen=T0 - timedelta(minutes=9),
        ),
    ]
    owners = [
        ObjectRef("prod", "payments", "Pod", "api-7f8d9c-ccccc"),
        ObjectRef("prod", "payments", "ReplicaSet", "api-7f8d9c"),
        ObjectRef("prod", "payments", "Deployment", "api"),
    ]
    options = {"pod": crashing_pod(), "events": events, "owners": owners, "context": "prod"}
    options.update(changes)
    return PodDetailScreen(**options, clock=lambda: T0)


# -- pod detail and YAML ---------------------------------------------------------------------


async def test_pod_detail_shows_what_describe_shows() -> None:
    app = ScreenApp(detail())
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        shown = text_of(app.screen)
        for expected in (
            "context    prod",
            "node       node-1",
            "IP         10.244.1.17",
            "QoS        Burstable",
            "status     CrashLoopBackOff",
            "pod api-7f8d9c-ccccc → ReplicaSet api-7f8d9c → Deployment api",
            "registry.local/web:1.4.2",
            "Waiting: CrashLoopBackOff (back-off 5m0s restarting failed container=api)",
            "restarts 5",
            "Terminated: Error, exit code 1, finished 2m ago",
            "requests cpu 100m, memory 128Mi; limits memory 256Mi",
            "Ready",
            "Warning  BackOff  20s ago  ×12  Back-off restarting failed container",
        ):
            assert expected in shown, expected
        # Newest first.
        assert shown.index("BackOff  20s ago") < shown.index("Pulled   9m ago")


async def test_y_toggles_the_pods_yaml() -> None:
    app = ScreenApp(detail())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, PodDetailScreen)
        assert not screen.showing_yaml
        await pilot.press("y")
        assert screen.showing_yaml
        yaml_shown = str(screen.query_one("#yaml-text", Static).render())
        assert "apiVersion: v1" in yaml_shown
        assert "name: api-7f8d9c-ccccc" in yaml_shown
        await pilot.press("y")
        assert not screen.showing_yaml
        await pilot.press("escape")
        assert app.results == [None]


async def test_owner_chain_starts_with_the_pod_whether_given_or_not() -> None:
    owners = [
        ObjectRef("prod", "payments", "ReplicaSet", "api-7f8d9c"),
        ObjectRef("prod", "payments", "Deployment", "api"),
    ]
    app = ScreenApp(detail(owners=owners))
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        assert "pod api-7f8d9c-ccccc → ReplicaSet api-7f8d9c → Deployment api" in text_of(
            app.screen
        )


@pytest.mark.parametrize(("key", "previous"), [("l", False), ("p", True)])
async def test_logs_keys_ask_the_app_for_the_pods_logs(key: str, previous: bool) -> None:
    app = ScreenApp(detail())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        assert len(app.logs) == 1
        row = app.logs[0].row
        assert isinstance(row, PodRow)
        assert (row.context, row.namespace, row.name) == ("prod", "payments", "api-7f8d9c-ccccc")
        assert app.logs[0].previous is previous
        assert app.results == [None]  # closed, so the Logs pane shows


async def test_pod_detail_shows_markup_and_control_characters_literally() -> None:
    sneaky = pod(
        "[red]x[/]",
        "payments",
        status="CrashLoopBackOff",
        restarts=1,
        message="\x1b[2J[bold]boom[/bold]",
    )
    app = ScreenApp(detail(pod=sneaky, events=[], owners=[]))
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.pause()
        shown = text_of(app.screen)
        assert "[red]x[/]" in shown
        assert "␛[2J[bold]boom[/bold]" in shown
        assert "no events" in shown
        assert "pod [red]x[/] (no owner: nothing recreates it if it goes)" in shown
        await pilot.press("y")
        assert "name: '[red]x[/]'" in str(app.screen.query_one("#yaml-text", Static).render())


async def test_yaml_screen_shows_cleaned_text() -> None:
    app = ScreenApp(YamlScreen("deployment/[b]api", "kind: Deployment\nnote: \x07bell [i]x[/i]\n"))
    async with app.run_test(size=(100, 30)) as pilot:
        shown = text_of(app.screen)
        assert "note: ␇bell [i]x[/i]" in shown
        assert "deployment/[b]api" in str(app.screen.query_one(".dialog-title").render())
        await pilot.press("escape")
        assert app.results == [None]


# -- confirmation ------------------------------------------------------------------------------


async def test_confirmation_names_the_object_and_needs_the_typed_name() -> None:
    screen = ConfirmActionScreen(
        REF,
        "Restart deployment api?",
        "Every pod of api is replaced.",
        typed=True,
        production=True,
    )
    app = ScreenApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        shown = text_of(app.screen)
        for expected in (
            "context  prod-eu",
            "namespace  payments",
            "kind  Deployment",
            "name  api",
            "Every pod of api is replaced.",
        ):
            assert expected in shown, expected
        assert app.screen.has_class("-production")
        await pilot.press("enter", "y")  # typed into the field: nothing confirmed
        assert app.results == []
        await pilot.press("backspace", *"ap", "enter")
        assert app.results == []
        assert "exactly" in str(app.screen.query_one("#confirm-error", Static).render())
        await pilot.press("i", "enter")
        assert app.results == [True]


async def test_confirmation_cancels_with_escape_and_n() -> None:
    for keys in (["escape"], ["n"]):
        screen = ConfirmActionScreen(
            REF, "Scale?", "api goes to 4 replicas.", typed=False, production=False
        )
        app = ScreenApp(screen)
        async with app.run_test(size=(100, 30)) as pilot:
            assert not app.screen.has_class("-production")
            await pilot.press(*keys)
            assert app.results == [False]


async def test_untyped_confirmation_confirms_with_y_or_enter() -> None:
    for key in ("y", "enter"):
        screen = ConfirmActionScreen(
            REF, "Scale?", "api goes to 4 replicas.", typed=False, production=False
        )
        app = ScreenApp(screen)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press(key)
            assert app.results == [True]


# -- revisions -----------------------------------------------------------------------------------


def revisions() -> list[Revision]:
    def revision(number: int, image: str, cause: str, hours: int, current: bool) -> Revision:
        return Revision(
            number, f"api-{number}", (image,), cause, T0 - timedelta(hours=hours), {}, current
        )

    return [
        revision(3, "registry.local/api:1.4.2", "", 30, False),
        revision(5, "registry.local/api:1.5.0-typo", "deploy 1.5.0", 1, True),
        revision(4, "registry.local/api:1.4.3", "hotfix [DB-12]", 5, False),
    ]


async def test_revision_picker_lists_newest_first_and_returns_the_choice() -> None:
    app = ScreenApp(RevisionPickerScreen(REF, revisions(), clock=lambda: T0))
    async with app.run_test(size=(110, 30)) as pilot:
        option_list = app.screen.query_one(OptionList)
        prompts = [str(option_list.get_option_at_index(i).prompt) for i in range(3)]
        assert prompts[0].startswith("   5  registry.local/api:1.5.0-typo  deploy 1.5.0  60m ago")
        assert prompts[0].endswith("(current)")
        assert "hotfix [DB-12]" in prompts[1]
        assert option_list.highlighted == 1  # the newest that is not current
        await pilot.press("down", "enter")
        assert app.results == [3]


async def test_revision_picker_refuses_the_current_revision() -> None:
    app = ScreenApp(RevisionPickerScreen(REF, revisions(), clock=lambda: T0))
    async with app.run_test(size=(110, 30)) as pilot:
        option_list = app.screen.query_one(OptionList)
        assert option_list.get_option_at_index(0).disabled
        await pilot.press("up", "up", "enter")  # the cursor skips the current one
        assert app.results == [4]
    # Even if the current one were selected, it is refused.
    app = ScreenApp(RevisionPickerScreen(REF, revisions(), clock=lambda: T0))
    async with app.run_test(size=(110, 30)) as pilot:
        option_list = app.screen.query_one(OptionList)
        option = option_list.get_option_at_index(0)
        option_list.post_message(OptionList.OptionSelected(option_list, option, 0))
        await pilot.pause()
        assert app.results == []
        assert "current" in str(app.screen.query_one("#revision-error", Static).render())
        await pilot.press("escape")
        assert app.results == [None]


async def test_revision_picker_with_no_earlier_revision_says_so() -> None:
    only = [r for r in revisions() if r.current]
    app = ScreenApp(RevisionPickerScreen(REF, only, clock=lambda: T0))
    async with app.run_test(size=(110, 30)) as pilot:
        assert not app.screen.query(OptionList)
        assert "No earlier revision" in text_of(app.screen)
        await pilot.press("enter", "escape")
        assert app.results == [None]


# -- scale ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "whole number"),
        ("abc", "whole number"),
        ("-1", "whole number"),
        ("2.5", "whole number"),
        ("1001", "more than 1000"),
    ],
)
async def test_scale_dialog_refuses_what_is_not_a_replica_count(typed: str, error: str) -> None:
    app = ScreenApp(ScaleScreen(REF, 3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("backspace", *typed, "enter")
        assert app.results == []
        assert error in str(app.screen.query_one("#scale-error", Static).render())


async def test_scale_dialog_returns_the_count_and_warns_about_zero() -> None:
    app = ScreenApp(ScaleScreen(REF, 3))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.screen.query_one(Input).value == "3"
        await pilot.press("backspace", "0")
        assert "stops every pod" in str(app.screen.query_one("#scale-error", Static).render())
        await pilot.press("backspace", "1", "2", "enter")
        assert app.results == [12]
    app = ScreenApp(ScaleScreen(REF, 3))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")
        assert app.results == [None]


# -- contexts and namespaces ------------------------------------------------------------------


async def test_namespace_choice_narrows_as_you_type_and_offers_all() -> None:
    options = [ALL_NAMESPACES, "default", "payments", "kube-system", "[red]web"]
    app = ScreenApp(ChoiceListScreen("Namespace", options, {"payments"}, multiple=False))
    async with app.run_test(size=(100, 30)) as pilot:
        option_list = app.screen.query_one(OptionList)
        prompts = [str(option_list.get_option_at_index(i).prompt) for i in range(5)]
        assert prompts == [
            "all namespaces",
            "default",
            "payments (current)",
            "kube-system",
            "[red]web",
        ]
        assert option_list.highlighted == 2  # the current one
        await pilot.press(*"WE", "enter")
        assert app.results == ["[red]web"]
    app = ScreenApp(ChoiceListScreen("Namespace", options, {"payments"}, multiple=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("up", "up", "enter")
        assert app.results == [ALL_NAMESPACES]
    app = ScreenApp(
        ChoiceListScreen("Scenario", ["healthy", "oom"], {"healthy"}, multiple=False, marker=None)
    )
    async with app.run_test(size=(100, 30)) as pilot:
        option_list = app.screen.query_one(OptionList)
        assert str(option_list.get_option_at_index(0).prompt) == "healthy"  # no marker
        await pilot.press(*"nothing", "enter")
        assert app.results == []
        assert "Nothing matches" in str(app.screen.query_one("#choice-error", Static).render())
        await pilot.press("escape")
        assert app.results == [None]


async def test_context_choice_toggles_several_and_needs_one() -> None:
    screen = ChoiceListScreen(
        "Contexts", ["prod-eu", "prod-us", "staging"], {"prod-eu"}, multiple=True
    )
    app = ScreenApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down", "space", "enter")
        assert app.results == [["prod-eu", "prod-us"]]
    app = ScreenApp(ChoiceListScreen("Contexts", ["prod-eu"], {"prod-eu"}, multiple=True))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "enter")
        assert app.results == []
        assert "at least one" in str(app.screen.query_one("#choice-error", Static).render())
        await pilot.press("escape")
        assert app.results == [None]


# -- pictures ----------------------------------------------------------------------------------


def test_pod_detail_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(ScreenApp(detail()), terminal_size=(80, 24))


def test_production_typed_confirmation_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    screen = ConfirmActionScreen(
        REF,
        "Roll back deployment api to revision 4?",
        "The pods of api are replaced by revision 4 (registry.local/api:1.4.3), a few at a time.",
        typed=True,
        production=True,
    )

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*"ap")

    assert snap_compare(ScreenApp(screen), terminal_size=(80, 24), run_before=run)


async def test_a_confirmation_ignores_keys_pressed_before_it_was_shown() -> None:
    # A "y" typed ahead while the console was busy, handled only once the
    # confirmation is up, must not answer it.
    typed_ahead = events.Key("y", "y")
    screen = ConfirmActionScreen(REF, "Restart?", "api restarts.", typed=False, production=False)
    app = ScreenApp(screen)
    async with app.run_test(size=(100, 30)) as pilot:
        app.post_message(typed_ahead)
        await pilot.pause()
        assert app.results == [] and app.screen is screen
        await pilot.press("y")
        assert app.results == [True]
