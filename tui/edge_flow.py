"""What the app does for the Ingress pane: probes, host checks, Prometheus, records.

- URL probes (`--probe`, `[probes] endpoints`) run in a `ProbeRunner`;
- every host the ingresses in view route gets a `HostWatch` (DNS against the
  ingress's load balancer address, the certificate, the front page and its
  bundles), at most a few rounds at a time;
- Prometheus, when configured, is polled for its queries;
- every transition is recorded once in the timeline: a probe going down or
  coming back, a host check's finding appearing or clearing, an ingress
  finding appearing or clearing. `TimelineStore.record_transition` keeps it once
  per file, however many consoles watch the same thing.

The probe modules load the HTTP and TLS libraries (a tenth of a second):
they are imported in a thread, after the first frame, and only when needed.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tui.messages import HostsChecked, KubeUpdated, ProbesUpdated, PrometheusPolled
from tui.sources.kube.cache import Key
from tui.sources.kube.ingress import IngressRow
from tui.sources.kube.ingress_index import FindingChange, FindingLedger
from tui.sources.kube.model import Delta
from tui.sources.probe_dns import parse_pins, pinned_address
from tui.timeline.model import EventKind

if TYPE_CHECKING:
    from textual.worker import Worker

    from tui.app import WarRoomApp
    from tui.sources.probe_hosts import HostReport, HostWatch
    from tui.sources.probes import ProbeRunner, ProbeTransition, ProbeUpdate

# More hosts than this in view (all namespaces of a big cluster): the rest wait.
MAX_HOSTS = 50
# Host check rounds running at once; each round is several connections.
HOST_ROUNDS = 4
PROMETHEUS_SECONDS = 15.0
# RFC 5737 / RFC 3849 documentation ranges: never routable, so never worth a check
# (a drill cluster's load balancers live there).
DOCUMENTATION_NETS = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
                                      "2001:db8::/32")
)  # fmt: skip


def documentation_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False  # a load balancer's host name
    return any(ip.version == net.version and ip in net for net in DOCUMENTATION_NETS)


def checkable_host(host: str) -> bool:
    return bool(host) and "*" not in host


@dataclass(frozen=True, slots=True)
class _Record:
    kind: str
    text: str
    subject: str
    state: str
    quiet_state: str
    data: dict[str, Any]
    source: str


class EdgeFlow:
    def __init__(self, app: WarRoomApp) -> None:
        self.app = app
        self.settings = app.settings.probes
        self.pins = parse_pins(self.settings.resolve)
        self.ledger = FindingLedger()
        self.rows: dict[Key, IngressRow] = {}
        self.runner: ProbeRunner | None = None
        self.watches: dict[str, HostWatch] = {}
        self.reports: dict[str, HostReport] = {}
        self.skipped: dict[str, str] = {}
        self._host_workers: dict[str, Worker[None]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._records: asyncio.Queue[_Record] = asyncio.Queue()
        self._slots = asyncio.Semaphore(HOST_ROUNDS)
        self._loaded: asyncio.Future[None] | None = None

    @property
    def _pane(self) -> Any:
        return self.app.console_screen.pane("ingress")

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        self.app.run_worker(self._recorder(), name="edge-records", group="edge",
                            exit_on_error=False)  # fmt: skip
        self.app.run_worker(self._run_probes(), name="probes", group="edge", exit_on_error=False)
        if self.settings.prometheus_url:
            self.app.run_worker(self._poll_prometheus(), name="prometheus", group="edge",
                                exit_on_error=False)  # fmt: skip

    async def _load(self) -> None:
        """Import the probe modules once, in a thread: the loop keeps drawing meanwhile."""
        if self._loaded is None:
            self._loaded = asyncio.get_running_loop().create_future()
            modules = ("tui.sources.probes", "tui.sources.probe_hosts", "tui.sources.prometheus")
            await asyncio.to_thread(lambda: [importlib.import_module(m) for m in modules])
            # Those libraries, and the console around them, are here to stay. A full
            # collection walks every tracked object (50-80 ms in a full console, a
            # stalled key each time); frozen objects are skipped by it, and are still
            # freed when their last reference goes.
            gc.freeze()
            self._loaded.set_result(None)
        await self._loaded

    # -- ingresses ---------------------------------------------------------------------

    def kube_updated(self, delta: Delta) -> None:
        """New ingress rows: record finding changes, follow the hosts they route."""
        table = delta.ingresses
        if not table:
            return
        for key in table.removed:
            self.rows.pop(key, None)
        self.rows.update(table.updated)
        for change in self.ledger.update(table.updated.values(), table.removed):
            self._queue_finding(change)
        self._sync_hosts()

    def reset_ingresses(self) -> None:
        """The watches start again (another context or namespace): drop what was shown."""
        if not self.rows:
            return
        delta = Delta()
        delta.ingresses.removed |= set(self.rows)
        self._pane.post_message(KubeUpdated(delta, ()))
        self.kube_updated(delta)

    def _queue_finding(self, change: FindingChange) -> None:
        self._records.put_nowait(
            _Record(EventKind.INGRESS_FINDING, change.text, change.subject, change.state, "ok",
                    change.data, "kubernetes")
        )  # fmt: skip

    def _wanted_hosts(self) -> dict[str, tuple[str, ...]]:
        """host -> the load balancer addresses of the ingresses routing it; broken first."""
        wanted: dict[str, dict[str, None]] = {}
        for row in sorted(self.rows.values(), key=lambda r: (r.rank, r.namespace, r.name)):
            for host in row.hosts:
                if checkable_host(host):
                    wanted.setdefault(host, {}).update(dict.fromkeys(row.addresses))
        return {host: tuple(addresses) for host, addresses in wanted.items()}

    def _skip_reason(self, host: str, expected: tuple[str, ...], index: int) -> str | None:
        if not self.settings.host_checks:
            return "host checks are off (probes.host_checks = false)"
        if pinned_address(self.pins, host) is not None:
            return None  # pinned with --resolve: checked whatever DNS or the ingress say
        if index >= MAX_HOSTS:
            return f"more than {MAX_HOSTS} hosts in view; narrow the namespaces to check it"
        if expected and all(documentation_address(a) for a in expected):
            return (
                f"the ingress address {', '.join(expected)} is a documentation address"
                " (a drill): pin the host with --resolve HOST:ADDR to check it"
            )
        return None

    def _sync_hosts(self) -> None:
        wanted = self._wanted_hosts()
        for host in [h for h in self._host_workers if h not in wanted]:
            self._unwatch(host)
        self.skipped = {}
        for index, (host, expected) in enumerate(wanted.items()):
            reason = self._skip_reason(host, expected, index)
            if reason is not None:
                self.skipped[host] = reason
                self._unwatch(host)
                continue
            watch = self.watches.get(host)
            if watch is not None:
                watch.expected = expected
            elif host not in self._host_workers:
                self._host_workers[host] = self.app.run_worker(
                    self._watch_host(host, expected), name=f"host:{host}", group="edge-hosts",
                    exit_on_error=False,
                )  # fmt: skip
        self._post_hosts()

    def _unwatch(self, host: str) -> None:
        worker = self._host_workers.pop(host, None)
        if worker is not None:
            worker.cancel()
        self.watches.pop(host, None)
        self.reports.pop(host, None)
        self._wake.pop(host, None)

    async def _watch_host(self, host: str, expected: tuple[str, ...]) -> None:
        await self._load()
        from tui.sources.probe_hosts import HostWatch

        settings = self.settings
        watch = HostWatch(host, expected, pins=self.pins, timeout=settings.timeout,
                          interval=settings.host_check_seconds)  # fmt: skip
        self.watches[host] = watch
        wake = self._wake.setdefault(host, asyncio.Event())
        while True:
            wake.clear()
            async with self._slots:
                report = await watch.check()
            if self.watches.get(host) is not watch:
                return  # no longer wanted while it was checking
            self.reports[host] = report
            self._post_hosts()
            for transition in report.transitions:
                self._queue_transition(transition, f"host:{host}#{transition.data['subject']}")
            try:
                await asyncio.wait_for(wake.wait(), timeout=watch.interval)
            except TimeoutError:
                pass

    def _post_hosts(self) -> None:
        pairs: tuple[Any, ...] = ()
        if self.reports:
            from tui.sources.probe_hosts import pair_findings  # loaded with the first report

            pairs = tuple(pair_findings(self.reports.values()))
        self._pane.post_message(HostsChecked(dict(self.reports), dict(self.skipped), pairs))

    def recheck_hosts(self, hosts: Iterable[str]) -> None:
        for host in hosts:
            if host in self._wake:
                self._wake[host].set()

    # -- probes ------------------------------------------------------------------------

    async def _run_probes(self) -> None:
        if not self.settings.endpoints:
            self._pane.post_message(ProbesUpdated((), configured=False))
            return
        await self._load()
        from tui.sources.probes import ProbeRunner, parse_probes

        try:
            specs = parse_probes(self.settings.endpoints)
        except ValueError as error:  # checked at start; a bad value must still not crash
            self.app.notify(f"Probes not started: {error}", severity="error", markup=False)
            self._pane.post_message(ProbesUpdated((), configured=False))
            return
        runner = ProbeRunner(specs, pins=self.pins, max_concurrency=self.settings.max_concurrency)
        self.runner = runner
        self._pane.post_message(ProbesUpdated(runner.states()))
        await runner.run_forever(self._probe_update)

    def _probe_update(self, update: ProbeUpdate) -> None:
        assert self.runner is not None
        self._pane.post_message(ProbesUpdated(self.runner.states()))
        for transition in update.transitions:
            self._queue_transition(transition, f"probe:{transition.name}")

    async def recheck_probes(self) -> None:
        runner = self.runner
        if runner is None:
            return
        for update in await runner.check_all():
            self._probe_update(update)

    def _queue_transition(self, transition: ProbeTransition, subject: str) -> None:
        data = {**transition.data, "check": transition.kind, "name": transition.name}
        if transition.kind == "probe":
            state, quiet = ("up" if transition.up else "down"), "up"
        else:
            state, quiet = ("ok" if transition.up else str(data.get("code"))), "ok"
        self._records.put_nowait(
            _Record(EventKind.PROBE_TRANSITION, transition.text, subject, state, quiet, data,
                    "probes")
        )  # fmt: skip

    # -- prometheus --------------------------------------------------------------------

    async def _poll_prometheus(self) -> None:
        await self._load()
        from tui.sources.prometheus import DEFAULT_QUERIES, PrometheusClient

        settings = self.settings
        url = settings.prometheus_url
        queries = dict(settings.prometheus_queries) or dict(DEFAULT_QUERIES)
        self._pane.post_message(PrometheusPolled(url, {}))
        try:
            client = await asyncio.to_thread(
                PrometheusClient, url, timeout=settings.timeout, queries=queries
            )
        except ValueError as error:
            self.app.notify(f"Prometheus not polled: {error}", severity="error", markup=False)
            return
        try:
            while True:
                self._pane.post_message(PrometheusPolled(url, await client.apoll()))
                await asyncio.sleep(PROMETHEUS_SECONDS)
        finally:
            client.close()

    # -- recording ---------------------------------------------------------------------

    async def _recorder(self) -> None:
        """Record transitions one by one, in order: an appearance before its clearing."""
        while True:
            record = await self._records.get()
            await self.app.record_transition(
                record.kind, record.text, subject=record.subject, state=record.state,
                quiet_state=record.quiet_state, data=record.data, source=record.source,
            )  # fmt: skip

    # -- runbooks ----------------------------------------------------------------------

    async def open_runbook(self, name: str, reason: str) -> None:
        """Open the bundled (or team) runbook `name` in the Runbook pane."""
        flow = getattr(self.app, "runbook_flow", None)
        if flow is not None:
            await flow.loaded.wait()
            found = next((rb for rb in flow.library if rb.path and rb.path.stem == name), None)
            if found is not None:
                await flow.open(found)
                self.app.console_screen.activate_pane("runbook")
                self.app.notify(f"Runbook {found.title}: {reason}", timeout=6, markup=False)
                return
        self.app.notify(f"No runbook named {name} is installed. For: {reason}",
                        severity="warning", markup=False)  # fmt: skip
