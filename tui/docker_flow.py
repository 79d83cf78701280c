"""The app's side of the Containers pane: the watcher, and what operators do to containers.

The watcher (tui.sources.docker) runs in its own threads; a worker here takes
what changed a few times a second, posts it to the pane and records the
transitions that held. Actions follow the Kubernetes actions' path: refuse
under --readonly or a read-only engine, confirm naming engine, project,
service and container (typing the name on production engines), call the
engine in a thread, and record the outcome whatever it is: refused,
cancelled, succeeded or failed with the engine's message.
"""

from __future__ import annotations

import asyncio
import fnmatch
import re
from typing import TYPE_CHECKING, Any

from tui.timeline.model import EventKind

if TYPE_CHECKING:
    from tui.app import WarRoomApp
    from tui.sources.docker.actions import Target
    from tui.sources.docker.engine import Engine, EngineInfo
    from tui.sources.docker.logreader import EngineLogReader
    from tui.sources.docker.model import EngineStatus
    from tui.sources.docker.rows import ContainerRow
    from tui.sources.docker.watcher import DockerWatcher

# The docker modules load with the first worker, not before the console's first frame.

# How often the pane gets what changed; stats are paced by docker.stats_seconds.
UPDATE_SECONDS = 0.25

_SINCE = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def matches(names: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for name in names for p in patterns)


def parse_since(text: str) -> int | None:
    """'10m', '2h', '90s', '1d' or plain seconds -> seconds; None if it is none of those."""
    match = _SINCE.match(text)
    if match is None or int(match[1]) <= 0:
        return None
    return int(match[1]) * _UNIT_SECONDS[match[2].lower()]


