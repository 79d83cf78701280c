"""The fault campaign's fixtures: one drill cluster per module, healed after each test,
and the real console pointed at it."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import wait_for
from tests.docker.conftest import containers, podman  # noqa: F401  (this folder's own engine)
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler
from tests.sim.conftest import Drill, running_drill
from tui.app import WarRoomApp
from tui.config import Settings
from tui.kube_session import KubeOptions
from tui.screens.console import ConsoleScreen
from tui.screens.dialogs import NoteDialog
from tui.sim.resources import PODS
from widgets.pods_pane import PodsPane
from widgets.timeline_pane import TimelinePane


@pytest.fixture(scope="module")
def shared_drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    with running_drill(tmp_path_factory.mktemp("faults") / "kubeconfig") as started:
        yield started


@pytest.fixture
def drill(shared_drill: Drill) -> Iterator[Drill]:
    """The module's cluster; every injected error and latency healed after each test."""
    yield shared_drill
    shared_drill.heal()


@pytest.fixture
def console(settings: Settings, make_incident: Callable[..., Path]) -> Callable[..., WarRoomApp]:
    """The real console: on a drill (`drill=`), on the incident file `path=`; `tuned`
    replaces settings sections, other keywords go to WarRoomApp."""

    def make(
        drill: Drill | None = None, *, path: Path | None = None, actor: str = "alice@bastion-1",
        tuned: dict[str, Any] | None = None, **options: Any,
    ) -> WarRoomApp:  # fmt: skip
        kube = (
            KubeOptions(kubeconfig=drill.kubeconfig, contexts=("warroom-drill",),
                        all_namespaces=True)
            if drill is not None
            else NO_CLUSTER
        )  # fmt: skip
        # Metrics are polled often so a fault's trace on them clears quickly after healing.
        kube_settings = replace(settings.kube, update_seconds=0.1, metrics_seconds=1.0)
        fast = replace(settings, kube=kube_settings, **(tuned or {}))
        options.setdefault("sampler_factory", FrozenSampler)
        return WarRoomApp(fast, path or make_incident(), actor=actor, kube_options=kube,
                          **options)  # fmt: skip

    return make


def events(path: Path, kind: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind, text, data) of every event in the file, in order."""
    with sqlite3.connect(path) as db:
        found = db.execute("SELECT kind, text, data FROM events ORDER BY seq").fetchall()
    return [(k, t, json.loads(d)) for k, t, d in found if kind is None or k == kind]


def notes(path: Path) -> list[str]:
    return [text for _, text, _ in events(path, "note")]


async def started(pilot: Any, app: WarRoomApp) -> None:
    """Wait until the console screen is up (its panes can be queried)."""
    await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot, within=30)


async def add_note(pilot: Any, app: WarRoomApp, text: str) -> None:
    """Write a note with the keys an operator uses; wait until the file holds it.

    Also the proof that the console still answers keys during a fault."""
    await pilot.press("n")
    await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
    await pilot.press(*text, "enter")
    await wait_for(lambda: isinstance(app.screen, ConsoleScreen), pilot)
    await wait_for(lambda: text in notes(app.db_path), pilot)


def pods_pane(app: WarRoomApp) -> PodsPane:
    return app.console_screen.query_one(PodsPane)


def shown_pods(app: WarRoomApp) -> list[tuple[str, str]]:
    """(namespace, name) of every row of the Pods view, duplicates kept."""
    rows = pods_pane(app).pods.rows.values()
    return sorted((row.namespace, row.name) for row in rows)


def served_pods(drill: Drill) -> list[tuple[str, str]]:
    """(namespace, name) of every pod the cluster holds."""

    def read() -> list[tuple[str, str]]:
        found = drill.cluster.store.items(PODS)
        return sorted((p["metadata"]["namespace"], p["metadata"]["name"]) for p in found)

    return drill.call(read)


def pods_status(app: WarRoomApp) -> str:
    return pods_pane(app).status_text


async def pods_live_and_complete(pilot: Any, app: WarRoomApp, drill: Drill) -> None:
    """The Pods pane says live and shows exactly the cluster's pods, each once."""

    await started(pilot, app)

    def complete() -> bool:
        shown = shown_pods(app)
        rows_drawn = pods_pane(app).pods.table.row_count
        return (
            pods_status(app) == "live"
            and shown == served_pods(drill) == sorted(shown)
            and (rows_drawn == len(shown))
        )

    await wait_for(complete, pilot, within=60)
