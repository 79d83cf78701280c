"""Presentation mode (P, --present) and the context labels in the banner.

The console is driven like an operator would (keys, flags); the banner is read back
as it is drawn. Context labels come from a real kubeconfig file and, where podman
can run, a real container engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.style import Style
from rich.text import Text

from tests.conftest import run_coroutine, wait_for
from tests.docker.conftest import Podman, podman  # noqa: F401 (the engine fixture)
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tests.helpers.snapshot_incident import SNAPSHOT_ACTOR, snapshot_incident
from tui.app import WarRoomApp
from tui.cli import build_parser
from tui.config import Settings
from tui.kube_options import KubeOptions
from tui.present import PRESENT_THEME
from tui.timeline.model import EventKind
from tui.timeline.store import TimelineStore
from widgets.banner import render_banner
from widgets.context_labels import (
    PALETTE,
    PRODUCTION_STYLE,
    ContextLabel,
    label_style,
    render_labels,
)
from widgets.host_pane import HostPane
from widgets.timeline_pane import TimelinePane

# No engine on any machine: the banner shows the same labels everywhere.
NO_ENGINE = "unix:///nonexistent/warroom-tests/docker.sock"


def quiet(settings: Settings) -> Settings:
    return replace(settings, docker=replace(settings.docker, host=NO_ENGINE))


@pytest.fixture
def console(settings: Settings, make_incident: Callable[..., Path]) -> Callable[..., WarRoomApp]:
    def make(kube: KubeOptions = NO_CLUSTER, **options: Any) -> WarRoomApp:
        return WarRoomApp(
            quiet(settings), make_incident(), actor="alice@bastion-1",
            sampler_factory=FrozenSampler, kube_options=kube, **options,
        )  # fmt: skip

    return make


def banner_lines(app: WarRoomApp) -> list[str]:
    """The banner as drawn: one string per row."""
    banner = app.console_screen.banner
    console = Console(width=banner.size.width, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(banner.content)
    return console.export_text().splitlines()


def write_kubeconfig(path: Path, *contexts: str) -> Path:
    """A real kubeconfig whose clusters answer nowhere (port 9 on loopback is closed)."""
    lines = ["apiVersion: v1", "kind: Config", f"current-context: {contexts[0]}", "clusters:"]
    for name in contexts:
        lines += [f"- name: {name}", "  cluster:", "    server: https://127.0.0.1:9"]
    lines.append("users:")
    lines += ["- name: operator", "  user:", "    token: not-a-real-token"]
    lines.append("contexts:")
    for name in contexts:
        lines += [f"- name: {name}", "  context:", f"    cluster: {name}", "    user: operator"]
    path.write_text("\n".join(lines) + "\n")
    return path


# -- presentation mode -----------------------------------------------------------------


async def test_p_switches_presentation_mode_on_and_back(console) -> None:
    app = console()
    async with app.run_test(size=(80, 24)) as pilot:
        banner = app.console_screen.banner
        before = app.theme
        assert before != PRESENT_THEME.name and banner.size.height == 1
        await pilot.press("P")
        await wait_for(lambda: banner.size.height == 3, pilot)
        assert app.theme == PRESENT_THEME.name
        assert app.presentation.active
        # The clock in large digits beside the title and the status.
        rows = banner_lines(app)
        assert len(rows) == 3
        assert "Checkout returns 502" in rows[0] and "INVESTIGATING" in rows[1]
        assert any(glyph in "".join(rows) for glyph in "┏┗╺")
        assert any("Presentation mode" in n.message for n in app._notifications)
        await pilot.press("P")
        await wait_for(lambda: banner.size.height == 1, pilot)
        assert app.theme == before and not app.presentation.active
        assert any("Presentation mode off" in n.message for n in app._notifications)


async def test_present_flag_starts_in_presentation_mode(console) -> None:
    app = console(present=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: app.console_screen.banner.size.height == 3, pilot)
        assert app.theme == PRESENT_THEME.name


def test_present_flag_is_a_console_flag_and_demo_passes_it_through() -> None:
    parser = build_parser()
    assert parser.parse_args(["--present"]).present is True
    assert parser.parse_args([]).present is False
    assert parser.parse_args(["demo", "--present"]).present is True


async def test_presentation_mode_is_not_recorded(console) -> None:
    app = console()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.folder is not None and app.folder.last_seq >= 1, pilot)
        before = app.folder.last_seq  # type: ignore[union-attr]
        await pilot.press("P")
        await wait_for(lambda: app.presentation.active, pilot)
        await pilot.press("P")
        await wait_for(lambda: not app.presentation.active, pilot)
        store = await app.wait_for_store()
        events = await store.events(after_seq=before)
        # Host alerts (the frozen host's full disk) come on their own; a redaction switch
        # may record itself. Presentation mode adds nothing.
        assert [e.kind for e in events
                if e.kind != EventKind.HOST_ALERT and "redact" not in e.kind] == []  # fmt: skip


async def test_zoom_in_presentation_mode_keeps_the_banner_on_top(console) -> None:
    app = console()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.console_screen
        await pilot.press("P")
        await wait_for(lambda: screen.banner.size.height == 3, pilot)
        await pilot.press("3", "z")
        await wait_for(lambda: screen.maximized is screen.pane("host"), pilot)
        await pilot.pause(0.1)
        assert screen.banner.region.y == 0 and screen.banner.region.height == 3
        host = screen.pane("host").region
        assert host.y >= 3 and host.height >= 24 - 3 - 1 - 1
        await pilot.press("z")
        await wait_for(lambda: screen.maximized is None, pilot)


async def test_presentation_mode_from_the_command_palette(console) -> None:
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        titles = [c.title for c in app.get_system_commands(app.console_screen)]
        assert "Presentation mode" in titles
        await pilot.press("ctrl+p")
        await pilot.press(*"Presentation mode")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(lambda: app.presentation.active, pilot)


@pytest.mark.parametrize("redacting_before", [False, True])
async def test_redaction_is_on_while_presenting_and_restored_after(
    console, redacting_before: bool
) -> None:
    app = console()
    if not hasattr(app, "set_redaction"):
        pytest.skip("this build has no redaction switch (WarRoomApp.set_redaction)")
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_redaction(redacting_before)  # type: ignore[attr-defined]
        await pilot.press("P")
        await wait_for(lambda: app.presentation.active, pilot)
        assert app.redacting is True  # type: ignore[attr-defined]
        await pilot.press("P")
        await wait_for(lambda: not app.presentation.active, pilot)
        assert app.redacting is redacting_before  # type: ignore[attr-defined]


# -- context labels ----------------------------------------------------------------------


def spans_over(text: Text, word: str) -> list[Style]:
    start = text.plain.index(word)
    return [
        Style.parse(str(span.style)) if isinstance(span.style, str) else span.style
        for span in text.spans
        if span.start <= start < span.end
    ]


async def test_banner_labels_each_context_and_production_is_red_and_says_prod(
    console, tmp_path: Path
) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "shop-prod-eu", "staging", "dev-1")
    kube = KubeOptions(kubeconfig=kubeconfig, contexts=("shop-prod-eu", "staging", "dev-1"))
    app = console(kube)
    async with app.run_test(size=(160, 48)) as pilot:
        banner = app.console_screen.banner
        await wait_for(lambda: len(banner.contexts) == 3, pilot)
        assert [(c.name, c.production) for c in banner.contexts] == [
            ("shop-prod-eu", True), ("staging", False), ("dev-1", False)
        ]  # fmt: skip
        await pilot.pause(0.1)
        text = banner.content
        assert isinstance(text, Text)
        plain = text.plain
        assert "PROD k8s:shop-prod-eu" in plain
        assert "k8s:staging" in plain and "k8s:dev-1" in plain
        assert "PROD k8s:staging" not in plain
        red = Style.parse(PRODUCTION_STYLE)
        assert red in spans_over(text, "PROD k8s:shop-prod-eu")
        staging = spans_over(text, "k8s:staging")
        assert red not in staging
        assert Style.parse(label_style(ContextLabel("kube", "staging"))) in staging
        # In presentation mode the labels have a row of their own.
        await pilot.press("P")
        await wait_for(lambda: banner.size.height == 3, pilot)
        assert "PROD k8s:shop-prod-eu" in banner_lines(app)[2]


async def test_the_production_patterns_come_from_the_settings(
    settings: Settings, make_incident: Callable[..., Path], tmp_path: Path
) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", "blue-cluster", "green-cluster")
    tuned = quiet(settings)
    tuned = replace(tuned, kube=replace(tuned.kube, production_contexts=("green-*",)))
    kube = KubeOptions(kubeconfig=kubeconfig, contexts=("blue-cluster", "green-cluster"))
    app = WarRoomApp(tuned, make_incident(), sampler_factory=FrozenSampler, kube_options=kube)
    async with app.run_test(size=(160, 48)) as pilot:
        banner = app.console_screen.banner
        await wait_for(lambda: len(banner.contexts) == 2, pilot)
        assert [(c.name, c.production) for c in banner.contexts] == [
            ("blue-cluster", False), ("green-cluster", True)
        ]  # fmt: skip


async def test_the_engine_has_a_label_too(
    settings: Settings,
    make_incident: Callable[..., Path],
    podman: Podman,  # noqa: F811
) -> None:
    tuned = replace(settings, docker=replace(settings.docker, host=podman.url,
                                             production_hosts=("*",)))  # fmt: skip
    app = WarRoomApp(tuned, make_incident(), sampler_factory=FrozenSampler, kube_options=NO_CLUSTER)
    async with app.run_test(size=(160, 48)) as pilot:
        banner = app.console_screen.banner
        await wait_for(lambda: any(c.kind == "docker" for c in banner.contexts), pilot, within=30)
        (engine,) = banner.contexts
        assert engine.production and engine.name == app.docker_flow.engine.info.name  # type: ignore[union-attr]
        await pilot.pause(1.1)  # the next banner tick draws it
        assert f"PROD docker:{engine.name[:20]}" in banner.content.plain  # type: ignore[union-attr]


def labels() -> list[ContextLabel]:
    return [
        ContextLabel("kube", "payments-prod-eu-west-1", production=True),
        ContextLabel("kube", "payments-staging-eu-west-1"),
        ContextLabel("docker", "bastion-compose-host"),
    ]


def test_labels_fit_an_80_column_banner_and_production_survives(make_incident) -> None:
    path = make_incident(title="Checkout returns 502 for every customer in the EU")
    state = run_coroutine(state_of(path))
    now = state.incident.started_at + timedelta(minutes=3)
    line = render_banner(state, now, width=80, contexts=labels())
    assert line.cell_len == 80
    plain = line.plain
    # The production label (cut, but never dropped) and the room's essentials.
    assert "PROD payme" in plain
    assert "INVESTIGATING" in plain and "0:03:00" in plain and "ACK due" in plain
    assert "P1" in plain and "Checkout" in plain
    # Plenty of room: every label in full.
    wide = render_banner(state, now, width=240, contexts=labels()).plain
    assert "PROD k8s:payments-prod-eu-west-1" in wide
    assert "k8s:payments-staging-eu-west-1" in wide and "docker:bastion-compose-host" in wide


async def state_of(path: Path) -> Any:
    store = await TimelineStore.open(path)
    try:
        return await store.state()
    finally:
        await store.close()


@pytest.mark.parametrize("width", [60, 40, 30, 20, 16, 12, 8])
def test_labels_shrink_names_then_count_the_rest_but_keep_prod(width: int) -> None:
    shown = render_labels(labels(), width, compact=True)
    assert shown.cell_len <= width
    assert shown.plain.lstrip().startswith("PRO")
    if width >= 40:
        assert "+" not in shown.plain  # names are cut before labels are dropped
    if 16 <= width < 30:
        assert "PROD" in shown.plain and "+" in shown.plain


def test_a_context_name_is_never_markup() -> None:
    shown = render_labels([ContextLabel("kube", "[red]x[/]")], 40)
    assert "[red]x[/]" in shown.plain


def test_colours_are_stable_across_processes_and_never_red() -> None:
    names = ["staging", "dev-1", "payments-eu", "kind-kind", "minikube", "ci", "qa", "lab"]
    here = [label_style(ContextLabel("kube", n)) for n in names]
    # Another interpreter with another string-hash seed picks the same colours.
    code = (
        "import sys; from widgets.context_labels import ContextLabel, label_style;"
        "print('|'.join(label_style(ContextLabel('kube', n)) for n in sys.argv[1:]))"
    )
    root = Path(__file__).resolve().parents[1]
    for seed in ("1", "2"):
        out = subprocess.run(
            [sys.executable, "-c", code, *names], capture_output=True, text=True, check=True,
            cwd=root, env={**os.environ, "PYTHONHASHSEED": seed},
        )  # fmt: skip
        assert out.stdout.strip().split("|") == here
    assert len(set(here)) >= 3  # names spread over the palette
    assert all(style in PALETTE and "red" not in style for style in here)
    assert label_style(ContextLabel("kube", "staging", production=True)) == PRODUCTION_STYLE


# -- snapshots ---------------------------------------------------------------------------


@pytest.fixture
def presenting_app(
    settings: Settings, make_incident: Callable[..., Path]
) -> Callable[[], WarRoomApp]:
    """test_snapshots' incident (ten minutes in, a few events, a frozen host), shown in
    presentation mode with two contexts asked for (one production) and no engine."""
    path, clock = snapshot_incident(make_incident)
    kube = replace(NO_CLUSTER, contexts=("shop-prod-eu", "staging"))

    def make() -> WarRoomApp:
        return WarRoomApp(
            quiet(settings), path, actor=SNAPSHOT_ACTOR, clock=clock,
            sampler_factory=FrozenSampler, kube_options=kube, present=True,
        )  # fmt: skip

    return make


async def settled(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot)
    screen = app.console_screen
    await wait_for(lambda: screen.query_one(TimelinePane).table.row_count >= 4, pilot)
    await wait_for(lambda: screen.query_one(HostPane)._last is not None, pilot)
    await wait_for(lambda: screen.banner.size.height == 3, pilot)
    app.clear_notifications()  # the picture is of the console, not of the notices over it
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_presentation_mode_picture(snap_compare, presenting_app, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(presenting_app(), terminal_size=size, run_before=settled)