class DockerFlow:
    def __init__(self, app: WarRoomApp) -> None:
        self.app = app
        self.watcher: DockerWatcher | None = None
        self.log_reader: EngineLogReader | None = None
        self._pane_one_decided = False

    @property
    def settings(self) -> Any:
        return self.app.settings.docker

    # -- watching ----------------------------------------------------------------------

    def _connect(self) -> Engine:
        from tui.sources.docker.endpoint import resolve
        from tui.sources.docker.engine import connect_first

        # Called in the watcher's thread: resolving reads the docker config files.
        return connect_first(resolve(self.settings.host or None))

    def start(self) -> None:
        from tui.sources.docker.watcher import DockerWatcher

        self.watcher = DockerWatcher(self._connect, stats_seconds=self.settings.stats_seconds)
        self.app.run_worker(self._pump(self.watcher), name="docker", group="docker",
                            exit_on_error=False, exclusive=True)  # fmt: skip

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.log_reader is not None:
            self.log_reader.close()

    @property
    def engine(self) -> Engine | None:
        return self.watcher.engine if self.watcher is not None else None

    def _pane(self) -> Any:
        """The Containers pane, once the console made it (the first time it is shown)."""
        found = self.app.console_screen.query("#containers")
        return found.first() if found else None

    async def _pump(self, watcher: DockerWatcher) -> None:
        from tui.docker_messages import DockerUpdated
        from tui.sources.docker.model import DockerDelta

        watcher.start()
        status: EngineStatus | None = None
        fed: Any = None  # the pane that has had everything so far
        while True:
            delta = watcher.drain()
            if delta is not None:
                status = delta.status or status
                for transition in delta.transitions:
                    await self.app.record_docker_transition(transition)
            pane = self._pane()
            if pane is not None and pane is not fed:
                # A pane that just appeared gets the whole picture, then what changes.
                fed = pane
                pane.post_message(DockerUpdated(DockerDelta(updated=watcher.rows, status=status)))
            elif pane is not None and delta is not None:
                pane.post_message(DockerUpdated(delta))
            if not self._pane_one_decided and status is not None and status.state == "live":
                await self._decide_pane_one()
            await asyncio.sleep(UPDATE_SECONDS)

    async def _decide_pane_one(self) -> None:
        """An engine and no kubeconfig at all: this host is a compose host, show Containers.

        Decided once the Pods pane knows; never against the operator's own choice, and
        not when a kubeconfig was named on the command line (Kubernetes is wanted then).
        """
        screen = self.app.console_screen
        pods = screen.pane("pods")
        if screen.pane_one_chosen or getattr(pods, "connected", False):
            self._pane_one_decided = True
            return
        if not getattr(pods, "drill_offered", False):
            return  # Kubernetes is still connecting, or failed for another reason: wait
        self._pane_one_decided = True
        if self.app.kube.options.kubeconfig is None:
            await screen.show_in_pane_one("containers")

    # -- guards --------------------------------------------------------------------------

    def is_production(self, info: EngineInfo) -> bool:
        return matches(info.identities, self.settings.production_hosts)

    def readonly_reason(self, info: EngineInfo) -> str | None:
        if self.app.view_only:
            from tui.view_only import NOTICE

            return NOTICE
        if self.app.readonly:
            return "warroom runs with --readonly: nothing may change a container"
        if matches(info.identities, self.settings.readonly_hosts):
            return f"engine {info.name} is configured read-only (docker.readonly_hosts)"
        return None

    def _engine_or_say(self, what: str) -> Engine | None:
        engine = self.engine
        if engine is None:
            self.app.notify(
                f"{what}: no container engine is connected.", severity="warning", markup=False
            )
        return engine

    # -- actions -------------------------------------------------------------------------

    async def target(self, action: str, row: ContainerRow, engine: Engine) -> Target:
        from tui.sources.docker.actions import (
            SERVICE_RESTART,
            ActionError,
            Target,
            service_containers,
        )

        name = engine.info.name
        if action != SERVICE_RESTART:
            return Target(name, "container", row.name, row.project, row.service,
                          (row.id,), (row.name,))  # fmt: skip
        if not row.project:
            raise ActionError(f"{row.name} was not started by compose: it has no service")
        found = await asyncio.to_thread(service_containers, engine.api, row.project, row.service)
        ids = tuple(str(c["Id"]) for c in found)
        names = tuple(str((c.get("Names") or ["?"])[0]).lstrip("/") for c in found)
        return Target(name, "compose service", row.service, row.project, row.service, ids, names)

    async def run(self, action: str, row: ContainerRow) -> None:
        from tui.screens.docker_screens import ConfirmContainerScreen
        from tui.sources.docker.actions import TITLES, ActionError, consequence, perform

        title = TITLES.get(action, action)
        engine = self._engine_or_say(title)
        if engine is None:
            return
        try:
            target = await self.target(action, row, engine)
        except ActionError as error:
            self.app.notify(f"{title}: {error}", severity="error", markup=False)
            return
        refusal = self.readonly_reason(engine.info)
        if refusal:
            self.app.notify(f"{title} refused: {refusal}", severity="warning", markup=False)
            await self.record(action, target, engine, "refused", refusal)
            return
        if not target.container_ids:
            self.app.notify(
                f"{title}: no containers found for it.", severity="warning", markup=False
            )
            await self.record(action, target, engine, "failed", "no containers found")
            return
        what = consequence(action, target)
        production = self.is_production(engine.info)
        confirmed = await self.app.push_screen_wait(
            ConfirmContainerScreen(target, title, what, typed=production, production=production)
        )
        if not confirmed:
            await self.record(action, target, engine, "cancelled", what)
            self.app.notify(f"{title} cancelled.", markup=False)
            return
        try:
            await asyncio.to_thread(perform, engine.api, action, target)
        except ActionError as error:
            self.app.notify(f"{title} failed: {error}", severity="error", timeout=10, markup=False)
            await self.record(action, target, engine, "failed", str(error))
            return
        await self.record(action, target, engine, "succeeded", what)
        self.app.notify(f"{title}: done ({target.describe()}).", markup=False)

    async def record(
        self, action: str, target: Target, engine: Engine, result: str, detail: str
    ) -> None:
        from tui.sources.docker.actions import TITLES
        from tui.sources.docker.model import subject

        title = TITLES.get(action, action)
        text = f"{title} {target.name}"
        if target.project:
            text += f" (project {target.project})"
        text += f" on {engine.info.name}: {result}"
        if detail:
            text += f": {detail}"
        where = (f"compose/{target.project}/{target.service}" if target.kind != "container"
                 else target.name)  # fmt: skip
        await self.app.record(
            EventKind.DOCKER_ACTION,
            text,
            source="docker",
            subject=subject(engine.info.name, where),
            data={
                "action": action,
                "result": result,
                "engine": engine.info.name,
                "engine_url": engine.info.url,
                "kind": target.kind,
                "name": target.name,
                "project": target.project,
                "service": target.service,
                "containers": list(target.container_names),
                "ids": list(target.container_ids),
                "detail": detail,
            },
        )

    # -- views ---------------------------------------------------------------------------

    async def show_detail(self, row: ContainerRow) -> None:
        from tui.screens.docker_screens import ContainerDetailScreen
        from tui.sources.docker.detail import container_detail

        engine = self._engine_or_say("Inspect")
        if engine is None:
            return
        try:
            attrs = await asyncio.to_thread(engine.api.inspect_container, row.id)
        except Exception as error:  # gone, or the engine went away: say so, keep going
            self.app.notify(f"Cannot inspect {row.name}: {str(error)[:300]}", severity="error",
                            markup=False)  # fmt: skip
            return
        detail = container_detail(attrs)
        await self.app.push_screen_wait(ContainerDetailScreen(detail, row))

    async def open_logs(self, row: ContainerRow, *, ask_since: bool) -> None:
        from tui.sources.docker.logreader import EngineLogReader
        from tui.sources.logs import LogRequest

        engine = self._engine_or_say("Logs")
        if engine is None:
            return
        since: int | None = None
        if ask_since:
            since = await self._ask_since(row)
            if since is None:
                return
        if self.log_reader is None or self.log_reader.endpoint != engine.endpoint:
            if self.log_reader is not None:
                self.log_reader.close()
            self.log_reader = EngineLogReader(engine.endpoint)
        self.app.logs_flow.containers = self.log_reader
        request = LogRequest(
            kind="container",
            name=row.id,
            container=row.name,
            tail_lines=None if since else self.app.settings.logs.tail_lines,
            since_seconds=since,
            follow=True,
        )
        await self.app.logs_flow.open([request], f"container {row.name}")
        self.app.console_screen.activate_pane("logs")

    async def _ask_since(self, row: ContainerRow) -> int | None:
        from tui.screens.dialogs import NoteDialog

        answer = await self.app.push_screen_wait(
            NoteDialog(
                f"Logs of {row.name} since how long ago?",
                text="15m",
                placeholder="90s, 15m, 2h, 1d",
                hint="Enter follows from then · Esc cancels",
            )
        )
        if answer is None:
            return None
        seconds = parse_since(answer)
        if seconds is None:
            self.app.notify(f"'{answer}' is not a duration (90s, 15m, 2h, 1d).",
                            severity="warning", markup=False)  # fmt: skip
        return seconds
