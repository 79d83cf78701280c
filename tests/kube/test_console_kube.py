"""The real console on a drill cluster: the Pods pane, actions and their records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import wait_for
from tests.helpers.fixed import FrozenSampler
from tests.kube.conftest import Drill
from tui.app import WarRoomApp
from tui.config import Settings
from tui.kube_session import KubeOptions
from tui.screens.kube_screens import (
    ChoiceListScreen,
    ConfirmActionScreen,
    RevisionPickerScreen,
)
from tui.sim.resources import PODS, REPLICASETS
from widgets.pods_pane import PodsPane

PROD = "wilkenweb-prod"


def records(path: Path, kind: str) -> list[tuple[str, dict]]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT text, data FROM events WHERE kind = ? ORDER BY seq", (kind,))
        return [(text, json.loads(data)) for text, data in rows.fetchall()]


@pytest.fixture
def console(settings: Settings, make_incident: Callable[..., Path]) -> Callable[..., WarRoomApp]:
    def make(options: KubeOptions, *, readonly: bool = False, **kube: object) -> WarRoomApp:
        tuned = replace(settings, kube=replace(settings.kube, update_seconds=0.1, **kube))
        return WarRoomApp(
            tuned, make_incident(), actor="alice@bastion-1", readonly=readonly,
            sampler_factory=FrozenSampler, kube_options=options,
        )  # fmt: skip

    return make


def options(drill: Drill, context: str = "warroom-drill") -> KubeOptions:
    return KubeOptions(kubeconfig=drill.kubeconfig, contexts=(context,), all_namespaces=True)


def pane(app: WarRoomApp) -> PodsPane:
    return app.console_screen.query_one(PodsPane)


def shown_pods(app: WarRoomApp) -> dict[str, str]:
    """name -> status, as the Pods view holds them."""
    view = pane(app).query_one("#pods-view")
    return {row.name: row.status for row in view.rows.values()}  # type: ignore[attr-defined]


async def select_pod(pilot, app: WarRoomApp, prefix: str) -> None:  # type: ignore[no-untyped-def]
    """Focus the Pods pane and move the cursor to the first pod named `prefix`…"""
    await pilot.press("1")
    await wait_for(lambda: pane(app).selected_row is not None, pilot)
    for _ in range(200):
        row = pane(app).selected_row
        if row is not None and row.name.startswith(prefix):
            return
        await pilot.press("down")
    raise AssertionError(f"no pod named {prefix}…")


async def test_scenario_shows_problem_pods_first_and_records_transitions(
    start_drill, console
) -> None:
    drill = start_drill("site-down")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: "CrashLoopBackOff" in shown_pods(app).values(), pilot, within=30)
        await pilot.press("1")
        await wait_for(lambda: pane(app).selected_row is not None, pilot)
        first = pane(app).selected_row
        assert first.status == "CrashLoopBackOff"  # worst first: the cursor starts there
        assert pane(app).status_text == "live"
        await wait_for(lambda: len(records(app.db_path, "k8s_transition")) >= 3, pilot)
        texts = [text for text, _ in records(app.db_path, "k8s_transition")]
        assert any(f"Pod {PROD}/app-" in t and "CrashLoopBackOff" in t for t in texts)
        assert any(t.startswith(f"Deployment {PROD}/app: unavailable") for t in texts)
        data = records(app.db_path, "k8s_transition")[0][1]
        assert {"context", "namespace", "name", "kind"} <= set(data)


async def test_restart_from_the_pods_pane_changes_the_cluster_and_the_timeline(
    start_drill, console
) -> None:
    drill = start_drill("site-down", speed=20)
    app = console(options(drill))

    def replicasets() -> int:
        found = drill.cluster.store.items(REPLICASETS, PROD)
        return sum(1 for rs in found if rs["metadata"]["name"].startswith("app-"))

    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: "CrashLoopBackOff" in shown_pods(app).values(), pilot, within=30)
        before = drill.call(replicasets)
        await select_pod(pilot, app, "app-")
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, ConfirmActionScreen), pilot)
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "k8s_action"), pilot)
        text, data = records(app.db_path, "k8s_action")[0]
        assert data["result"] == "succeeded"
        assert (data["kind"], data["name"], data["namespace"]) == ("Deployment", "app", PROD)
        assert data["context"] == "warroom-drill"
        assert text.startswith(f"Rollout restart of deployment/app in {PROD} (warroom-drill)")
        assert drill.call(replicasets) == before + 1

        # The fix the runbook prescribes heals the pods, and the timeline says so.
        def recovered() -> bool:
            return any("recovered" in t for t, _ in records(app.db_path, "k8s_transition"))

        await wait_for(recovered, pilot, within=60)


async def test_readonly_refuses_and_records_the_refusal(start_drill, console) -> None:
    drill = start_drill("site-down")
    app = console(options(drill), readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: shown_pods(app), pilot, within=30)
        await select_pod(pilot, app, "app-")
        await pilot.press("r")
        await wait_for(lambda: records(app.db_path, "k8s_action"), pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)
        _, data = records(app.db_path, "k8s_action")[0]
        assert data["result"] == "refused"
        assert "--readonly" in data["detail"]


async def test_production_context_needs_the_name_typed_and_cancel_is_recorded(
    start_drill, console
) -> None:
    drill = start_drill("healthy", speed=20)
    app = console(options(drill), production_contexts=("warroom-*",))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: shown_pods(app), pilot, within=30)
        await select_pod(pilot, app, "app-")
        await pilot.press("ctrl+d")
        await wait_for(lambda: isinstance(app.screen, ConfirmActionScreen), pilot)
        await pilot.press("escape")
        await wait_for(lambda: records(app.db_path, "k8s_action"), pilot)
        assert records(app.db_path, "k8s_action")[0][1]["result"] == "cancelled"
        victim = pane(app).selected_row.name
        await pilot.press("ctrl+d")
        await wait_for(lambda: isinstance(app.screen, ConfirmActionScreen), pilot)
        await pilot.press("enter")  # nothing typed: not confirmed
        assert isinstance(app.screen, ConfirmActionScreen)
        await pilot.press(*victim, "enter")
        await wait_for(lambda: len(records(app.db_path, "k8s_action")) == 2, pilot)
        assert records(app.db_path, "k8s_action")[1][1]["result"] == "succeeded"
        await wait_for(lambda: drill.call(drill.cluster.store.find, PODS, PROD, victim) is None,
                       pilot, within=30)  # fmt: skip


async def test_the_readonly_users_403_is_shown_and_recorded(start_drill, console) -> None:
    drill = start_drill("healthy")
    app = console(options(drill, "warroom-drill-readonly"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: shown_pods(app), pilot, within=30)
        await select_pod(pilot, app, "app-")
        await pilot.press("plus")
        await wait_for(lambda: isinstance(app.screen, ConfirmActionScreen), pilot)
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "k8s_action"), pilot)
        _, data = records(app.db_path, "k8s_action")[0]
        assert data["result"] == "failed"
        assert "forbidden" in data["detail"]
        assert pane(app).status_text == "live"  # reading still works


async def test_undo_to_a_chosen_revision_fixes_bad_deploy(start_drill, console) -> None:
    drill = start_drill("bad-deploy", speed=20)
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: {"ImagePullBackOff", "ErrImagePull"} & set(shown_pods(app).values()),
                       pilot, within=30)  # fmt: skip
        await select_pod(pilot, app, "app-")
        await pilot.press("u")
        await wait_for(lambda: isinstance(app.screen, RevisionPickerScreen), pilot)
        await pilot.press("enter")  # the cursor starts on the newest revision we may pick
        await wait_for(lambda: isinstance(app.screen, ConfirmActionScreen), pilot)
        await pilot.press("enter")
        await wait_for(lambda: records(app.db_path, "k8s_action"), pilot)
        _, data = records(app.db_path, "k8s_action")[0]
        assert data["result"] == "succeeded", data
        assert data["to_revision"] >= 1
        await wait_for(lambda: drill.call(drill.cluster.world.resolved), pilot, within=60)


async def test_no_kubeconfig_offers_a_drill_and_d_starts_one(
    console, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    app = console(KubeOptions())
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: pane(app).drill_offered, pilot)
        assert pane(app).status_text == "not connected"
        await pilot.press("1", "D")
        await wait_for(lambda: isinstance(app.screen, ChoiceListScreen), pilot)
        await pilot.press("enter")  # healthy
        await wait_for(lambda: shown_pods(app), pilot, within=40)
        assert pane(app).status_text == "live"
        notes = [text for text, _ in records(app.db_path, "note")]
        assert any(text.startswith("Drill cluster started: scenario healthy") for text in notes)


async def test_api_server_killed_and_restarted_mid_watch(start_drill, console) -> None:
    drill = start_drill("healthy")
    app = console(options(drill))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: shown_pods(app) and pane(app).status_text == "live", pilot,
                       within=30)  # fmt: skip
        drill.call(drill.cluster.restart, 3.0)
        await wait_for(lambda: pane(app).status_text != "live", pilot, within=10)
        assert "reconnecting" in pane(app).status_text
        await wait_for(lambda: pane(app).status_text == "live", pilot, within=60)
        truth = drill.call(lambda: {p["metadata"]["name"] for p in drill.cluster.store.items(PODS)})
        await wait_for(lambda: set(shown_pods(app)) == truth, pilot, within=30)
