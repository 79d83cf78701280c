"""Log sources against the real drill cluster (HTTPS, the real client, kubectl to cross-check),
real files, and a stand-in for a container engine's log API."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.logs.conftest import Drill
from tui.sources.kube.client import KubeClient
from tui.sources.log_model import Level, LogFeed, LogLine, LogOrigin, SourceState
from tui.sources.logs import (
    ContainerLogs,
    FileLogs,
    LogRequest,
    PodLogs,
    WorkloadLogs,
    open_source,
    split_timestamp,
)
from tui.sources.logtext import sanitize

T = TypeVar("T")
CONTEXT = "warroom-drill"
PROD = "wilkenweb-prod"
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# -- helpers ---------------------------------------------------------------------------------


class Collector:
    """Drains a feed the way the pane does, keeping every line and every state seen."""

    def __init__(self, feed: LogFeed) -> None:
        self.feed = feed
        self.lines: list[LogLine] = []
        self.history: dict[str, list[tuple[str, str]]] = {}
        self.states: dict[str, SourceState] = {}

    def pump(self) -> None:
        lines, states, _ = self.feed.drain()
        self.lines.extend(lines)
        for label, state in states.items():
            seen = self.history.setdefault(label, [])
            if not seen or seen[-1] != (state.status, state.detail):
                seen.append((state.status, state.detail))
        self.states.update(states)

    def until(self, check: Callable[[], T], what: str, timeout: float = 30.0) -> T:
        """Poll until `check()` is truthy (a wait with a deadline, not a timing assertion)."""
        deadline = time.monotonic() + timeout
        while True:
            self.pump()
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                states = {k: (v.status, v.detail) for k, v in self.states.items()}
                pytest.fail(
                    f"timed out waiting for {what}; states {states}; {len(self.lines)} lines"
                )
            time.sleep(0.05)

    def status(self, label: str) -> str:
        state = self.states.get(label)
        return state.status if state else ""

    def detail(self, label: str) -> str:
        state = self.states.get(label)
        return state.detail if state else ""

    def of(self, name: str) -> list[LogLine]:
        return [line for line in self.lines if line.origin.name == name]


@pytest.fixture
def run() -> Iterator[Callable[..., Collector]]:
    """Start sources on a feed of their own; every one is stopped (and must end) afterwards."""
    sources: list[Any] = []

    def start(source: Any, feed: LogFeed | None = None) -> Collector:
        feed = feed if feed is not None else LogFeed()
        source.start(feed)
        sources.append(source)
        return Collector(feed)

    yield start
    for source in sources:
        source.stop()
    for source in sources:
        assert source.join(5), f"{source} did not end"


def client_of(drill: Drill) -> KubeClient:
    return KubeClient(str(drill.kubeconfig), CONTEXT)


def pods_of(drill: Drill, namespace: str, selector: str) -> list[dict[str, Any]]:
    out = drill.kubectl("get", "pods", "-n", namespace, "-l", selector, "-o", "json").stdout
    return json.loads(out)["items"]


def running_pod(drill: Drill, namespace: str, selector: str) -> str:
    for pod in pods_of(drill, namespace, selector):
        states = [s.get("state", {}) for s in pod["status"].get("containerStatuses", [])]
        if states and all("running" in s for s in states):
            return pod["metadata"]["name"]
    raise AssertionError(f"no running pod for {selector}")


def kubectl_logs(drill: Drill, *args: str) -> list[tuple[datetime | None, str]]:
    """What `kubectl logs --timestamps` says, as (time, safe text) like a LogLine."""
    out = drill.kubectl("logs", "--timestamps", *args).stdout
    lines = []
    for raw in out.split("\n")[:-1]:
        _, moment, body = split_timestamp(raw.encode())
        lines.append((moment, sanitize(body)[0]))
    return lines


def seen_as(lines: list[LogLine]) -> list[tuple[datetime | None, str]]:
    return [(line.time, line.text) for line in lines]


def assert_contiguous(ours: list[tuple[datetime | None, str]], theirs: list[Any]) -> None:
    """Our lines are a run of the full log: nothing missing between them, nothing doubled."""
    assert ours, "no lines"
    starts = [i for i, item in enumerate(theirs) if item == ours[0]]
    assert starts, f"{ours[0]} is not in the log"
    assert any(theirs[i : i + len(ours)] == ours for i in starts), "not a contiguous run of the log"


def assert_exactly_the_log(drill: Drill, namespace: str, pod: str, lines: list[LogLine]) -> None:
    """Between our first and last line, we have exactly the lines the log has."""
    ours = seen_as(lines)
    first, last = lines[0].time, lines[-1].time
    assert first is not None and last is not None
    since = first.strftime("%Y-%m-%dT%H:%M:%SZ")
    theirs = kubectl_logs(drill, "-n", namespace, pod, f"--since-time={since}")
    theirs = [item for item in theirs if item[0] is not None and first <= item[0] <= last]
    assert ours == theirs


def in_time_order(lines: list[LogLine]) -> bool:
    times = [line.time for line in lines]
    return all(a is not None and b is not None and a <= b for a, b in itertools.pairwise(times))


TWINS = """\
apiVersion: v1
kind: Pod
metadata:
  name: twins
  namespace: default
  labels: {app: twins}
