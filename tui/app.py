"""WarRoomApp: opens the incident file, starts the workers, routes messages.

Data flows one way: workers (host sampling, timeline following) collect in the
background and post snapshots to the panes; operator actions go through the
`record_*` methods, which commit to the incident file first and only then
confirm on screen.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.filter import LineFilter
from textual.message import Message
from textual.screen import Screen

from tui import screen_redaction
from tui.banner_contexts import banner_contexts
from tui.config import Settings
from tui.identity import current_actor
from tui.keymap import KeyMap
from tui.kube_options import KubeOptions
from tui.messages import (
    HostHistory,
    HostSampled,
    HostUnavailable,
    KubeUnavailable,
    KubeUpdated,
    TimelineAppended,
    TimelineTrouble,
)
from tui.no_color import NO_COLOR_CSS, without_colour
from tui.present import PRESENT_THEME, Presentation
from tui.safetext import one_line
from tui.screens.console import PANE_ORDER, ConsoleScreen
from tui.sixteen_colours import use_sixteen_colour_theme
from tui.timeline.model import (
    Event,
    EventKind,
    IncidentState,
    Milestone,
    Severity,
    StateFolder,
    Status,
    format_ts,
    utc_now,
)
from tui.timeline.store import StoreError, TimelineStore
from tui.view_only import BANNER_MARKER, NOTICE, refuses_action, refuses_request
from widgets.banner import IncidentBanner
from widgets.format import short_duration

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from tui.docker_flow import DockerFlow
    from tui.edge_flow import EdgeFlow
    from tui.held_flow import HeldFlow
    from tui.kube_flow import KubeFlow
    from tui.kube_session import KubeSession
    from tui.logs_flow import LogsFlow
    from tui.process_flow import ProcessFlow
    from tui.runbook_flow import RunbookFlow
    from tui.sources.kube.model import Delta, Transition
    from tui.sources.thresholds import Crossing
    from widgets.container_requests import (
        ContainerActionRequested,
        ContainerInspectRequested,
        ContainerLogsRequested,
    )
    from widgets.ingress_pane import IngressPane
    from widgets.kube_requests import (
        ActionRequested,
        DetailRequested,
        DrillRequested,
        LogsRequested,
        SwitchRequested,
        YamlRequested,
    )
    from widgets.logs_pane import LogEvidence, LogSaveRequested
    from widgets.runbook_pane import RunbookPane
    from widgets.timeline_pane import TimelinePane

Clock = Callable[[], datetime]
SamplerFactory = Callable[[], Any]


def psutil_sampler(top_processes: int) -> Any:
    # Imported here, in the sampling thread: psutil need not load before the
    # first frame.
    from tui.sources.host import HostSampler

    return HostSampler(top_processes=top_processes)


# Dialogs and the help screen are imported where they are opened: they are not
# needed for the first frame, and start-up time is what an operator waits for.

# After a failed host sample, wait this long before the next attempt, doubling
# up to the cap: a broken /proc must not spin a core.
HOST_RETRY_SECONDS = (2, 4, 8, 16, 30)


class WarRoomApp(App[None]):
    TITLE = "warroom"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.ctrl_quit")]
    CSS = NO_COLOR_CSS  # applies under NO_COLOR only (tui/no_color.py)

    def __init__(
        self,
        settings: Settings,
        db_path: Path,
        *,
        readonly: bool = False,
        actor: str | None = None,
        clock: Clock = utc_now,
        sampler_factory: SamplerFactory | None = None,
        initial_state: IncidentState | None = None,
        kube_options: KubeOptions | None = None,
        log_files: Sequence[Path] = (),
        runbook_dirs: Sequence[Path] = (),
        view_only: bool = False,
        present: bool = False,
        redacting: bool = False,
        keymap: KeyMap | None = None,
    ) -> None:
        super().__init__()
        # The operator's key-map file, checked by the command line (tui/keymap.py).
        self.key_map = keymap or KeyMap()
        if self.key_map.remaps:
            self.set_keymap(dict(self.key_map.remaps))
        # Presentation mode (P, --present): its theme is there to switch to (tui/present.py).
        self.register_theme(PRESENT_THEME)
        self.presentation = Presentation(self)
        self._present_at_start = present
        # Redaction (X, --redact, redaction.enabled): a switch of the view (tui/redact.py).
        # Set here, so a console never inherits the state of one before it in the process.
        start_redacted = redacting or settings.redaction.enabled
        screen_redaction.set_screen(self._redactor(settings) if start_redacted else None)
        self.settings = settings
        self.db_path = db_path
        # Viewer mode (warroom serve): nothing is recorded or changed (tui/view_only.py).
        self.view_only = view_only
        self.readonly = readonly or view_only
        self.actor = actor or current_actor()
        self.clock = clock
        self._sampler_factory = sampler_factory or (
            lambda: psutil_sampler(settings.host.top_processes)
        )
        self._initial_state = initial_state
        self.fatal_error: str | None = None
        self.store: TimelineStore | None = None
        self.folder: StateFolder | None = None
        # Set once the incident file is open: workers that record wait for it.
        self._store_ready = asyncio.Event()
        self._kube_options = kube_options or KubeOptions()
        self._log_files = tuple(log_files)
        self._runbook_dirs = tuple(runbook_dirs)
        self.drill: Any = None  # a ClusterThread when a drill was started from the console
        self._timeline_wake = asyncio.Event()
        # Set once the real panes replaced the first frame's and the workers started.
        self._console_whole = asyncio.Event()

    def on_mount(self) -> None:
        # On a 16-colour terminal, colours that stay apart once rounded (tui/sixteen_colours.py).
        use_sixteen_colour_theme(self)

    def get_line_filters(self) -> Sequence[LineFilter]:
        filters = super().get_line_filters()
        return without_colour(filters) if self.no_color else filters

    # -- the flows: each made (and its modules loaded) on first use --------------------
    # None of them is needed for the first frame; loading them all up front was a
    # third of the console's start-up time.

    @cached_property
    def kube(self) -> KubeSession:
        from tui.kube_session import KubeSession

        return KubeSession(self._kube_options, self.settings.kube)

    @cached_property
    def kube_flow(self) -> KubeFlow:
        from tui.kube_flow import KubeFlow

        return KubeFlow(self)

    @cached_property
    def logs_flow(self) -> LogsFlow:
        from tui.logs_flow import LogsFlow

        return LogsFlow(self)

    @cached_property
    def runbook_flow(self) -> RunbookFlow:
        from tui.runbook_flow import RunbookFlow

        return RunbookFlow(self, self._runbook_dirs)

    @cached_property
    def edge_flow(self) -> EdgeFlow:
        from tui.edge_flow import EdgeFlow

        return EdgeFlow(self)

    @cached_property
    def docker_flow(self) -> DockerFlow:
        from tui.docker_flow import DockerFlow

        return DockerFlow(self)

    @cached_property
    def process_flow(self) -> ProcessFlow:
        from tui.process_flow import ProcessFlow

        return ProcessFlow(self)

    @cached_property
    def held_flow(self) -> HeldFlow:
        # Every write goes through it: on a full disk it holds events in memory.
        from tui.held_flow import HeldFlow

        return HeldFlow(self, wake_timeline=self._timeline_wake.set)

    # -- lifecycle -----------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        # The console is the app's first and base screen: no blank default
        # screen is composed and drawn before it.
        screen = ConsoleScreen(
            timeline_limit=self.settings.timeline.pane_limit,
            log_capacity=self.settings.logs.buffer_lines,
        )
        if self._initial_state is not None:
            # Drawn in the very first frame, from what the command line read.
            screen.banner.show(
                self._initial_state, self.clock(), readonly=self.banner_marker, actor=self.actor,
                width=self.size.width,
            )  # fmt: skip
        return screen

    def on_console_screen_ready(self) -> None:
        # The first frame comes before any disk or /proc access: the banner shows
        # what the command line already read, the panes are frames, and the real
        # panes and the workers fill in the rest once that frame is on screen.
        self.set_interval(1.0, self.refresh_banner)
        self.call_after_refresh(self._complete_console)

    async def _complete_console(self) -> None:
        await self.console_screen.hydrate()
        if self._present_at_start:
            self.presentation.enter()
        self.refresh_banner()
        # Workers start once the panes exist: their threads would otherwise
        # compete with the first frames for the interpreter.
        self._start_workers()
        self._console_whole.set()

    @asynccontextmanager
    async def run_test(self, *args: Any, **kwargs: Any) -> AsyncIterator[Pilot[None]]:
        """Textual's run_test, handing over the pilot once the console is whole: a test
        starts where an operator does, with every pane and worker in place."""
        async with super().run_test(*args, **kwargs) as pilot:
            while not self._console_whole.is_set() and self.is_running:
                await pilot.pause(0.01)
            yield pilot

    def _start_workers(self) -> None:
        self.run_worker(self._follow_timeline(), name="timeline", exit_on_error=False)
        self.run_worker(self._sample_host(), name="host", exit_on_error=False)
        self._start_kube()
        if self._log_files:
            title = ", ".join(path.name for path in self._log_files)
            requests = self.logs_flow.file_requests(self._log_files)
            self.run_worker(self.logs_flow.open(requests, title), group="logs", exit_on_error=False)
        self.run_worker(self.runbook_flow.start(), name="runbooks", exit_on_error=False)
        self.edge_flow.start()
        self.docker_flow.start()

    def _start_kube(self) -> None:
        self.run_worker(self._watch_kube(), name="kube", group="kube", exit_on_error=False,
                        exclusive=True)  # fmt: skip

    def restart_kube(self) -> None:
        """Watch again with the session's (new) options: replaces the running worker."""
        self._start_kube()

    async def on_unmount(self) -> None:
        screen_redaction.set_screen(None)
        self.logs_flow.stop()
        self.docker_flow.stop()
        self.runbook_flow.stop()
        self.kube.stop()
        if self.drill is not None:
            self.drill.stop()
        if self.store is not None:
            # Events held on a full disk: written now, or saved to a recovery file.
            await self.held_flow.last_write()
            await self.store.close()

    @property
    def console_screen(self) -> ConsoleScreen:
        for screen in self.screen_stack:
            if isinstance(screen, ConsoleScreen):
                return screen
        raise LookupError("the console screen is not open")

    def refresh_banner(self) -> None:
        state = self.folder.snapshot() if self.folder is not None else self._initial_state
        if state is None:
            return
        try:
            banner = self.console_screen.query_one(IncidentBanner)
        except (LookupError, NoMatches):
            return
        now = self.clock()
        # The process clocks tick with the banner: once a second, on the app's clock.
        timers = self.process_flow.tick(now)
        banner.show(state, now, readonly=self.banner_marker, actor=self.actor, process=timers,
                    contexts=banner_contexts(self))  # fmt: skip

    @property
    def banner_marker(self) -> bool | str:
        return BANNER_MARKER if self.view_only else self.readonly

    # -- workers -------------------------------------------------------------------

    async def _open_store(self) -> TimelineStore | None:
        try:
            store = await TimelineStore.open(
                self.db_path, readonly=self.view_only, clock=self.clock
            )
        except StoreError as error:
            # Checked by the command line a moment ago; gone or damaged since.
            self.fatal_error = str(error)
            self.exit(return_code=2)
            return None
        self.store = store
        self.folder = StateFolder(store.incident)
        self._store_ready.set()
        return store

    async def _follow_timeline(self) -> None:
        """Show new events: ours at once (woken), other processes' within a poll."""
        store = await self._open_store()
        if store is None or self.folder is None:
            return
        folder = self.folder
        first = True
        trouble = False
        pane = self.console_screen.pane("timeline")
        while True:
            try:
                if first or self._timeline_wake.is_set() or await store.changed_elsewhere():
                    self._timeline_wake.clear()
                    new = await store.events(after_seq=folder.last_seq)
                    for event in new:
                        folder.apply(event)
                        self.process_flow.apply(event)
                    if new or first:
                        pane.post_message(TimelineAppended(tuple(new), folder.snapshot()))
                        self.refresh_banner()
                    first = False
                if trouble:
                    trouble = False
                    self.notify("The incident file is readable again.")
            except StoreError as error:
                pane.post_message(TimelineTrouble(f"Cannot read the incident file: {error}"))
                if not trouble:
                    trouble = True
                    self.notify(
                        f"Cannot read the incident file: {error}", severity="error", markup=False
                    )
            try:
                await asyncio.wait_for(
                    self._timeline_wake.wait(), timeout=self.settings.timeline.poll_seconds
                )
            except TimeoutError:
                pass

    async def _sample_host(self) -> None:
        from tui.sources.thresholds import ThresholdTracker

        host = self.settings.host
        pane = self.console_screen.pane("host")
        history: dict[str, deque[float]] = {
            name: deque(maxlen=host.history_samples)
            for name in ("cpu", "memory", "load", "disk_io", "net")
        }
        tracker = ThresholdTracker(host)
        failures = 0
        sampler = None
        while True:
            try:
                if sampler is None:
                    sampler = await asyncio.to_thread(self._sampler_factory)
                sample = await asyncio.to_thread(sampler.sample)
            except Exception as error:  # psutil can fail in many ways; never crash the console
                pane.post_message(HostUnavailable(one_line(f"{type(error).__name__}: {error}")))
                await asyncio.sleep(HOST_RETRY_SECONDS[min(failures, len(HOST_RETRY_SECONDS) - 1)])
                failures += 1
                continue
            failures = 0
            readings, crossings = tracker.update(sample)
            history["cpu"].append(sample.cpu_percent)
            history["memory"].append(sample.memory_percent)
            history["load"].append(sample.load[0])
            history["disk_io"].append((sample.disk_read_rate or 0) + (sample.disk_write_rate or 0))
            history["net"].append((sample.net_rx_rate or 0) + (sample.net_tx_rate or 0))
            pane.post_message(
                HostSampled(
                    sample,
                    tuple(readings),
                    HostHistory(**{name: tuple(values) for name, values in history.items()}),
                )
            )
            for crossing in crossings:
                await self._record_host_crossing(crossing)
            await asyncio.sleep(host.refresh_seconds)

    async def _record_host_crossing(self, crossing: Crossing) -> None:
        if self.view_only:
            return  # the consoles that write the incident file record it
        reading = crossing.reading
        await self._store_ready.wait()
        try:
            await self.held_flow.record_transition(
                EventKind.HOST_ALERT,
                f"{reading.subject.split(':')[1]}: {crossing.text}",
                subject=reading.subject,
                state=reading.level.value,
                quiet_state="ok",
                data={
                    "metric": reading.metric,
                    "value": round(reading.value, 2),
                    "warning": reading.warning,
                    "critical": reading.critical,
                    "previous": crossing.previous.value,
                },
                actor=self.actor,
                source="host",
            )
        except StoreError as error:
            self.notify(f"Could not record a host alert: {error}", severity="error", markup=False)
            return
        self._timeline_wake.set()

    # -- kubernetes --------------------------------------------------------------------

    def _pods_pane(self) -> Any:
        return self.console_screen.pane("pods")

    async def _watch_kube(self) -> None:
        from tui.kube_session import KubeUnavailableError

        pane = self._pods_pane()
        ingress = self.console_screen.pane("ingress")
        # A (re)start watches anew: the ingresses of the previous view go first.
        self.edge_flow.reset_ingresses()
        try:
            await self.kube.connect()
        except KubeUnavailableError as error:
            pane.post_message(KubeUnavailable(error.reason, offer_drill=error.offer_drill))
            ingress.post_message(KubeUnavailable(error.reason, offer_drill=error.offer_drill))
            return
        await asyncio.to_thread(self.kube.start)
        contexts = self.kube.contexts

        def publish(delta: Delta) -> None:
            pane.post_message(KubeUpdated(delta, contexts))
            if delta.ingresses or delta.edge_states is not None:
                ingress.post_message(KubeUpdated(delta, contexts))
                self.edge_flow.kube_updated(delta)

        await self.kube.run(publish, self._record_kube_transition)

    async def record_transition(
        self, kind: str, text: str, *, subject: str, state: str, quiet_state: str,
        data: dict[str, Any], source: str,
    ) -> Event | None:  # fmt: skip
        """Record a change of `subject`'s state, once per incident file (several consoles)."""
        if self.view_only:
            return None  # the consoles that write the incident file record it
        await self._store_ready.wait()
        try:
            event = await self.held_flow.record_transition(
                kind, text, subject=subject, state=state, quiet_state=quiet_state, data=data,
                actor=self.actor, source=source,
            )  # fmt: skip
        except StoreError as error:
            self.notify(f"Could not record: {error}", severity="error", markup=False)
            return None
        self._timeline_wake.set()
        return event

    async def _record_kube_transition(self, transition: Transition) -> None:
        await self.record_transition(
            EventKind.K8S_TRANSITION, transition.text, subject=transition.subject,
            state=transition.state, quiet_state="ok", data=transition.data, source="kubernetes",
        )  # fmt: skip

    @work(group="kube-actions")
    async def on_action_requested(self, message: ActionRequested) -> None:
        await self.kube_flow.run(message.action, message.row, message.amount)

    @work(group="kube-views")
    async def on_detail_requested(self, message: DetailRequested) -> None:
        await self.kube_flow.show_detail(message.row)

    @work(group="kube-views")
    async def on_yaml_requested(self, message: YamlRequested) -> None:
        await self.kube_flow.show_yaml(message.row)

    @work(group="logs", exclusive=True)
    async def on_logs_requested(self, message: LogsRequested) -> None:
        row = message.row
        request = self.logs_flow.requests_for_row(row, previous=message.previous)
        await self.logs_flow.open([request], request.describe())
        self.console_screen.activate_pane("logs")

    # -- logs --------------------------------------------------------------------------

    @work(group="log-records")
    async def on_log_evidence(self, message: LogEvidence) -> None:
        await self.logs_flow.record_evidence(message.lines, message.title)

    @work(group="dialogs")
    async def on_log_save_requested(self, message: LogSaveRequested) -> None:
        from tui.screens.dialogs import NoteDialog

        suggested = Path.cwd() / message.suggested_name
        answer = await self.push_screen_wait(
            NoteDialog(
                f"Save {len(message.lines)} lines to",
                text=str(suggested),
                placeholder="a new file's path",
                hint="Enter saves (never over an existing file) · Esc cancels",
            )
        )
        if answer:
            await self.logs_flow.save(message.lines, Path(answer))

    @work(group="kube-views")
    async def on_switch_requested(self, message: SwitchRequested) -> None:
        await self.kube_flow.switch(message.what)

    @work(group="kube-views")
    async def on_drill_requested(self, message: DrillRequested) -> None:
        await self.kube_flow.start_drill()

    # -- ingresses and probes ----------------------------------------------------------

    @work(group="edge-requests")
    async def on_ingress_pane_runbook_requested(
        self, message: IngressPane.RunbookRequested
    ) -> None:
        await self.edge_flow.open_runbook(message.runbook, message.reason)

    @work(group="edge-requests")
    async def on_ingress_pane_recheck_requested(
        self, message: IngressPane.RecheckRequested
    ) -> None:
        if message.probes:
            await self.edge_flow.recheck_probes()
        else:
            self.edge_flow.recheck_hosts(message.hosts)

    # -- docker ------------------------------------------------------------------------

    async def record_docker_transition(self, transition: Any) -> None:
        """A container state that held (tui.sources.docker.DockerTransition), once per change
        however many consoles watch the engine."""
        await self.record_transition(
            EventKind.DOCKER_TRANSITION, transition.text, subject=transition.subject,
            state=transition.state, quiet_state="ok", data=transition.data, source="docker",
        )  # fmt: skip

    @work(group="docker-actions")
    async def on_container_action_requested(self, message: ContainerActionRequested) -> None:
        await self.docker_flow.run(message.action, message.row)

    @work(group="docker-views")
    async def on_container_inspect_requested(self, message: ContainerInspectRequested) -> None:
        await self.docker_flow.show_detail(message.row)

    @work(group="logs", exclusive=True)
    async def on_container_logs_requested(self, message: ContainerLogsRequested) -> None:
        await self.docker_flow.open_logs(message.row, ask_since=message.ask_since)

    # -- runbooks ----------------------------------------------------------------------

    @work(group="dialogs")
    async def on_runbook_pane_pick_requested(self, message: RunbookPane.PickRequested) -> None:
        await self.runbook_flow.pick()

    @work(group="runbook-steps")
    async def on_runbook_pane_step_toggled(self, message: RunbookPane.StepToggled) -> None:
        await self.runbook_flow.toggle(message.runbook, message.step, message.checked)

    @work(group="runbook-runs")
    async def on_runbook_pane_run_requested(self, message: RunbookPane.RunRequested) -> None:
        await self.runbook_flow.run(message.runbook, message.section, message.step, message.line)

    def on_runbook_pane_stop_requested(self, message: RunbookPane.StopRequested) -> None:
        self.runbook_flow.stop()

    async def wait_for_store(self) -> TimelineStore:
        """The incident file, once it is open (for flows started before it is)."""
        await self._store_ready.wait()
        return self._store()

    # -- recording -------------------------------------------------------------------

    def _store(self) -> TimelineStore:
        if self.store is None:
            raise StoreError("the incident file is not open")
        return self.store

    async def record(self, kind: str, text: str, **fields: Any) -> Event | None:
        """Commit an event; confirm only after the commit. None (and a message) on failure.

        On a full disk the event is held in memory and returned with seq 0 (tui/held_flow.py).
        """
        if self.view_only:
            self.refuse_in_view_only()
            return None
        try:
            event = await self.held_flow.append(kind, text, actor=self.actor, **fields)
        except StoreError as error:
            self.notify(f"NOT recorded: {error}", severity="error", timeout=10, markup=False)
            return None
        self._timeline_wake.set()
        return event

    @property
    def state(self) -> Any:
        assert self.folder is not None
        return self.folder.snapshot()

    # -- viewer mode (tui/view_only.py): refused before any dialog opens ---------------

    def refuse_in_view_only(self) -> None:
        self.notify(NOTICE, title="Nothing was done", severity="warning", markup=False)

    async def run_action(
        self, action: Any, default_namespace: Any = None, namespaces: Any = None
    ) -> bool:
        # Every key binding and click on a key goes through here.
        if self.view_only:
            target, name, _ = self._parse_action(
                action, self if default_namespace is None else default_namespace, namespaces
            )
            if target is self and refuses_action(name):
                self.refuse_in_view_only()
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def check_message_enabled(self, message: Message) -> bool:
        # Requests from the panes reach the app here, before any handler runs.
        if self.view_only and refuses_request(message):
            self.refuse_in_view_only()
            return False
        return super().check_message_enabled(message)

    @work(group="dialogs")
    async def action_add_note(self) -> None:
        from tui.screens.dialogs import NoteDialog

        text = ""
        while True:
            answer = await self.push_screen_wait(NoteDialog(text=text))
            if answer is None:
                return
            event = await self.record(EventKind.NOTE, answer)
            if event is not None and not event.seq:
                self.notify(
                    "Note held in memory (the disk is full): not yet in the incident file;"
                    " written when space returns.", severity="warning", markup=False,
                )  # fmt: skip
                return
            if event is not None:
                self.notify(f"Note recorded (#{event.seq}).", markup=False)
                return
            text = answer  # keep the draft: the operator retries or cancels

    @work(group="dialogs")
    async def action_change_status(self) -> None:
        from tui.screens.dialogs import ChoiceDialog

        current = self.state.status
        answer = await self.push_screen_wait(
            ChoiceDialog(
                "Incident status", [(s.value, s.meaning) for s in Status], current=current.value
            )
        )
        if answer is None:
            return
        await self.record_status(Status(answer))

    async def record_status(self, status: Status) -> None:
        current = self.state.status
        if status is current:
            self.notify(f"Status is already {status.value}.")
            return
        event = await self.record(
            EventKind.STATUS_CHANGED,
            f"Status: {current.value} → {status.value} ({status.meaning})",
            data={"from": current.value, "to": status.value},
        )
        if event is None:
            return
        self.notify(f"Status is now {status.value}.")
        if status is Status.RESOLVED and Milestone.RESOLVED not in self.state.milestones:
            await self.record_milestone(Milestone.RESOLVED, self.clock())

    @work(group="dialogs")
    async def action_change_severity(self) -> None:
        from tui.screens.dialogs import ChoiceDialog

        current = self.state.severity
        answer = await self.push_screen_wait(
            ChoiceDialog(
                "Incident severity",
                [(s.value, f"{s.meaning} · ack within {short_duration(s.response_target)}")
                 for s in Severity],
                current=current.value,
            )
        )  # fmt: skip
        if answer is None:
            return
        await self.record_severity(Severity(answer))

    async def record_severity(self, severity: Severity) -> None:
        current = self.state.severity
        if severity is current:
            self.notify(f"Severity is already {severity.value}.")
            return
        direction = "raised" if severity < current else "lowered"
        event = await self.record(
            EventKind.SEVERITY_CHANGED,
            f"Severity {direction}: {current.value} → {severity.value} ({severity.meaning})",
            data={"from": current.value, "to": severity.value},
        )
        if event is not None:
            self.notify(f"Severity is now {severity.value}.")

    async def action_acknowledge(self) -> None:
        ack = self.state.acknowledged
        if ack is not None:
            self.notify(
                f"Already acknowledged by {ack.actor} at {ack.at:%H:%M:%S} UTC.", markup=False
            )
            return
        await self.record_milestone(Milestone.ACKNOWLEDGED, self.clock())

    @work(group="dialogs")
    async def action_mark_milestone(self) -> None:
        from tui.screens.dialogs import MilestoneDialog

        answer = await self.push_screen_wait(MilestoneDialog(self.clock))
        if answer is not None:
            await self.record_milestone(*answer)

    async def record_milestone(self, milestone: Milestone, at: datetime) -> None:
        now = self.clock()
        started = self.state.incident.started_at
        late = now - at
        text = f"Milestone {milestone.value} at {at:%H:%M:%S} UTC"
        if at >= started:
            text += f" ({short_duration(at - started)} after declaration)"
        else:
            text += f" ({short_duration(started - at)} before declaration)"
        data: dict[str, Any] = {"milestone": milestone.value, "at": format_ts(at)}
        if late.total_seconds() > 1:
            # Backdating is allowed, and audited: the event's own time is when it
            # was recorded; `at` is the claim.
            data["backdated_seconds"] = round(late.total_seconds(), 3)
            text += f", backdated by {short_duration(late)}"
        previous = self.state.milestones.get(milestone)
        if previous is not None:
            data["corrects"] = format_ts(previous.at)
            text += f"; corrects {previous.at:%H:%M:%S}"
        event = await self.record(EventKind.MILESTONE, text, data=data)
        if event is not None:
            self.notify(f"Milestone {milestone.value} recorded.")

    async def on_timeline_pane_pin_requested(self, message: TimelinePane.PinRequested) -> None:
        target = message.event
        verb = "Pinned" if message.pin else "Unpinned"
        event = await self.record(
            EventKind.PIN_CHANGED,
            f"{verb} #{target.seq}: {one_line(target.text, max_chars=80)}",
            data={"target": target.uuid, "pinned": message.pin},
        )
        if event is not None:
            self.notify(f"{verb} event #{target.seq}.")

    def on_timeline_pane_event_opened(self, message: TimelinePane.EventOpened) -> None:
        from tui.screens.dialogs import EventDetail

        event = message.event
        self.push_screen(EventDetail(event, pinned=event.uuid in self.state.pinned))

    # -- redaction -------------------------------------------------------------------
    # Secrets masked on screen; the incident file keeps the truth (tui/redact.py).

    @property
    def redacting(self) -> bool:
        return screen_redaction.screen is not None

    def set_redaction(self, enabled: bool) -> None:
        """Mask secrets on screen (or stop), and draw again what every pane and open
        screen already shows: each widget or screen that caches rendered text has a
        `redaction_changed` method."""
        if enabled == self.redacting:
            return
        screen_redaction.set_screen(self._redactor(self.settings) if enabled else None)
        for screen in self.screen_stack:
            for node in (*screen.query("*"), screen):
                redraw = getattr(node, "redaction_changed", None)
                if callable(redraw):
                    redraw()

    @staticmethod
    def _redactor(settings: Settings) -> Any:
        # The patterns compile when redaction is first turned on, not at start.
        from tui.redact import Redactor

        return Redactor(settings.redaction.patterns)

    def action_toggle_redaction(self) -> None:
        self.set_redaction(not self.redacting)
        key = self.binding_keys("console.redact")
        if self.redacting:
            self.notify(
                f"Redaction on: secrets are masked on screen. {key} shows them again.",
                markup=False,  # a remapped key may be any text
            )
        else:
            self.notify(f"Redaction off: secrets are shown. {key} masks them again.", markup=False)

    def notify(self, message: str, *, title: str = "", markup: bool = True, **options: Any) -> None:
        # Notifications carry names and errors from outside: masked like the panes.
        on_screen = screen_redaction.on_screen
        shown, shown_title = on_screen(message), on_screen(title)
        if (shown, shown_title) != (message, title):
            markup = False  # a mask may have cut a markup tag in two
        super().notify(shown, title=shown_title, markup=markup, **options)

    def action_toggle_present(self) -> None:
        self.presentation.toggle()

    def binding_keys(self, binding_id: str) -> str:
        """A console binding's keys as the operator has them (key map applied), for texts."""
        from widgets.help_names import key_name
        from widgets.timeline_pane import TimelinePane

        for binding in (*self.BINDINGS, *ConsoleScreen.BINDINGS, *TimelinePane.BINDINGS):
            if isinstance(binding, Binding) and binding.id == binding_id:
                return key_name(self.key_map.keys_for(binding_id, binding.key))
        raise LookupError(f"no console binding {binding_id}")

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen, describe_bindings
        from widgets.containers_pane import ContainersPane
        from widgets.ingress_pane import IngressPane
        from widgets.log_view import LogView
        from widgets.logs_pane import LogsPane
        from widgets.pods_pane import PodsPane
        from widgets.runbook_pane import RunbookPane
        from widgets.timeline_pane import TimelinePane

        keymap = self.key_map.remaps
        timeline_keys = [
            *describe_bindings(TimelinePane.BINDINGS, keymap),
            ("Enter", "Event details"),
        ]
        containers = f"Containers pane ({self.binding_keys('console.containers')})"
        groups = [
            ("Console", describe_bindings(ConsoleScreen.BINDINGS, keymap)),
            ("Pods pane", describe_bindings(PodsPane.BINDINGS, keymap)),
            (containers, describe_bindings(ContainersPane.BINDINGS, keymap)),
            ("Ingress pane", describe_bindings(IngressPane.BINDINGS, keymap)),
            ("Logs pane", describe_bindings([*LogsPane.BINDINGS, *LogView.BINDINGS], keymap)),
            ("Runbook pane", describe_bindings(RunbookPane.BINDINGS, keymap)),
            ("Timeline pane", timeline_keys),
            ("Anywhere", [("ctrl-p", "Command palette: every action by name"),
                          (self.binding_keys("app.ctrl_quit"), "Quit")]),
        ]  # fmt: skip
        self.push_screen(HelpScreen(groups))

    # -- process ---------------------------------------------------------------------
    # Status updates, action items, roles and escalation (tui/process_flow.py).

    @work(group="dialogs")
    async def action_status_update(self) -> None:
        await self.process_flow.status_update()

    @work(group="dialogs")
    async def action_add_todo(self) -> None:
        await self.process_flow.add_todo()

    @work(group="dialogs")
    async def action_assign_roles(self) -> None:
        await self.process_flow.assign_roles()

    @work(group="dialogs")
    async def action_escalate(self) -> None:
        await self.process_flow.escalate()

    @work(group="process-snooze")
    async def action_snooze_update(self) -> None:
        await self.process_flow.snooze()

    # -- command palette -------------------------------------------------------------

    def _toggle_pin(self) -> None:
        from widgets.timeline_pane import TimelinePane

        pane = self.console_screen.pane("timeline")
        if isinstance(pane, TimelinePane):  # not a first-frame placeholder
            pane.action_toggle_pin()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, ConsoleScreen):
            return
        # Each help text ends with the binding's key as the key map has it.
        commands: list[tuple[str, str, str, Callable[[], Any]]] = [
            ("Add a note", "Record a note in the timeline", "incident.note", self.action_add_note),
            ("Change status", "investigating, identified, monitoring, resolved", "incident.status",
             self.action_change_status),
            ("Change severity", "P0 … P3", "incident.severity", self.action_change_severity),
            ("Acknowledge", "Take ownership; stops the response clock", "incident.acknowledge",
             self.action_acknowledge),
            ("Mark a milestone", "impact started, detected, mitigated…", "incident.milestone",
             self.action_mark_milestone),
            ("Post a status update", "The template: status, impact, actions, next update",
             "incident.status_update", self.action_status_update),
            ("Add an action item (TODO)", "Goes to the postmortem's action items", "incident.todo",
             self.action_add_todo),
            ("Assign roles", "Commander, scribe, comms, subject experts", "incident.roles",
             self.action_assign_roles),
            ("Escalate", "L1 on-call, L2 team lead, L3 infrastructure lead", "incident.escalate",
             self.action_escalate),
            ("Snooze the status-update reminder", "A few minutes", "incident.snooze",
             self.action_snooze_update),
            ("Pin or unpin the selected event", "Timeline pane", "timeline.pin", self._toggle_pin),
            ("Zoom the focused pane", "Full screen and back", "console.zoom", screen.action_zoom),
            ("Presentation mode", "High contrast, large banner, redaction on; and back",
             "console.present", self.action_toggle_present),
            ("Redact secrets on screen", "Tokens, passwords, keys masked; and back",
             "console.redact", self.action_toggle_redaction),
            *(
                (f"Focus pane: {screen.pane(pane_id).title}", "Key", f"console.pane_{number}",
                 lambda pane_id=pane_id: screen.activate_pane(pane_id))
                for number, pane_id in enumerate(PANE_ORDER, start=1)
            ),
            ("Show keys", "Help", "app.help", self.action_help),
        ]  # fmt: skip
        for title, help_text, binding_id, callback in commands:
            if self.view_only and refuses_action(callback.__name__.removeprefix("action_")):
                callback = self.refuse_in_view_only
            key = self.binding_keys(binding_id)
            text = f"{help_text} {key}" if help_text == "Key" else f"{help_text} ({key})"
            yield SystemCommand(title, text, callback)
