"""Pod logs: computed from the container instance and time, read as the kubelet serves them."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Any

import pytest

from tui.sim.behavior import ContainerPlan
from tui.sim.objects import dig, rfc3339
from tui.sim.resources import PODS
from tui.sim.scenarios import build as b
from tui.sim.scenarios.base import Scenario
from tui.sim.store import ApiError, BadRequest, ObjectStore
from tui.sim.world import World

Obj = dict[str, Any]
NS = "shop"
EPOCH = 1_790_000_000.0  # a fixed "now", so two worlds can be compared line for line
STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (.*)$")


class Plans(Scenario):
    """Container behaviour for these tests, keyed by the pod's app label."""

    def __init__(self, **apps: dict[str, Any]) -> None:
        self.apps = apps

    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        changes = self.apps.get(dig(pod, "metadata", "labels", "app", default=""), {})
        return plan.but(**changes) if changes else plan


def make_world(seed: int = 7, scenario: Scenario | None = None) -> World:
    world = World(ObjectStore(), seed=seed)
    world.now_epoch = EPOCH
    world.clock.rewind(EPOCH - 3 * 3600)
    world.scenario = scenario
    world.apply(b.namespace(NS), age=86400)
    world.apply(b.node("node-1", 1, rfc3339(EPOCH - 86400)))
    return world


def deploy(world: World, name: str, image: str) -> Obj:
    container = b.container(name, image, port=3000, cpu="50m", memory="64Mi")
    world.apply(b.deployment(NS, name, [container]))
    world.run_for(2 * 3600)
    [pod] = world.pods_of(NS, {"app": name})
    return pod


def read(world: World, pod: Obj, container: str | None = None, **options: Any) -> list[str]:
    args = {
        "previous": False,
        "tail_lines": None,
        "since_seconds": None,
        "since_time": None,
        "timestamps": False,
        "limit_bytes": None,
    }
    args.update(options)
    current = world.find(PODS, NS, pod["metadata"]["name"])
    return world.logs.read(current, container or pod["spec"]["containers"][0]["name"], **args)


def test_logs_are_a_function_of_seed_instance_and_time() -> None:
    one, two = make_world(seed=7), make_world(seed=7)
    lines_one = read(one, deploy(one, "web", "shop/web:1.0"), tail_lines=200)
    lines_two = read(two, deploy(two, "web", "shop/web:1.0"), tail_lines=200)
    assert len(lines_one) == 200
    assert lines_one == lines_two
    other = make_world(seed=8)
    assert read(other, deploy(other, "web", "shop/web:1.0"), tail_lines=200) != lines_one
    # Reading again later gives the same past.
    world = make_world(seed=7)
    pod = deploy(world, "web", "shop/web:1.0")
    first = read(world, pod, tail_lines=50)
    world.run_for(60)
    again = read(world, pod, since_time=None)
    assert set(first) <= set(again)


def test_a_node_app_mixes_levels_and_formats() -> None:
    world = make_world()
    pod = deploy(world, "web", "shop/web:1.0")
    lines = read(world, pod)
    assert len(lines) == 5000  # two hours of it, kept like a rotated log
    levels = {re.search(r'"level":"(\w+)"', line).group(1) for line in lines if '"level"' in line}
    assert {"info", "warn", "error", "debug"} <= levels
    assert any(
        re.match(r'^\S+ - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET ', line)
        for line in lines
    )
    world.apply(b.deployment(NS, "young", [b.container("young", "shop/young:2.1", port=3000)]))
    world.run_for(20)
    [young] = world.pods_of(NS, {"app": "young"})
    assert read(world, young)[:3] == ["", "> young@2.1 start", "> node server.js"]