spec:
  containers:
  - name: web
    image: shop/web:1.0
  - name: sidecar
    image: nginx:1.27
"""


# -- a pod -----------------------------------------------------------------------------------


def test_a_followed_pod_gives_its_tail_then_new_lines(drill: Drill, run) -> None:
    pod = running_pod(drill, PROD, "app=app")
    source = PodLogs(client_of(drill), CONTEXT, PROD, pod, tail_lines=5)
    assert source.label == f"pod {PROD}/{pod}"
    c = run(source)
    c.until(lambda: len(c.lines) >= 5 and c.status(source.label) == "live", "the tail")
    c.until(lambda: len(c.lines) >= 8, "new lines")
    got = list(c.lines)
    assert all(line.origin == LogOrigin("pod", pod, CONTEXT, PROD) for line in got)
    assert in_time_order(got)
    assert all(line.time is not None and line.time.tzinfo is not None for line in got)
    # What we show is what kubectl shows: the same lines, the same times, none missing.
    assert_contiguous(seen_as(got), kubectl_logs(drill, "-n", PROD, pod))
    c.until(lambda: any(line.level is not None for line in c.lines), "a line with a level")


def test_all_containers_of_a_pod_are_tagged_and_merged(drill: Drill, run, tmp_path: Path) -> None:
    manifest = tmp_path / "twins.yaml"
    manifest.write_text(TWINS)
    drill.kubectl("apply", "-f", str(manifest))
    # Started while the containers are still being created: it waits for them.
    early = PodLogs(client_of(drill), CONTEXT, "default", "twins")
    c = run(early)
    c.until(lambda: c.detail(early.label) == "2 of 2 containers live", "both live")
    c.until(lambda: {line.origin.container for line in c.lines} == {"web", "sidecar"}, "both")
    # Started on a running pod: the tails are merged by time, then the followed lines.
    source = PodLogs(client_of(drill), CONTEXT, "default", "twins", reorder_window=2.0)
    c = run(source)
    c.until(lambda: c.detail(source.label) == "2 of 2 containers live", "both live")
    c.until(lambda: len(c.lines) >= 30, "the tails and more")
    assert {line.origin.label for line in c.lines} == {"twins/web", "twins/sidecar"}
    assert in_time_order(c.lines)
    for container in ("web", "sidecar"):
        ours = seen_as([line for line in c.lines if line.origin.container == container])
        theirs = kubectl_logs(drill, "-n", "default", "twins", "-c", container)
        assert_contiguous(ours, theirs)


def crashed_pod(drill: Drill) -> str:
    for pod in pods_of(drill, "default", "app=dhakacart-backend"):
        for status in pod["status"].get("containerStatuses", []):
            if "terminated" in status.get("lastState", {}):
                return pod["metadata"]["name"]
    return ""


def test_previous_logs_of_a_crash_looping_pod(start_drill, run) -> None:
    drill = start_drill("oom")
    pod = Collector(LogFeed()).until(lambda: crashed_pod(drill), "a pod that crashed")
    request = LogRequest("pod", pod, context=CONTEXT, namespace="default", previous=True)
    source = open_source(request, lambda context: client_of(drill))
    assert isinstance(source, PodLogs)
    assert source.label == f"pod default/{pod} (previous)"
    before = kubectl_logs(drill, "-n", "default", pod, "--previous")
    c = run(source)
    c.until(lambda: c.status(source.label) == "ended", "the previous log read")
    after = kubectl_logs(drill, "-n", "default", pod, "--previous")
    ours = seen_as(c.lines)
    assert ours in (before, after)  # the pod may crash once more meanwhile
    assert c.detail(source.label) == f"{len(ours)} lines"
    assert all(
        line.origin.previous and line.origin.label.endswith("(previous)") for line in c.lines
    )
    # It ends with the container's last words: its memory warning, then silence.
    last_words = c.lines[-2]
    assert "memory usage rss=511Mi" in last_words.text and last_words.level is Level.WARN
    assert "catalogue cache refresh" in c.lines[-1].text


def test_previous_of_a_pod_that_never_crashed_is_an_error(drill: Drill, run) -> None:
    pod = running_pod(drill, PROD, "app=app")
    source = PodLogs(client_of(drill), CONTEXT, PROD, pod, previous=True)
    c = run(source)
    c.until(lambda: c.status(source.label) == "error", "an error")
    assert "previous terminated container" in c.detail(source.label)
    missing = PodLogs(lambda: client_of(drill), CONTEXT, PROD, "no-such-pod")
    c = run(missing)
    c.until(lambda: c.status(missing.label) == "error", "not found")
    assert "not found" in c.detail(missing.label)
    assert not c.lines


def test_stop_ends_a_blocked_stream_at_once_and_nothing_follows(drill: Drill, run) -> None:
    pod = running_pod(drill, PROD, "app=app")
    feed = LogFeed()
    source = PodLogs(client_of(drill), CONTEXT, PROD, pod, tail_lines=1)
    c = run(source, feed)
    c.until(lambda: c.status(source.label) == "live" and c.lines, "live")
    source.stop()
    source.stop()  # idempotent
    assert source.join(3)  # the blocking read was aborted, not waited out
    feed.drain()
    lines, states, _ = feed.drain()
    assert not lines  # nothing after stop()
    assert states[source.label].status == "live"  # and no state change either


# -- a workload ------------------------------------------------------------------------------


def test_a_deployment_is_merged_in_time_order_and_tagged(drill: Drill, run) -> None:
    source = WorkloadLogs(
        client_of(drill), CONTEXT, PROD, "deployment", "app", tail_lines=30, reorder_window=2.0
    )
    assert source.label == f"deployment {PROD}/app"
    c = run(source)
    c.until(lambda: len({line.origin.name for line in c.lines}) == 3, "lines from 3 pods")
    c.until(lambda: len(c.lines) > 100, "followed lines after the tails")
    assert c.status(source.label) == "live" and c.detail(source.label) == "following 3 pods"
    assert len(source.following) == 3 and source.selector == "app=app"
    assert in_time_order(c.lines)
    for pod in source.following:
        mine = c.of(pod)
        assert all(line.origin == LogOrigin("pod", pod, CONTEXT, PROD) for line in mine)
        assert_contiguous(seen_as(mine), kubectl_logs(drill, "-n", PROD, pod))


def test_a_label_selector_with_set_syntax(drill: Drill, run) -> None:
    source = WorkloadLogs(
        client_of(drill), CONTEXT, PROD, "selector", "app in (mongo)", tail_lines=20
    )
    c = run(source)
    c.until(
        lambda: {line.origin.name for line in c.lines} == {"mongo-0", "mongo-1", "mongo-2"}, "mongo"
    )
    # MongoDB writes JSON with its level in "s": read as a level.
    assert any(line.level is Level.INFO for line in c.lines)


def test_previous_logs_of_a_deployment_are_merged(start_drill, run) -> None:
    drill = start_drill("oom")
    Collector(LogFeed()).until(lambda: crashed_pod(drill), "a pod that crashed")
    source = WorkloadLogs(
        client_of(drill), CONTEXT, "default", "deploy", "dhakacart-backend", previous=True
    )
    c = run(source)
    c.until(lambda: c.status(source.label) == "ended", "the previous logs read")
    pods = {line.origin.name for line in c.lines}
    assert pods and c.detail(source.label) == f"{len(pods)} of {len(pods)} pods read"
    assert in_time_order(c.lines)  # merged by timestamp, not one pod after another
    for pod in pods:
        assert "catalogue cache refresh" in c.of(pod)[-1].text


def test_a_deleted_pod_leaves_and_its_replacement_joins(drill: Drill, run) -> None:
    source = WorkloadLogs(client_of(drill), CONTEXT, PROD, "deployment", "app", tail_lines=5)
    c = run(source)
    c.until(lambda: len({line.origin.name for line in c.lines}) == 3, "lines from 3 pods")
    # Watch history forgotten and the watch cut: resuming gets 410 Gone, the source relists.
    drill.call(drill.cluster.expire_versions)
    drill.call(drill.cluster.faults.drop_watches)
    before = set(source.following)
    victim = source.following[0]
    drill.kubectl("delete", "pod", "-n", PROD, victim, "--wait=false")
    c.until(lambda: victim not in source.following and len(source.following) == 3, "a new pod")
    [newcomer] = set(source.following) - before
    c.until(lambda: len(c.of(newcomer)) >= 5, "the newcomer's lines")
    # A pod that came later is shown from its first line, not from a tail.
    assert seen_as(c.of(newcomer))[:5] == kubectl_logs(drill, "-n", PROD, newcomer)[:5]
    assert c.of(newcomer)[1].text.endswith(" start")
    mark = len(c.lines)
    others = [p for p in source.following if p != newcomer]
    c.until(lambda: all(c.of(p)[-1] in c.lines[mark:] for p in others), "more of the others")
    assert not [line for line in c.lines[mark:] if line.origin.name == victim]
    assert c.detail(source.label) == "following 3 pods"


def test_streams_are_capped(drill: Drill, run) -> None:
    source = WorkloadLogs(client_of(drill), CONTEXT, PROD, "deployment", "app", max_streams=2)
    c = run(source)
    c.until(lambda: c.status(source.label) == "capped", "capped")
    assert c.detail(source.label) == "following 2 of 3 pods"
    followed = source.following
    assert len(followed) == 2
    c.until(lambda: {line.origin.name for line in c.lines} == set(followed), "lines of both")
    victim = followed[0]
    drill.kubectl("delete", "pod", "-n", PROD, victim, "--wait=false")
    c.until(lambda: victim not in source.following and len(source.following) == 2, "a new pick")
    c.until(lambda: c.detail(source.label) == "following 2 of 3 pods", "capped again")


# -- broken streams ----------------------------------------------------------------------------


def test_a_dropped_stream_resumes_without_duplicates_or_losses(drill: Drill, run) -> None:
    pod = running_pod(drill, PROD, "app=app")
    source = PodLogs(client_of(drill), CONTEXT, PROD, pod, tail_lines=10)
    c = run(source)
    c.until(lambda: len(c.lines) >= 12, "some followed lines")
    for _ in range(3):  # the server ends every followed log (as a kubelet restart does)
        count = len(c.lines)
        drill.call(drill.cluster.world.close_streams)
        c.until(lambda n=count: len(c.lines) >= n + 3, "lines after the drop")
    assert c.status(source.label) == "live"
    assert_exactly_the_log(drill, PROD, pod, c.lines)


def test_an_api_server_restart_is_survived_without_duplicates_or_losses(drill: Drill, run) -> None:
    pod = running_pod(drill, PROD, "app=app")
    source = PodLogs(client_of(drill), CONTEXT, PROD, pod, tail_lines=10)
    workload = WorkloadLogs(client_of(drill), CONTEXT, PROD, "deployment", "app", tail_lines=1)
    c = run(source)
    w = run(workload)  # on a feed of its own: the same pod's lines come from both
    c.until(lambda: len(c.lines) >= 12, "lines")
    w.until(lambda: w.status(workload.label) == "live", "the workload live")
    drill.call(drill.cluster.schedule_restart, 3.0)
    c.until(lambda: c.status(source.label) == "reconnecting", "reconnecting")
    assert re.fullmatch(r"in \d+ s: .+", c.detail(source.label))
    w.until(lambda: w.status(workload.label) == "reconnecting", "the workload reconnecting")
    c.until(lambda: c.status(source.label) == "live", "live again", timeout=60)
    count = len(c.lines)
    c.until(lambda: len(c.lines) >= count + 3, "lines after the restart")
    w.until(lambda: w.status(workload.label) == "live", "the workload live again", timeout=60)
    assert_exactly_the_log(drill, PROD, pod, c.lines)


# -- files -------------------------------------------------------------------------------------


def test_a_file_tail_then_follow(tmp_path: Path, run) -> None:
    path = tmp_path / "app.log"
    path.write_text("".join(f"line {i}\n" for i in range(1000)))
    source = FileLogs(path, tail_lines=10)
    assert source.label == f"file {path}"
    c = run(source)
    c.until(lambda: len(c.lines) == 10, "the tail")
    assert [line.text for line in c.lines] == [f"line {i}" for i in range(990, 1000)]
    assert c.lines[0].origin == LogOrigin("file", str(path))
    with path.open("a") as log:
        log.write("line 1000\n2024-05-01T10:00:00.250Z ERROR late\r\n")
    c.until(lambda: len(c.lines) == 12, "appended lines")
    late = c.lines[-1]
    assert late.text == "2024-05-01T10:00:00.250Z ERROR late"  # CRLF: no visible CR
    assert late.time == datetime(2024, 5, 1, 10, 0, 0, 250000, UTC)
    assert late.level is Level.ERROR and c.lines[0].time is None
    assert c.status(source.label) == "live"


def test_a_file_from_its_start_in_batches(tmp_path: Path, run) -> None:
    path = tmp_path / "big.log"
    path.write_text("".join(f"INFO line {i}\n" for i in range(20_000)))

    class CountingFeed(LogFeed):
        puts = 0

        def put(self, lines: list[LogLine]) -> None:
            CountingFeed.puts += 1
            super().put(lines)

    c = run(FileLogs(path, from_start=True), CountingFeed())
    c.until(lambda: len(c.lines) == 20_000, "every line")
    assert [line.text for line in c.lines[:2]] == ["INFO line 0", "INFO line 1"]
    assert all(line.level is Level.INFO for line in c.lines)
    assert CountingFeed.puts < 100  # batches, not a put per line


def test_a_rotated_file_is_finished_then_the_new_one_read(tmp_path: Path, run) -> None:
    path = tmp_path / "app.log"
    writer = path.open("a", buffering=1)
    writer.write("a\nb\n")
    c = run(FileLogs(path))
    c.until(lambda: len(c.lines) == 2, "a, b")
    writer.write("c\n")  # the writer's last line before the rotation...
    path.rename(tmp_path / "app.log.1")  # ...logrotate renames and creates
    writer.write("d\n")  # the writer still has the old file open
    writer.close()
    path.write_text("e\nf\n")
    c.until(lambda: len(c.lines) == 6, "the rest of the old file and the new one")
    assert [line.text for line in c.lines] == ["a", "b", "c", "d", "e", "f"]


def test_a_truncated_file_is_read_from_its_start(tmp_path: Path, run) -> None:
    path = tmp_path / "app.log"
    path.write_text("".join(f"old {i}\n" for i in range(50)))
    source = FileLogs(path, tail_lines=2)
    c = run(source)
    c.until(lambda: len(c.lines) == 2, "the tail")
    shutil.copy(path, tmp_path / "app.log.1")  # copytruncate
    with path.open("r+") as log:
        log.truncate(0)
    with path.open("a") as log:
        log.write("new 0\nnew 1\n")
    c.until(lambda: len(c.lines) == 4, "the new lines")
    assert [line.text for line in c.lines] == ["old 48", "old 49", "new 0", "new 1"]
    assert "truncated" in c.detail(source.label)


def test_a_file_that_appears_later_or_cannot_be_read(tmp_path: Path, run) -> None:
    path = tmp_path / "later.log"
    source = FileLogs(path)
    c = run(source)
    c.until(lambda: "waiting for the file" in c.detail(source.label), "waiting")
    assert c.status(source.label) == "connecting"
    path.write_text("hello\n")
    c.until(lambda: [line.text for line in c.lines] == ["hello"], "its lines")
    path.unlink()
    c.until(lambda: "appear again" in c.detail(source.label), "gone")
    path.mkdir()  # a directory where the file should be: cannot be read
    c.until(lambda: c.status(source.label) == "error", "the error")
    assert "Is a directory" in c.detail(source.label)
    path.rmdir()
    path.write_text("back\n")
    c.until(lambda: [line.text for line in c.lines] == ["hello", "back"], "recovered")
    assert c.status(source.label) == "live"


def test_a_last_line_without_newline_is_shown_once_quiet(tmp_path: Path, run) -> None:
    path = tmp_path / "prompt.log"
    path.write_text("done\nwaiting for input: ")
    c = run(FileLogs(path))
    c.until(lambda: [line.text for line in c.lines] == ["done", "waiting for input: "], "both")


def test_hostile_lines_come_out_safe(tmp_path: Path, run) -> None:
    hostile = [
        b"[red]x[/] [@click=app.quit]quit[/]",
        b"\x1b]0;owned\x07title changed",
        b"\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\",
        b"\x1b[2J\x1b[Hcleared",
        b"\x1bP1$qm\x1b\\dcs",
        b"bell\x07 nul\x00",
        b"caf\xc3\xa9 \xff\xfe invalid",
        "rtl \u202etxt.exe zero\u200bwidth".encode(),
        b"\x1b[31mERROR\x1b[0m coloured",
        b"x" * 1_000_000,
    ]
    path = tmp_path / "hostile.log"
    path.write_bytes(b"\n".join(hostile) + b"\n")
    c = run(FileLogs(path, from_start=True))
    c.until(lambda: len(c.lines) == len(hostile), "every line")
    texts = [line.text for line in c.lines]
    for line in c.lines:
        assert not UNSAFE.search(line.text), line.text[:80]
    assert texts[0] == "[red]x[/] [@click=app.quit]quit[/]"  # text, never markup
    assert texts[1:6] == ["title changed", "link", "cleared", "dcs", "bell␇ nul␀"]
    assert texts[6] == "café \ufffd\ufffd invalid"
    assert texts[7] == "rtl \ufffdtxt.exe zero\u200bwidth"
    assert texts[8] == "ERROR coloured" and c.lines[8].spans == ((0, 5, "red"),)
    assert c.lines[8].level is Level.ERROR
    assert len(texts[9]) == 4000 and c.lines[9].cut == 1_000_000 - 4000


# -- a container engine ---------------------------------------------------------------------------


class NotFound(Exception):
    status_code = 404


class FakeEngine:
    """A container engine's log API in memory: what `docker logs --timestamps --follow`
    streams. `drop()` cuts every open stream, `stop()` stops the container."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.log: list[tuple[datetime, str]] = []
        self.running = True
        self.epoch = 0
        self.calls: list[tuple[int, datetime | None, bool]] = []
        self.clock = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)

    def write(self, *texts: str, same_instant: bool = False) -> None:
        with self.cond:
            for text in texts:
                if not same_instant or not self.log:
                    self.clock += timedelta(milliseconds=400)
                self.log.append((self.clock, text))
            self.cond.notify_all()

    def drop(self) -> None:
        with self.cond:
            self.epoch += 1
            self.cond.notify_all()

    def stop(self) -> None:
        with self.cond:
            self.running = False
            self.cond.notify_all()

    def stream(
        self, container_id: str, *, tail: int, since: datetime | None, follow: bool
    ) -> Iterator[bytes]:
        if container_id != "c0ffee":
            raise NotFound(f"No such container: {container_id}")
        self.calls.append((tail, since, follow))
        return FakeStream(self, tail, since, follow)


