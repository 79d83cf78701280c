"""Running one runbook command from the console, the way anything that may change a
cluster is done here.

Fill its placeholders from the selection (asking once for the rest), aim
kubectl at the incident's context and namespace, refuse a change under
--readonly or on a read-only context, show the final command and its target,
ask for a typed word before a dangerous one (or any change in production), run
it in a thread with a timeout (or hand it the terminal, when it needs one), and
record the outcome whatever it is: ran, refused, declined, could not run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import threading
import time
from typing import TYPE_CHECKING, Any

from tui.runbook.model import CommandLine, Runbook, Section, Step
from tui.runbook.runner import RunResult, command_env, run_command
from tui.runbook_plan import (
    RunPlan,
    Target,
    empty_sha256,
    plan,
    secret_keys,
    selection_values,
    to_ask,
)
from tui.runbook_record import (
    DECLINED,
    FAILED,
    RAN,
    REFUSED,
    not_run,
    outcome_text,
    run_entry,
    step_change,
)
from tui.safetext import one_line
from tui.sources.log_model import LogFeed, LogOrigin, SourceState
from tui.sources.logs import make_line
from tui.timeline.model import EventKind

if TYPE_CHECKING:
    from tui.app import WarRoomApp

# What a captured run replaces in the environment (see command_env) and an interactive
# one, which has the real terminal, gets back.
TERMINAL_VARIABLES = ("TERM", "PAGER", "GIT_PAGER", "SYSTEMD_PAGER")
NO_TERMINAL = (
    "this console cannot hand its terminal over (no real terminal):"
    " run the command in another terminal"
)


class CommandRuns:
    def __init__(self, app: WarRoomApp, record: Any) -> None:
        self.app = app
        self._record = record  # the flow's: appends an event, returns it (or None)
        # Non-secret values typed for earlier runs: offered again as defaults.
        self.remembered: dict[str, str] = {}
        self.cancel: threading.Event | None = None  # set: the running command stops
        self.busy = False  # a run is being prepared, confirmed or running

    @property
    def pane(self) -> Any:
        return self.app.console_screen.pane("runbook")

    @property
    def settings(self) -> Any:
        return self.app.settings.runbooks

    def stop(self) -> None:
        if self.cancel is not None:
            self.cancel.set()

    # -- where and with what ------------------------------------------------------------------

    def _selection(self) -> Any:
        pods = self.app.console_screen.pane("pods")
        return pods.selected_row if getattr(pods, "connected", False) else None

    def base_values(self) -> dict[str, str]:
        """Values from the selection, else from the session: the context and namespace in view."""
        values = selection_values(self._selection())
        session = self.app.kube
        if "context" not in values:
            info = session.info
            context = session.contexts[0] if session.contexts else (info and info.current)
            if context:
                values["context"] = context
        if "namespace" not in values and len(session.namespaces) == 1 and session.namespaces[0]:
            values["namespace"] = session.namespaces[0]
        return values

    def kubeconfig(self) -> str | None:
        session = self.app.kube
        if session.info is not None:
            return session.info.config_file
        if session.options.kubeconfig is not None:
            return str(session.options.kubeconfig)
        return None

    # -- the run ----------------------------------------------------------------------------

    async def run(
        self, runbook: Runbook, section: Section, step: Step | None, line: CommandLine
    ) -> None:
        if self.busy:
            self.app.notify("A command is already under way (c stops a running one).", markup=False)
            return
        self.busy = True
        try:
            await self._run(runbook, section, step, line)
        finally:
            self.busy = False
            self.cancel = None

    async def _run(
        self, runbook: Runbook, section: Section, step: Step | None, line: CommandLine
    ) -> None:
        ready = await self._plan(line.text)
        if ready is None:
            return
        context = ready.target.context or ""
        refusal = self.app.kube_flow.readonly_reason(context) if ready.danger.changes else None
        if refusal:
            self.app.notify(f"Not run: {refusal}", severity="warning", markup=False)
            result = not_run(ready, refusal)
            await self._record_run(runbook, section, step, ready, result, REFUSED)
            return
        if not await self._confirmed(ready, runbook, section, step):
            self.app.notify("Not run.", markup=False, timeout=3)
            result = not_run(ready, "declined at the confirmation")
            await self._record_run(runbook, section, step, ready, result, DECLINED)
            return
        if ready.interactive:
            result = await self._in_terminal(ready)
        else:
            result = await self._captured(ready)
        outcome = RAN if result.error is None else FAILED
        event = await self._record_run(runbook, section, step, ready, result, outcome)
        self.pane.run_finished(outcome_text(result))
        change = step_change(event, runbook) if event is not None else None
        if change is not None and change[2] is not None and self.pane.runbook is runbook:
            self.pane.add_run(change[0], change[2])

    async def _plan(self, template: str) -> RunPlan | None:
        """The command filled and targeted, after asking for what the selection lacks."""
        from tui.screens.runbook_screens import PlaceholderScreen

        values = self.base_values()
        asks = to_ask(template, values, self.remembered)
        if asks:
            answer = await self.app.push_screen_wait(PlaceholderScreen(template, asks))
            if answer is None:
                self.app.notify("Not run.", markup=False, timeout=3)
                return None
            secrets = secret_keys(template)
            values.update(answer)
            self.remembered.update({k: v for k, v in answer.items() if k not in secrets})
        target = Target(values.get("context"), values.get("namespace"), self.kubeconfig())
        context = target.context or ""
        production = bool(context) and self.app.kube_flow.is_production(context)
        try:
            return plan(template, values, target, production=production)
        except ValueError as error:
            self.app.notify(f"Cannot fill this command: {error}", severity="error", markup=False)
            return None

    async def _confirmed(
        self, ready: RunPlan, runbook: Runbook, section: Section, step: Step | None
    ) -> bool:
        from tui.screens.runbook_screens import RunConfirmScreen

        context = ready.target.context or ""
        production = bool(context) and self.app.kube_flow.is_production(context)
        where = f"step {step.path}: {step.text}" if step else section.title
        screen = RunConfirmScreen(
            ready,
            f"{runbook.title} · {where}",
            production=production,
            timeout=self.settings.command_timeout_seconds,
        )
        return bool(await self.app.push_screen_wait(screen))

    async def _captured(self, ready: RunPlan) -> RunResult:
        """Run with its output captured: streamed to the pane and to the Logs pane."""
        pane_feed, logs_feed = LogFeed(), LogFeed()
        origin = LogOrigin(kind="command", name=one_line(ready.shown, max_chars=200))

        def on_output(text: str) -> None:  # called on the runner's reader thread
            line = make_line(origin, ready.mask(text))
            pane_feed.put([line])
            logs_feed.put([line])

        logs_feed.set_state(SourceState(origin.label, "live", "running"))
        # The Logs pane shows one stream: what it followed until now stops feeding it.
        self.app.logs_flow.stop()
        self.app.console_screen.pane("logs").attach(logs_feed, f"$ {origin.name}")
        self.pane.run_started(ready.shown, ready.target.describe(), pane_feed)
        self.cancel = cancel = threading.Event()
        result = await asyncio.to_thread(
            run_command,
            ready.command,
            env=command_env(ready.target.kubeconfig),
            timeout=self.settings.command_timeout_seconds,
            on_output=on_output,
            cancel=cancel,
        )
        ended = "ended" if result.error is None else "error"
        logs_feed.set_state(SourceState(origin.label, ended, outcome_text(result).plain))
        return result

    async def _in_terminal(self, ready: RunPlan) -> RunResult:
        """Hand the terminal to an interactive command (a shell, an editor, top), and back."""
        from textual.app import SuspendNotSupported

        env = command_env(ready.target.kubeconfig)
        for name in TERMINAL_VARIABLES:
            if name in os.environ:
                env[name] = os.environ[name]
            else:
                env.pop(name, None)
        started = time.monotonic()
        try:
            exit_code = self._terminal_run(ready.command, env)
        except SuspendNotSupported:
            self.app.notify(f"Not run: {NO_TERMINAL}.", severity="warning", markup=False, timeout=8)
            return not_run(ready, NO_TERMINAL)
        except OSError as error:
            return not_run(ready, f"cannot start: {error.strerror or error}")
        return RunResult(
            command=ready.command,
            exit_code=exit_code,
            duration_s=time.monotonic() - started,
            output="",  # it went to the terminal, not through us
            output_sha256=empty_sha256(),
        )

    def _terminal_run(self, command: str, env: dict[str, str]) -> int:
        shell = shutil.which("bash", path=env.get("PATH")) or "/bin/sh"
        # While suspended the console draws nothing, so waiting here, on the event loop, is
        # what keeps it from writing over the command; the workers catch up on return.
        with self.app.suspend():
            return subprocess.run([shell, "-c", command], env=env, check=False).returncode

    async def _record_run(
        self,
        runbook: Runbook,
        section: Section,
        step: Step | None,
        ready: RunPlan,
        result: RunResult,
        outcome: str,
    ) -> Any:
        text, data = run_entry(
            runbook,
            section,
            step,
            ready,
            result,
            outcome,
            output_max_bytes=self.settings.output_max_bytes,
        )
        return await self._record(EventKind.RUNBOOK_RUN, text, data, runbook)