@pytest.mark.parametrize(
    ("image", "pattern"),
    [
        ("postgres:16.4", r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[\d+\] (LOG|ERROR):  "),
        ("registry.k8s.io/ingress-nginx/controller:v1.11.3", r'HTTP/2\.0" \d{3} \d+ '),
        ("mongo:7.0.14", r'^\{"t":\{"\$date":"'),
        ("shop/report-batch:1.0", r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|DEBUG|WARNING) "),
    ],
)
def test_each_kind_of_program_writes_its_own_format(image: str, pattern: str) -> None:
    world = make_world()
    lines = read(world, deploy(world, "svc", image), tail_lines=100)
    matching = [line for line in lines if re.search(pattern, line)]
    assert len(matching) > 30, lines[:5]


def test_tail_since_timestamps_and_limit_bytes() -> None:
    world = make_world()
    pod = deploy(world, "web", "shop/web:1.0")
    everything = read(world, pod)
    assert read(world, pod, tail_lines=7) == everything[-7:]
    assert read(world, pod, tail_lines=0) == []
    stamped = read(world, pod, tail_lines=20, timestamps=True)
    for plain, line in zip(everything[-20:], stamped, strict=True):
        match = STAMP.match(line)
        assert match and match.group(2) == plain
    recent = read(world, pod, since_seconds=60, timestamps=True)
    assert recent and len(recent) < len(everything)
    cutoff = world.clock.wall() - 60
    for line in recent:
        moment = datetime.fromisoformat(STAMP.match(line).group(1)[:26] + "+00:00").timestamp()
        assert moment >= cutoff - 1e-3
    since = read(world, pod, since_time=rfc3339(world.clock.wall() - 120))
    assert len(recent) <= len(since) < len(everything)
    limited = read(world, pod, limit_bytes=1000)
    assert sum(len(line.encode()) + 1 for line in limited) <= 1000
    assert limited[0] == everything[0]


class Crash(Scenario):
    def plan(self, world: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
        return plan.but(
            runs_for=5.0,
            exit_code=1,
            reason="Error",
            last_words=(
                ("error", "Error: connect ECONNREFUSED 10.0.3.7:27017"),
                "Node.js v20.18.0",
            ),
        )


def test_previous_is_the_crashed_instance_ending_with_its_last_words() -> None:
    world = make_world(scenario=Crash())
    container = b.container("web", "shop/web:1.0", port=3000)
    world.apply(b.deployment(NS, "web", [container]))
    world.run_for(3)
    [pod] = world.pods_of(NS, {"app": "web"})
    with pytest.raises(BadRequest, match='previous terminated container "web" in pod'):
        read(world, pod, previous=True)
    world.run_for(60)
    previous = read(world, pod, previous=True)
    assert previous[-1] == "Node.js v20.18.0"
    assert "Error: connect ECONNREFUSED 10.0.3.7:27017" in previous[-2]
    assert previous[1] == "> web@1.0 start"


def test_a_container_that_never_started_has_no_log() -> None:
    world = make_world()
    world.registry.missing.add("shop/web:9.9")
    world.apply(b.deployment(NS, "web", [b.container("web", "shop/web:9.9")]))
    world.run_for(40)
    [pod] = world.pods_of(NS, {"app": "web"})
    with pytest.raises(BadRequest, match="is waiting to start: trying and failing to pull image"):
        read(world, pod)


def test_a_dead_nodes_pods_cannot_be_reached() -> None:
    world = make_world()
    pod = deploy(world, "web", "shop/web:1.0")
    world.fail_node("node-1")
    with pytest.raises(ApiError, match=r"10250.*no route to host"):
        read(world, pod)


def test_flags_shape_what_is_written_while_they_hold() -> None:
    world = make_world()
    pod = deploy(world, "web", "shop/web:1.0")
    flagged_at = world.clock.sim()
    world.flags.set("db_pool_exhausted", True, flagged_at)
    world.run_for(600)
    lines = read(world, pod, timestamps=True)
    before = [line for line in lines if STAMP.match(line).group(1) < rfc3339(flagged_at)[:19]]
    after = [line for line in lines if STAMP.match(line).group(1) > rfc3339(flagged_at)[:19]]
    needle = "remaining connection slots are reserved"
    assert not any(needle in line for line in before)
    assert sum(needle in line for line in after) > 10


def live_web_world(*, warm_up: float, scenario: Scenario | None = None) -> World:
    """A world gone live at 50x with one `web` pod, `warm_up` sim seconds after its
    deployment (call from a running loop; stop it after)."""
    world = World(ObjectStore(), seed=3, speed=50)
    world.scenario = scenario
    world.apply(b.namespace(NS))
    world.apply(b.node("node-1", 1, rfc3339(EPOCH)))
    world.apply(b.deployment(NS, "web", [b.container("web", "shop/web:1.0", port=3000)]))
    world.run_for(warm_up)
    world.start()
    return world


async def test_follow_yields_new_lines_until_the_stream_is_closed() -> None:
    world = live_web_world(warm_up=30)
    try:
        [pod] = world.pods_of(NS, {"app": "web"})
        read(world, pod, tail_lines=1)
        got: list[str] = []

        async def follow() -> None:
            async for line in world.logs.follow(pod, "web", timestamps=True):
                got.append(line)

        task = asyncio.create_task(follow())
        for _ in range(100):
            await asyncio.sleep(0.05)
            if len(got) >= 5:
                break
        assert len(got) >= 5 and all(STAMP.match(line) for line in got)
        assert got == sorted(got)  # in time order
        world.close_streams()
        await asyncio.wait_for(task, 2)
    finally:
        world.stop()


async def test_follow_ends_when_the_container_exits() -> None:
    plans = Plans(web={"runs_for": 40.0, "last_words": ("bye",), "exit_code": 1})
    world = live_web_world(warm_up=10, scenario=plans)
    try:
        [pod] = world.pods_of(NS, {"app": "web"})
        got = [line async for line in world.logs.follow(pod, "web", timestamps=False)]
        assert got[-1] == "bye"
    finally:
        world.stop()
