"""The Pods pane driven with Pilot, fed by the real KubeModel from real API objects.

The pane is mounted alone in a small app (with the key bar), as the console
mounts it; what it asks of the app (logs, a restart, a detail view) is caught
by the app's handlers and asserted. Ages are computed against a fixed clock.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import Input

from tests.helpers.fixed import T0, FixedClock
from tests.helpers.kube_objects import (
    Cluster,
    deployment,
    event,
    hpa,
    key_of,
    live,
    node,
    pod,
    scope,
)
from tui.messages import KubeUnavailable, KubeUpdated
from tui.sources.kube.model import Delta
from tui.sources.kube.rows import DeploymentRow, PodRow
from tui.sources.kube.watch import WatchState
from widgets import kube_requests as req
from widgets.key_bar import KeyBar
from widgets.kube_filter import parse_filter
from widgets.pods_pane import DRILL_OFFER, PodsPane, connection_text
from widgets.pods_view import row_id


class PaneApp(App[None]):
    """The pane as the console holds it, and a record of every request it posts."""

    def __init__(self, clock: FixedClock | None = None, **pane_options: Any) -> None:
        super().__init__()
        self.clock = clock or FixedClock()
        self.pane_options = {"flush_seconds": 0.0, **pane_options}
        self.requests: list[Message] = []

    def compose(self) -> ComposeResult:
        yield PodsPane(1, clock=self.clock, **self.pane_options)
        yield KeyBar()

    @property
    def pane(self) -> PodsPane:
        return self.query_one(PodsPane)

    def on_mount(self) -> None:
        self.pane.focus_target.focus()

    # What the real app would act on: recorded.
    def on_action_requested(self, message: req.ActionRequested) -> None:
        self.requests.append(message)

    def on_detail_requested(self, message: req.DetailRequested) -> None:
        self.requests.append(message)

    def on_yaml_requested(self, message: req.YamlRequested) -> None:
        self.requests.append(message)

    def on_logs_requested(self, message: req.LogsRequested) -> None:
        self.requests.append(message)

    def on_switch_requested(self, message: req.SwitchRequested) -> None:
        self.requests.append(message)

    def on_drill_requested(self, message: req.DrillRequested) -> None:
        self.requests.append(message)


def incident_objects() -> list[dict[str, Any]]:
    """A payments namespace mid-incident, and a healthy web namespace."""
    return [
        pod("web-5d9c7b-aaaaa", "web"),
        pod("web-5d9c7b-bbbbb", "web", labels={"app": "web", "tier": "frontend"}),
        pod(
            "api-7f8d9c-ccccc",
            "payments",
            status="CrashLoopBackOff",
            restarts=5,
            labels={"app": "api", "tier": "backend"},
        ),
        pod(
            "api-6b5a4c-ddddd",
            "payments",
            status="ImagePullBackOff",
            image="registry.local/api:1.5.0-typo",
        ),
        pod("worker-0", "payments", status="Pending", owner="worker"),
        pod("cache-0", "payments", ready=False, owner="cache"),  # running, not ready
        pod("[red]x[/]", "web"),
    ]


async def settle(pilot: Any) -> None:
    # The pane applies rows as messages arrive and tidies up in a callback after them.
    await pilot.pause()
    await pilot.pause()


async def feed(pilot: Any, delta: Delta, contexts: tuple[str, ...] = ("prod",)) -> None:
    pilot.app.pane.post_message(KubeUpdated(delta, contexts))
    await settle(pilot)


def names(pane: PodsPane) -> list[str]:
    table = pane.pods.table
    return [table.get_row_at(i)[0].plain for i in range(table.row_count)]


async def started(
    pilot: Any, cluster: Cluster, objects: list[dict[str, Any]] | None = None
) -> None:
    await feed(
        pilot, cluster.delta(incident_objects() if objects is None else objects, states=live())
    )


# -- the pods view ----------------------------------------------------------------------


async def test_starts_connecting_until_the_first_update() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        pane = app.pane
        assert not pane.connected
        assert "connecting to Kubernetes" in str(pane.query_one("#message-view").render())
        assert pane.status_text == "connecting…"
        await started(pilot, Cluster())
        assert pane.connected
        assert pane.border_title == "1 Pods · pods"
        assert pane.status_text == "live"


async def test_problem_pods_first_worst_first_and_coloured_by_severity() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        assert names(app.pane) == [
            "api-7f8d9c-ccccc",  # CrashLoopBackOff: rank 0
            "api-6b5a4c-ddddd",  # ImagePullBackOff: rank 1
            "cache-0",  # running but not ready, then Pending: rank 2, by namespace/name
            "worker-0",
            "[red]x[/]",  # healthy, by namespace/name
            "web-5d9c7b-aaaaa",
            "web-5d9c7b-bbbbb",
        ]
        table = app.pane.pods.table
        styles = [str(table.get_row_at(i)[0].style) for i in range(table.row_count)]
        assert "red" in styles[0]
        assert "orange" in styles[1]
        assert styles[2] == styles[3] == "yellow"
        assert styles[4:] == ["", "", ""]
        # kubectl's columns: READY, STATUS, RESTARTS with the time since the last one, AGE.
        crashing = table.get_row(row_id(key_of(incident_objects()[2])))
        assert [c.plain for c in crashing[1:5]] == ["0/1", "CrashLoopBackOff", "5 (2m ago)", "3h"]


async def test_summary_counts_pods_by_state() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        assert app.pane.pods.summary().plain == (
            "7 pods · 3 Running · 1 CrashLoopBackOff · 1 ImagePullBackOff · 1 NotReady · 1 Pending"
        )


async def test_names_with_markup_are_shown_literally() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster(), [pod("[red]x[/]", "[b]ns"), pod("ok-1", status="[blink]")])
        table = app.pane.pods.table
        cells = table.get_row(row_id(key_of(pod("[red]x[/]", "[b]ns"))))
        assert all(isinstance(c, Text) for c in cells)
        assert (cells[5].plain, cells[0].plain) == ("[b]ns", "[red]x[/]")
        screen = app.export_screenshot()
        assert "[red]x[/]" in screen.replace("&#160;", " ")
        assert "[blink]" in app.pane.pods.summary().plain


FILTERS = [
    ("api", ["api-7f8d9c-ccccc", "api-6b5a4c-ddddd"]),  # name substring
    ("PAYMENTS", ["api-7f8d9c-ccccc", "api-6b5a4c-ddddd", "cache-0", "worker-0"]),  # namespace
    ("tier=frontend", ["web-5d9c7b-bbbbb"]),  # label selector
    ("app=api,tier=backend", ["api-7f8d9c-ccccc"]),
    ("app=api,tier!=backend", ["api-6b5a4c-ddddd"]),
    ("crashloopbackoff", ["api-7f8d9c-ccccc"]),  # a status word, any case
    ("Pending", ["worker-0"]),
    ("notready", ["cache-0"]),
    ("!payments", ["[red]x[/]", "web-5d9c7b-aaaaa", "web-5d9c7b-bbbbb"]),
    ("  ", None),  # no filter
]


@pytest.mark.parametrize(("typed", "expected"), FILTERS)
def test_filter_words(typed: str, expected: list[str] | None) -> None:
    rows = list(Cluster().delta(incident_objects()).pods.updated.values())
    found = parse_filter(typed, {row.status for row in rows})
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert sorted(row.name for row in rows if found(row)) == sorted(expected)


@pytest.mark.parametrize(("typed", "expected"), [FILTERS[0], FILTERS[3], FILTERS[5]])
async def test_slash_filters_and_escape_clears(typed: str, expected: list[str]) -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        await pilot.press("slash", *typed, "enter")
        assert names(app.pane) == expected
        assert app.pane.pods.summary().plain.endswith(f"filter: {typed} ({len(expected)} shown)")
        await pilot.press("escape")  # clears
        assert len(names(app.pane)) == 7
        assert app.pane.pods.filter is None


async def test_filtered_view_follows_updates_and_escape_while_typing_clears() -> None:
    app = PaneApp()
    cluster = Cluster()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster)
        await pilot.press("slash", *"crashloopbackofff", "backspace", "enter")
        assert names(app.pane) == ["api-7f8d9c-ccccc"]
        # A pod starts crash-looping while the filter is on: it appears.
        await feed(
            pilot,
            cluster.delta([pod("web-5d9c7b-aaaaa", "web", status="CrashLoopBackOff", restarts=1)]),
        )
        assert names(app.pane) == ["api-7f8d9c-ccccc", "web-5d9c7b-aaaaa"]
        # ...and leaves it when it recovers; the full table kept up meanwhile.
        await feed(pilot, cluster.delta([pod("api-7f8d9c-ccccc", "payments", restarts=6)]))
        assert names(app.pane) == ["web-5d9c7b-aaaaa"]
        await pilot.press("slash", "x", "escape")
        assert app.pane.pods.filter is None
        assert not app.pane.pods.filtering
        assert names(app.pane)[:2] == ["web-5d9c7b-aaaaa", "api-6b5a4c-ddddd"]


async def test_a_filter_typed_ahead_goes_into_the_field_not_to_the_pane() -> None:
    # Every key queued at once, as when the console is busy or text is pasted:
    # "/" opens the field and the rest must land in it, not restart ("r") a pod.
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        for key, character in [("slash", "/"), *((c, c) for c in "ready"), ("enter", "\r")]:
            app.post_message(events.Key(key, character))
        await settle(pilot)
        assert app.requests == []
        assert app.pane.pods.filter is not None and app.pane.pods.filter.text == "ready"


async def test_the_filter_field_shows_what_is_typed_on_one_line() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        await pilot.press("slash", *"web")
        field = app.pane.query_one("#pods-filter", Input)
        assert app.focused is field and field.size.height == 1
        assert "web" in "".join(segment.text for segment in field.render_line(0))
        # The key bar offers no key that would be typed into the field instead.
        await pilot.pause()
        bar = str(app.query_one(KeyBar).render())
        assert "Scale" not in bar and "Logs" not in bar


async def test_sort_cycles_columns_keeps_the_cursor_on_its_pod_and_reverses() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        pane = app.pane
        table = pane.pods.table
        await pilot.press("down", "down", "down")
        chosen = pane.selected_row
        assert chosen is not None and chosen.name == "worker-0"
        seen = []
        for _ in range(8):
            await pilot.press("o")
            seen.append(pane.pods.sort_column)
            assert pane.selected_row == chosen  # wherever the pod went, the cursor went
            assert table.get_row_index(table.selected_key) == table.cursor_row
        assert seen == ["namespace", "name", "restarts", "age", "cpu", "memory", "node", "status"]
        await pilot.press("o", "o", "o")  # restarts
        label = table.columns["restarts"].label.plain  # type: ignore[index]
        assert label == "restarts ▼"
        assert names(pane)[0] == "api-7f8d9c-ccccc"  # most restarts first
        await pilot.press("O")
        assert table.columns["restarts"].label.plain == "restarts ▲"  # type: ignore[index]
        assert names(pane)[-1] == "api-7f8d9c-ccccc"
        assert pane.selected_row == chosen


async def test_updates_by_key_change_only_what_changed() -> None:
    app = PaneApp()
    cluster = Cluster()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster)
        table = app.pane.pods.table
        before = {key: list(table.get_row(key)) for key in table.keys}
        web = pod("web-5d9c7b-aaaaa", "web", restarts=1, last_restart=T0 - timedelta(seconds=30))
        await feed(pilot, cluster.delta([web]))
        assert table.row_count == 7
        changed = row_id(key_of(web))
        for key, cells in before.items():
            now = table.get_row(key)
            if key == changed:
                assert now[3].plain == "1 (30s ago)"
                assert now[5] is cells[5]  # the namespace cell was not rewritten
            else:
                assert all(a is b for a, b in zip(now, cells, strict=True)), key
        # Removed from the cluster: removed from the table, the rest untouched.
        await feed(pilot, cluster.delta(removed=[web]))
        assert table.row_count == 6
        assert changed not in table
        # A new pod is added by key (and sorted in).
        await feed(pilot, cluster.delta([pod("api-7f8d9c-eeeee", "payments", status="Error")]))
        assert table.row_count == 7
        assert names(app.pane)[:2] == ["api-7f8d9c-ccccc", "api-7f8d9c-eeeee"]


async def test_the_cursor_stays_on_its_pod_when_pods_come_and_go_above_it() -> None:
    app = PaneApp()
    cluster = Cluster()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster)
        await pilot.press(*["down"] * 6)
        chosen = app.pane.selected_row
        assert chosen is not None and chosen.name == "web-5d9c7b-bbbbb"
        await feed(pilot, cluster.delta([pod("new-1", "payments", status="CrashLoopBackOff")]))
        assert app.pane.selected_row.name == "web-5d9c7b-bbbbb"  # type: ignore[union-attr]
        await feed(pilot, cluster.delta(removed=[pod("worker-0", "payments")]))
        assert app.pane.selected_row.name == "web-5d9c7b-bbbbb"  # type: ignore[union-attr]


async def test_a_burst_of_updates_waits_for_the_next_flush() -> None:
    app = PaneApp(flush_seconds=60.0)
    cluster = Cluster()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster)  # after a quiet spell: written at once
        table = app.pane.pods.table
        assert table.row_count == 7
        gone = pod("web-5d9c7b-aaaaa", "web")
        await feed(
            pilot, cluster.delta([pod("web-5d9c7b-bbbbb", "web", restarts=2)], removed=[gone])
        )
        assert table.row_count == 7  # noted, not yet written
        assert app.pane.pods.summary().plain.startswith("6 pods")  # the counts are current
        app.pane._tick()  # ages of a row that is going away: skipped, no error
        await pilot.press("o")  # re-sorting meanwhile is fine too
        app.pane._settle()
        assert table.row_count == 6
        assert row_id(key_of(gone)) not in table


async def test_a_large_first_list_goes_in_by_chunks_worst_first() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        view = app.pane.pods
        view.apply(Cluster().delta(incident_objects()).pods.updated, ())
        assert view.flush(chunk=3) is True
        assert names(app.pane) == ["api-7f8d9c-ccccc", "api-6b5a4c-ddddd", "cache-0"]
        assert view.flush(chunk=3) is True
        assert view.flush(chunk=3) is False
        assert len(names(app.pane)) == 7
        await pilot.pause()


async def test_metrics_fill_the_cpu_and_memory_columns() -> None:
    app = PaneApp()
    cluster = Cluster()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster)
        table = app.pane.pods.table
        key = row_id(key_of(pod("web-5d9c7b-aaaaa", "web")))
        assert [c.plain for c in table.get_row(key)[6:8]] == ["-", "-"]
        await feed(pilot, cluster.set_metrics({("web", "web-5d9c7b-aaaaa"): (250, 128 * 1024**2)}))
        assert [c.plain for c in table.get_row(key)[6:8]] == ["250", "128"]
        await pilot.press("o", "o", "o", "o", "o")  # cpu: the busiest first
        assert app.pane.pods.sort_column == "cpu"
        assert names(app.pane)[0] == "web-5d9c7b-aaaaa"


async def test_ages_move_on_with_the_clock_and_only_changed_cells_are_rewritten() -> None:
    clock = FixedClock()
    app = PaneApp(clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        table = app.pane.pods.table
        key = row_id(key_of(incident_objects()[2]))
        namespace = table.get_row(key)[5]
        clock.advance(minutes=5)
        app.pane._tick()
        row = table.get_row(key)
        assert (row[3].plain, row[4].plain) == ("5 (7m ago)", "3h5m")
        assert row[5] is namespace


async def test_several_contexts_add_a_context_column() -> None:
    app = PaneApp()
    prod, staging = Cluster("prod"), Cluster("staging")
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, prod)
        assert "context" not in app.pane.pods.table.columns
        staging_pod = pod("web-1", "web")
        staging.delta([])
        await feed(
            pilot,
            staging.delta([staging_pod], states=live("staging")),
            contexts=("prod", "staging"),
        )
        await feed(
            pilot, prod.delta([pod("web-5d9c7b-aaaaa", "web")]), contexts=("prod", "staging")
        )
        table = app.pane.pods.table
        assert "context" in table.columns
        assert table.row_count == 8
        assert table.get_row(row_id(key_of(staging_pod, "staging")))[0].plain == "staging"


# -- connection state -----------------------------------------------------------------------


def test_connection_text_names_the_worst_watch_and_metrics_trouble() -> None:
    live_pods = WatchState(scope("Pod"), "live")
    assert connection_text([live_pods], {"prod": ""}).plain == "live"
    retrying = WatchState(scope("Event"), "reconnecting", "connection refused", retry_at=104.0)
    forbidden = WatchState(scope("Pod", namespace="prod"), "forbidden", "pods is forbidden")
    assert connection_text([live_pods, retrying], None, now=100.0).plain == (
        "reconnecting in 4 s: connection refused"
    )
    assert connection_text([retrying, forbidden, live_pods], None, now=100.0).plain == (
        "forbidden: pods in prod (+1 more)"
    )
    problems = {"prod": "metrics.k8s.io not available (no metrics-server)"}
    assert connection_text([live_pods], problems).plain == (
        "live · metrics: metrics.k8s.io not available (no metrics-server)"
    )
    assert connection_text(None, None).plain == "connecting…"


async def test_the_subtitle_shows_the_connection_state() -> None:
    app = PaneApp()
    cluster = Cluster()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster)
        retry = time.monotonic() + 30
        states = {
            scope("Event"): WatchState(scope("Event"), "reconnecting", "[b]refused", retry_at=retry)
        }
        await feed(pilot, cluster.delta(states=states))
        assert app.pane.status_text.startswith("reconnecting in ")
        assert app.pane.status_text.endswith(" s: [b]refused")  # not markup
        await feed(pilot, cluster.set_metrics({}, problem="metrics.k8s.io not available"))
        assert app.pane.status_text.endswith(" · metrics: metrics.k8s.io not available")
        await feed(pilot, cluster.delta(states=live()))
        assert app.pane.status_text == "live · metrics: metrics.k8s.io not available"


async def test_unavailable_says_why_and_offers_the_drill_cluster() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        reason = "no kubeconfig: ~/.kube/config does not exist [KUBECONFIG unset]"
        app.pane.post_message(KubeUnavailable(reason, offer_drill=True))
        await settle(pilot)
        shown = str(app.pane.query_one("#message-view").render())
        assert reason in shown
        assert DRILL_OFFER in shown
        assert app.pane.status_text == "not connected"
        await pilot.press("v", "r", "D")  # no views, no actions: only the drill
        assert [type(m) for m in app.requests] == [req.DrillRequested]


async def test_without_the_drill_offer_d_does_nothing() -> None:
    app = PaneApp()
    async with app.run_test(size=(120, 30)) as pilot:
        app.pane.post_message(KubeUnavailable("context prod: forbidden", offer_drill=False))
        await settle(pilot)
        assert DRILL_OFFER not in str(app.pane.query_one("#message-view").render())
        await pilot.press("D")
        assert app.requests == []


# -- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "kind", "fields"),
    [
        (["enter"], req.DetailRequested, {}),
        (["y"], req.YamlRequested, {}),
        (["l"], req.LogsRequested, {"previous": False}),
        (["p"], req.LogsRequested, {"previous": True}),
        (["r"], req.ActionRequested, {"action": req.RESTART, "amount": None}),
        (["u"], req.ActionRequested, {"action": req.UNDO, "amount": None}),
        (["plus"], req.ActionRequested, {"action": req.SCALE, "amount": 1}),
        (["minus"], req.ActionRequested, {"action": req.SCALE, "amount": -1}),
        (["equals_sign"], req.ActionRequested, {"action": req.SCALE, "amount": None}),
        (["ctrl+d"], req.ActionRequested, {"action": req.DELETE_POD, "amount": None}),
    ],
)
async def test_keys_on_a_pod_post_the_request_with_that_pod(
    keys: list[str], kind: type[Message], fields: dict[str, Any]
) -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        await pilot.press("down", *keys)
        assert len(app.requests) == 1
        request = app.requests[0]
        assert isinstance(request, kind)
        row = request.row  # type: ignore[attr-defined]
        assert isinstance(row, PodRow) and row.name == "api-6b5a4c-ddddd"
        for name, value in fields.items():
            assert getattr(request, name) == value


async def test_context_and_namespace_keys_ask_the_app_to_switch() -> None:
    app = PaneApp()
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, Cluster())
        await pilot.press("c", "N")
        assert [m.what for m in app.requests] == ["context", "namespace"]  # type: ignore[attr-defined]


async def test_key_bar_shows_the_pods_keys_and_not_other_views_keys() -> None:
    app = PaneApp()
    async with app.run_test(size=(200, 40)) as pilot:
        await started(pilot, Cluster())
        line = str(app.query_one(KeyBar).render())
        for word in ("Logs", "Restart", "Undo", "Scale", "Filter", "Sort", "View", "YAML"):
            assert word in line
        assert "Warnings" not in line and "Drill" not in line
        await pilot.press("v")
        line = str(app.query_one(KeyBar).render())
        assert "Warnings" in line and "Restart" not in line and "Logs" not in line


# -- events and workloads views -------------------------------------------------------------


async def test_events_view_shows_warnings_newest_first_and_w_shows_all() -> None:
    app = PaneApp(event_limit=3)
    cluster = Cluster()
    events = [
        event("api-7f8d9c-ccccc", "payments", count=12, last_seen=T0 - timedelta(seconds=20)),
        event(
            "api-6b5a4c-ddddd",
            "payments",
            reason="Failed",
            last_seen=T0 - timedelta(minutes=3),
            message='Failed to pull image "registry.local/api:1.5.0-typo": not found',
        ),
        event(
            "worker-0",
            "payments",
            reason="FailedScheduling",
            last_seen=T0 - timedelta(hours=1),
            message="0/3 nodes are available: 3 Insufficient cpu.\nretrying",
        ),
        event(
            "web-5d9c7b-aaaaa",
            "web",
            reason="Started",
            type="Normal",
            message="Started container web",
            last_seen=T0 - timedelta(seconds=5),
        ),
        event(
            "cache-0",
            "payments",
            reason="Unhealthy",
            last_seen=T0 - timedelta(hours=2),
            message="Readiness probe failed",
        ),
    ]
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster, incident_objects() + events)
        await pilot.press("v")
        pane = app.pane
        assert pane.border_title == "1 Pods · events"
        table = pane.events.table
        rows = [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows == [  # the newest 3 warnings, newest first
            [
                "20s",
                "Warning",
                "BackOff",
                "pod/api-7f8d9c-ccccc",
                "12",
                "Back-off restarting failed container",
            ],
            [
                "3m",
                "Warning",
                "Failed",
                "pod/api-6b5a4c-ddddd",
                "1",
                'Failed to pull image "registry.local/api:1.5.0-typo": not found',
            ],
            [
                "60m",
                "Warning",
                "FailedScheduling",
                "pod/worker-0",
                "1",
                "0/3 nodes are available: 3 Insufficient cpu. ⏎ retrying",
            ],
        ]
        await pilot.press("w")
        assert table.get_row_at(0)[2].plain == "Started"
        assert table.row_count == 3
        # A new occurrence of an old warning brings it to the top.
        await pilot.press("w")
        again = event(
            "cache-0",
            "payments",
            reason="Unhealthy",
            count=9,
            last_seen=T0,
            message="Readiness probe failed",
        )
        await feed(pilot, cluster.delta([again]))
        assert [table.get_row_at(i)[2].plain for i in range(3)] == [
            "Unhealthy",
            "BackOff",
            "Failed",
        ]
        # The cursor was on the first row: it follows the head, the newest event.
        await pilot.press("y")
        assert isinstance(app.requests[-1], req.YamlRequested)
        assert app.requests[-1].row.reason == "Unhealthy"  # type: ignore[attr-defined]
        # A chosen event keeps the cursor, wherever newer events push it.
        await pilot.press("down", "y")
        assert app.requests[-1].row.reason == "BackOff"  # type: ignore[attr-defined]
        newer = event("web-0", "web", reason="Killing", last_seen=T0 + timedelta(seconds=1))
        await feed(pilot, cluster.delta([newer]))
        assert table.get_row_at(0)[2].plain == "Killing"
        await pilot.press("y")
        assert app.requests[-1].row.reason == "BackOff"  # type: ignore[attr-defined]


async def test_workloads_view_lists_problems_first_and_acts_on_deployments() -> None:
    app = PaneApp()
    cluster = Cluster()
    objects = [
        deployment("web", "web"),
        deployment("api", "payments", ready=0),
        deployment("report-batch", "payments", replicas=2, ready=1, stuck=True),
        hpa("api", "payments", current=10, maximum=10, cpu=140),
        node("node-1"),
        node("node-2", ready=False),
        node("node-3", unschedulable=True, pressures=["MemoryPressure"]),
    ]
    async with app.run_test(size=(160, 40)) as pilot:
        await started(pilot, cluster, objects)
        await pilot.press("v", "v")
        pane = app.pane
        assert pane.border_title == "1 Pods · workloads"
        workloads = pane.workloads
        deployments = workloads.table("deployments")
        assert [deployments.get_row_at(i)[1].plain for i in range(3)] == [
            "api",
            "report-batch",
            "web",
        ]
        assert deployments.get_row_at(0)[-1].plain == "unavailable"
        assert deployments.get_row_at(1)[-1].plain == "rollout stuck"
        hpas = workloads.table("hpas")
        assert [c.plain for c in hpas.get_row_at(0)[2:]] == [
            "Deployment/api",
            "10/2/10",
            "cpu: 140%/60%",
            "AT MAX",
        ]
        nodes = workloads.table("nodes")
        assert [nodes.get_row_at(i)[1].plain for i in range(3)] == [
            "Unknown",
            "Ready,SchedulingDisabled",
            "Ready",
        ]
        assert nodes.get_row_at(1)[2].plain == "MemoryPressure"
        # Actions work on the selected deployment.
        await pilot.press("down", "r", "plus", "equals_sign", "u")
        assert [(m.action, m.amount) for m in app.requests] == [  # type: ignore[attr-defined]
            (req.RESTART, None),
            (req.SCALE, 1),
            (req.SCALE, None),
            (req.UNDO, None),
        ]
        assert all(isinstance(m.row, DeploymentRow) for m in app.requests)  # type: ignore[attr-defined]
        assert app.requests[0].row.name == "report-batch"  # type: ignore[attr-defined]
        # Down past the last deployment moves to the HPAs, then the nodes.
        await pilot.press("down", "down")
        assert workloads.current == "hpas"
        await pilot.press("down")
        assert workloads.current == "nodes"
        app.requests.clear()
        await pilot.press("r", "plus", "y")  # a node cannot be restarted or scaled
        assert [type(m) for m in app.requests] == [req.YamlRequested]
        await pilot.press("up")
        assert workloads.current == "hpas"
        await pilot.press("up")  # into the deployments, on the last one
        assert workloads.current == "deployments"
        assert workloads.selected_row.name == "web"


# -- pictures ---------------------------------------------------------------------------------

SIZES = [(80, 24), (160, 48)]


def snapshot_objects() -> list[dict[str, Any]]:
    return [
        *incident_objects(),
        *(
            pod(f"web-5d9c7b-{n:05d}", "web", created=T0 - timedelta(days=2, minutes=n))
            for n in range(12)
        ),
        event("api-7f8d9c-ccccc", "payments", count=12, last_seen=T0 - timedelta(seconds=20)),
        event(
            "worker-0",
            "payments",
            reason="FailedScheduling",
            last_seen=T0 - timedelta(minutes=4),
            message="0/3 nodes are available: 3 Insufficient cpu.",
        ),
        deployment("web", "web", replicas=14),
        deployment("api", "payments", ready=0),
        hpa("api", "payments", current=10, maximum=10, cpu=140),
        node("node-1"),
        node("node-2", ready=False),
    ]


def fed(*keys: str):  # type: ignore[no-untyped-def]
    """A run_before that feeds the incident with metrics, then presses `keys`."""

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        cluster = Cluster()
        await started(pilot, cluster, snapshot_objects())
        usage = {("web", f"web-5d9c7b-{n:05d}"): (12 + n, (90 + n) * 1024**2) for n in range(12)}
        usage[("payments", "cache-0")] = (850, 700 * 1024**2)
        await feed(pilot, cluster.set_metrics(usage))
        await pilot.press(*keys)
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_pods_view_picture(snap_compare, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(PaneApp(), terminal_size=size, run_before=fed())


def test_events_view_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(PaneApp(), terminal_size=(80, 24), run_before=fed("v"))


def test_workloads_view_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(PaneApp(), terminal_size=(160, 48), run_before=fed("v", "v"))


def test_unavailable_picture(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        reason = "no kubeconfig: $KUBECONFIG is not set and ~/.kube/config does not exist"
        pilot.app.pane.post_message(KubeUnavailable(reason, offer_drill=True))
        await settle(pilot)

    assert snap_compare(PaneApp(), terminal_size=(80, 24), run_before=run)
