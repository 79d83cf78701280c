"""Typed messages that carry snapshots from the app's workers to the widgets.

A newer snapshot of the same thing replaces one still waiting in a widget's
queue (`can_replace`), so a busy screen renders the latest state once instead
of every intermediate one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

# Only for annotations: the Kubernetes model and the probe modules (with the HTTP and
# TLS libraries) are not needed before the console's first frame.
if TYPE_CHECKING:
    from tui.sources.host_rows import HostSample
    from tui.sources.kube.model import Delta
    from tui.sources.probe_hosts import Finding, HostReport
    from tui.sources.probes import ProbeState
    from tui.sources.prometheus import QueryResult
    from tui.sources.thresholds import Reading
    from tui.timeline.model import Event, IncidentState


@dataclass(frozen=True, slots=True)
class HostHistory:
    """Recent values for the sparklines, oldest first."""

    cpu: tuple[float, ...]
    memory: tuple[float, ...]
    load: tuple[float, ...]
    disk_io: tuple[float, ...]
    net: tuple[float, ...]


class HostSampled(Message):
    def __init__(
        self, sample: HostSample, readings: tuple[Reading, ...], history: HostHistory
    ) -> None:
        super().__init__()
        self.sample = sample
        self.readings = readings
        self.history = history

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, HostSampled)


class HostUnavailable(Message):
    """Sampling failed; the pane says why and keeps the last good values."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class TimelineAppended(Message):
    """New events (commit order) and the incident state after them."""

    def __init__(self, events: tuple[Event, ...], state: IncidentState) -> None:
        super().__init__()
        self.events = events
        self.state = state


class TimelineTrouble(Message):
    """The incident file could not be read or written; shown, never fatal."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class KubeUpdated(Message):
    """What changed in the clusters in view since the last update (rows by key)."""

    def __init__(self, delta: Delta, contexts: tuple[str, ...]) -> None:
        super().__init__()
        self.delta = delta
        self.contexts = contexts


class KubeUnavailable(Message):
    """No cluster to show: no kubeconfig, or none of its contexts could be used."""

    def __init__(self, reason: str, *, offer_drill: bool) -> None:
        super().__init__()
        self.reason = reason
        self.offer_drill = offer_drill


class ProbesUpdated(Message):
    """Every configured URL probe as of its last check (a snapshot: the newest wins)."""

    def __init__(self, states: tuple[ProbeState, ...], *, configured: bool = True) -> None:
        super().__init__()
        self.states = states
        self.configured = configured

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ProbesUpdated)


class HostsChecked(Message):
    """The latest DNS/TLS/HTTP report of every ingress host, and hosts not checked (why)."""

    def __init__(
        self,
        reports: Mapping[str, HostReport],
        skipped: Mapping[str, str],
        pairs: tuple[Finding, ...] = (),
    ) -> None:
        super().__init__()
        self.reports = reports
        self.skipped = skipped
        self.pairs = pairs

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, HostsChecked)


class PrometheusPolled(Message):
    """The configured Prometheus queries' latest results, by label."""

    def __init__(self, url: str, results: Mapping[str, QueryResult]) -> None:
        super().__init__()
        self.url = url
        self.results = results

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, PrometheusPolled)
