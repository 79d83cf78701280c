"""The real console on a drill cluster that misbehaves: the API server restarted
mid-watch, watches cut with history expired (410), tokens revoked (401), one kind
forbidden (403), 500s and 10 s latency. Each time the console keeps answering keys,
the Pods pane says what is wrong, recovers by itself once the fault is healed with
exactly the cluster's pods, and notes written during the fault are in the file."""

from __future__ import annotations

import re
import secrets
from typing import Any

from tests.conftest import wait_for
from tests.faults.conftest import add_note, notes, pods_live_and_complete, pods_pane, pods_status
from tests.sim.conftest import Drill
from tui.app import WarRoomApp
from tui.sim.resources import PODS

SIZE = (160, 48)


def bare_pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"fault": "campaign"}},
        "spec": {"containers": [{"name": "main", "image": "registry.local/web:1.4.2"}]},
    }


def shown_names(app: WarRoomApp) -> set[str]:
    return {row.name for row in pods_pane(app).pods.rows.values()}


def add_pod(drill: Drill) -> str:
    """A new pod, straight into the cluster's store (whether it serves or not)."""
    name = f"fault-{secrets.token_hex(3)}"
    drill.call(drill.cluster.store.create, PODS, bare_pod(name))
    return name


def remove_pod(drill: Drill, name: str) -> None:
    drill.call(drill.cluster.store.remove, PODS, "default", name)


async def test_api_server_restart_mid_watch(drill: Drill, console) -> None:
    app = console(drill)
    async with app.run_test(size=SIZE) as pilot:
        gone = add_pod(drill)
        await pods_live_and_complete(pilot, app, drill)
        drill.call(drill.cluster.schedule_restart, 4.0)
        await wait_for(lambda: "reconnecting" in pods_status(app), pilot, within=20)
        assert re.search(r"reconnecting in \d+ s: ", pods_status(app))
        # While the server is away the cluster changes: one pod comes, one goes.
        added = add_pod(drill)
        remove_pod(drill, gone)
        await add_note(pilot, app, "api server down, pods pane reconnecting")
        await pods_live_and_complete(pilot, app, drill)
        assert added in shown_names(app) and gone not in shown_names(app)
        assert "api server down, pods pane reconnecting" in notes(app.db_path)


async def test_watch_410_relists_and_the_pods_are_complete(drill: Drill, console) -> None:
    app = console(drill)
    async with app.run_test(size=SIZE) as pilot:
        await pods_live_and_complete(pilot, app, drill)
        old = add_pod(drill)
        await pods_live_and_complete(pilot, app, drill)
        # Every version the console has seen is now too old: its resume gets 410 Gone.
        drill.call(drill.cluster.expire_versions)
        drill.call(drill.cluster.faults.drop_watches)
        remove_pod(drill, old)
        new = add_pod(drill)
        await add_note(pilot, app, "watch history expired")
        await pods_live_and_complete(pilot, app, drill)
        assert new in shown_names(app) and old not in shown_names(app)
        assert "watch history expired" in notes(app.db_path)


async def test_revoked_token_says_unauthorized_then_the_rotated_kubeconfig_is_reloaded(
    drill: Drill, console
) -> None:
    app = console(drill)
    async with app.run_test(size=SIZE) as pilot:
        await pods_live_and_complete(pilot, app, drill)
        # The old token gets 401; the drill writes the new one into the kubeconfig file,
        # as a credential rotation does. Cutting the watches makes the console ask again.
        drill.call(drill.cluster.revoke_tokens)
        drill.call(drill.cluster.faults.drop_watches)
        await wait_for(lambda: "unauthorized" in pods_status(app), pilot, within=20)
        added = add_pod(drill)
        await add_note(pilot, app, "token revoked")
        await pods_live_and_complete(pilot, app, drill)
        assert added in shown_names(app)
        assert "token revoked" in notes(app.db_path)


async def test_one_kind_forbidden_leaves_pods_live_and_the_workloads_view_says_so(
    drill: Drill, console
) -> None:
    app = console(drill)
    async with app.run_test(size=SIZE) as pilot:
        await pods_live_and_complete(pilot, app, drill)
        drill.call(drill.cluster.faults.fail, "deployments.apps", 403)
        drill.call(drill.cluster.faults.drop_watches)
        await wait_for(lambda: pods_status(app).startswith("forbidden: deployments"), pilot)
        # Pods still follow the cluster.
        added = add_pod(drill)
        await wait_for(lambda: added in shown_names(app), pilot, within=20)
        await pilot.press("1", "v", "v")
        await wait_for(lambda: pods_pane(app).view == "workloads", pilot)
        assert "forbidden: deployments" in pods_status(app)
        await add_note(pilot, app, "deployments forbidden")
        await pilot.press("v")
        await wait_for(lambda: pods_pane(app).view == "pods", pilot)
        drill.call(drill.cluster.faults.heal)
        # A refusal is retried at the slow end of the back-off (30 s).
        await pods_live_and_complete(pilot, app, drill)
        assert "deployments forbidden" in notes(app.db_path)


async def test_pods_answering_500_say_reconnecting_and_recover(drill: Drill, console) -> None:
    app = console(drill)
    async with app.run_test(size=SIZE) as pilot:
        await pods_live_and_complete(pilot, app, drill)
        drill.call(drill.cluster.faults.fail, "pods", 500)
        drill.call(drill.cluster.faults.drop_watches)
        await wait_for(lambda: "pods answers 500" in pods_status(app), pilot, within=20)
        assert pods_status(app).startswith("reconnecting in ")
        added = add_pod(drill)
        await pilot.press("1", "v")
        await wait_for(lambda: pods_pane(app).view == "events", pilot)
        await add_note(pilot, app, "pods answer 500")
        await pilot.press("v", "v")
        await wait_for(lambda: pods_pane(app).view == "pods", pilot)
        drill.call(drill.cluster.faults.heal)
        await pods_live_and_complete(pilot, app, drill)
        assert added in shown_names(app)
        assert "pods answer 500" in notes(app.db_path)


async def test_ten_seconds_of_latency_leaves_the_keys_working(drill: Drill, console) -> None:
    app = console(drill)
    async with app.run_test(size=SIZE) as pilot:
        await pods_live_and_complete(pilot, app, drill)
        drill.call(setattr, drill.cluster.faults, "latency", 10.0)
        drill.call(drill.cluster.faults.drop_watches)  # every resume now waits 10 s
        added = add_pod(drill)
        await wait_for(lambda: "slow: no answer to the watch" in pods_status(app), pilot)
        # Keys answer while every request hangs: views switch, notes are recorded.
        await pilot.press("1", "v")
        await wait_for(lambda: pods_pane(app).view == "events", pilot)
        await add_note(pilot, app, "api server slow")
        await pilot.press("v", "v")
        await wait_for(lambda: pods_pane(app).view == "pods", pilot)
        assert added not in shown_names(app)  # still waiting for the slow answer
        drill.call(setattr, drill.cluster.faults, "latency", 0.0)
        await pods_live_and_complete(pilot, app, drill)
        assert added in shown_names(app)
        assert "api server slow" in notes(app.db_path)
