"""Log sources for the Logs pane: a pod, a workload's pods merged, a file, a container.

A source runs in its own daemon threads and hands `LogLine`s to a `LogFeed` in
batches (one `put` per ~100 ms, however fast lines come), with a `SourceState`
saying how it is doing: connecting, live, reconnecting ("in 4 s: connection
refused"), capped ("following 20 of 35 pods"), ended or error. Every line is
sanitized and its level detected here, once, in the source's thread: the pane
only renders.

Streams break: API servers restart, idle connections are cut, containers
restart. A stream resumes from the newest timestamp it delivered (`sinceTime`,
docker's `since`) and drops what it delivered already, so a reconnect neither
repeats nor loses a line. `stop()` aborts blocking reads (it shuts the
response's socket), so a source ends within a moment whatever the network does.

    source = open_source(LogRequest("deployment", "checkout", context="prod",
                                    namespace="shop"), client_for_context)
    source.start(feed)     # returns at once
    ...
    source.stop()          # idempotent, returns at once

The package, a module a job:

    tuning       the numbers: back-off, timeouts, sizes, DEFAULT_TAIL
    lines        raw bytes into LogLines: timestamps split off, sanitized, level detected
    resume       dropping what a resumed stream repeats
    streams      HTTP and iterator line streams that stop() can abort
    outbox       the hand-over queue and its reorder window
    source       threads, stop, state and retries shared by every source
    followers    sources made of resumable streams (_Group, _Follower)
    pod_objects  reading pods' JSON
    pods         PodLogs
    workloads    WorkloadLogs, label_selector
    files        FileLogs
    containers   ContainerLogs and the ContainerLogReader it reads through
    request      LogRequest, open_source
"""

from tui.sources.logs.containers import ContainerLogReader, ContainerLogs
from tui.sources.logs.files import FileLogs
from tui.sources.logs.lines import file_timestamp, make_line, split_timestamp
from tui.sources.logs.pods import PodLogs
from tui.sources.logs.request import LogRequest, LogSource, open_source
from tui.sources.logs.tuning import DEFAULT_TAIL
from tui.sources.logs.workloads import WORKLOAD_KINDS, WorkloadLogs, label_selector

__all__ = [
    "DEFAULT_TAIL",
    "WORKLOAD_KINDS",
    "ContainerLogReader",
    "ContainerLogs",
    "FileLogs",
    "LogRequest",
    "LogSource",
    "PodLogs",
    "WorkloadLogs",
    "file_timestamp",
    "label_selector",
    "make_line",
    "open_source",
    "split_timestamp",
]