class FakeStream:
    def __init__(self, engine: FakeEngine, tail: int, since: datetime | None, follow: bool) -> None:
        self.engine = engine
        self.follow = follow
        self.closed = False
        with engine.cond:
            self.epoch = engine.epoch
            start = 0
            if since is not None:
                start = next(
                    (i for i, (t, _) in enumerate(engine.log) if t >= since), len(engine.log)
                )
            if tail >= 0:
                start = max(start, len(engine.log) - tail)
            self.position = start

    def __iter__(self) -> FakeStream:
        return self

    def __next__(self) -> bytes:
        engine = self.engine
        with engine.cond:
            while True:
                if self.closed:
                    raise StopIteration
                if engine.epoch != self.epoch:
                    raise ConnectionResetError("connection reset by peer")
                if self.position < len(engine.log):
                    moment, text = engine.log[self.position]
                    self.position += 1
                    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}123Z"
                    return f"{stamp} {text}\n".encode()
                if not self.follow or not engine.running:
                    raise StopIteration
                engine.cond.wait(1.0)

    def close(self) -> None:
        with self.engine.cond:
            self.closed = True
            self.engine.cond.notify_all()


def test_a_container_log_resumes_after_a_drop_and_ends_when_it_stops(run) -> None:
    engine = FakeEngine()
    engine.write(*(f"boot {i}" for i in range(10)))
    source = ContainerLogs(engine, "c0ffee", "shop-web", tail_lines=4)
    assert source.label == "container shop-web"
    c = run(source)
    c.until(lambda: len(c.lines) == 4 and c.status(source.label) == "live", "the tail")
    engine.write("tick", "tick", "tock", same_instant=True)  # three lines, one instant
    c.until(lambda: len(c.lines) == 7, "new lines")
    engine.drop()
    c.until(lambda: c.status(source.label) == "reconnecting", "reconnecting")
    assert c.detail(source.label) == "in 1 s: connection reset by peer"
    c.until(lambda: c.status(source.label) == "live", "live again")
    tail, since, follow = engine.calls[-1]
    assert (tail, follow) == (-1, True)
    assert since == engine.log[-1][0].replace(microsecond=0)  # from the last second seen
    engine.write("after 1", "after 2")
    c.until(lambda: len(c.lines) == 9, "lines after the drop")
    assert [line.text for line in c.lines] == [text for _, text in engine.log[6:]]
    assert [line.time for line in c.lines] == [t for t, _ in engine.log[6:]]
    assert all(line.origin == LogOrigin("container", "shop-web") for line in c.lines)
    engine.stop()
    c.until(lambda: c.status(source.label) == "ended", "ended")
    assert c.detail(source.label) == "the container stopped"
    assert len(c.lines) == 9


def test_a_missing_container_is_an_error(run) -> None:
    source = ContainerLogs(FakeEngine(), "deadbeef", "gone")
    c = run(source)
    c.until(lambda: c.status(source.label) == "error", "an error")
    assert "No such container" in c.detail(source.label)


# -- requests ----------------------------------------------------------------------------------


def test_requests_open_the_right_source(tmp_path: Path) -> None:
    def no_client(context: str) -> KubeClient:
        raise AssertionError("not called before start")

    cases = {
        LogRequest("pod", "web-1", "prod", "shop"): (PodLogs, "pod shop/web-1"),
        LogRequest("pod", "web-1", "prod", "shop", container="app", previous=True): (
            PodLogs,
            "pod shop/web-1/app (previous)",
        ),
        LogRequest("deployment", "checkout", "prod", "shop"): (
            WorkloadLogs,
            "deployment shop/checkout",
        ),
        LogRequest("sts", "db", "prod", "shop"): (WorkloadLogs, "statefulset shop/db"),
        LogRequest("selector", "app=web", "prod", "shop"): (WorkloadLogs, "selector shop/app=web"),
        LogRequest("file", str(tmp_path / "x.log")): (FileLogs, f"file {tmp_path / 'x.log'}"),
    }
    for request, (kind, label) in cases.items():
        source = open_source(request, no_client)
        assert isinstance(source, kind) and source.label == label
    container = open_source(
        LogRequest("container", "c0ffee", container="web"), no_client, containers=FakeEngine()
    )
    assert isinstance(container, ContainerLogs) and container.label == "container web"
    for bad in (
        LogRequest("pod", "web-1"),  # no context, no namespace
        LogRequest("container", "c0ffee"),  # no engine
        LogRequest("configmap", "x", "prod", "shop"),
    ):
        with pytest.raises(ValueError):
            open_source(bad, no_client)
