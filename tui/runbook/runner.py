"""Running one runbook command for real: bounded output, timeout, cancel, no orphans.

`run_command` blocks, so the UI calls it from a worker thread and gets each line
through `on_output` as it arrives. The command runs under `bash -c` (or `sh -c`)
in a process group of its own with stdin from /dev/null (nothing can hang
waiting for a keyboard that is not there); timeout and cancel kill the whole
group, so `sleep 100 &` or a pipeline's children do not outlive it. Output keeps
its first and last 64 KB with a marker in between, and its SHA-256 covers every
byte, so the timeline records a faithful fingerprint of even a huge output.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from tui.runbook.target import target_command

__all__ = ["RunResult", "command_env", "run_command", "target_command"]

KEEP_BYTES = 64 * 1024
CUT_MARKER = "\n…[{} bytes cut]…\n"
# A line with no newline is handed over in pieces this long, so memory stays bounded.
MAX_LINE = 64 * 1024
_READ_SIZE = 65536
_KILL_GRACE = 1.0  # seconds between SIGTERM and SIGKILL
_DRAIN_GRACE = 1.0  # after the shell exits, how long background children may keep writing


@dataclass(frozen=True, slots=True)
class RunResult:
    command: str
    exit_code: int | None  # None when it never started; negative: killed by that signal
    duration_s: float
    output: str  # stdout and stderr interleaved, bounded (see KEEP_BYTES)
    output_sha256: str  # of every byte written, cut or not
    timed_out: bool = False
    cancelled: bool = False
    error: str | None = None  # why it could not run, in plain words
    output_bytes: int = 0  # total size written

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not (self.timed_out or self.cancelled or self.error)


def command_env(
    kubeconfig: str | None, context: str | None = None, namespace: str | None = None
) -> dict[str, str]:
    """The environment a command runs in: ours, with KUBECONFIG set when one is given.

    Context and namespace are deliberately not exported: kubectl would ignore them,
    and a variable would apply to every kubectl silently. `target_command` writes
    them into the command instead, where the operator sees them before running.
    """
    env = dict(os.environ)
    if kubeconfig:
        env["KUBECONFIG"] = kubeconfig
    # Nothing may wait on a pager or a terminal: output goes to a pipe and a pane.
    env.update({"PAGER": "cat", "GIT_PAGER": "cat", "SYSTEMD_PAGER": "", "TERM": "dumb"})
    return env


def run_command(
    command: str,
    *,
    env: dict[str, str],
    timeout: float,
    on_output: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> RunResult:
    shell = shutil.which("bash", path=env.get("PATH")) or shutil.which("sh", path=env.get("PATH"))
    shell = shell or "/bin/sh"
    started = time.monotonic()
    try:
        process = subprocess.Popen(
            [shell, "-c", command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group, killed as one
        )
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the command
        reason = f"cannot start {shell}: {getattr(error, 'strerror', None) or error}"
        return RunResult(command, None, 0.0, "", hashlib.sha256().hexdigest(), error=reason)
    collector = _Collector(on_output)
    reader = threading.Thread(target=collector.read, args=(process,), daemon=True)
    reader.start()
    timed_out = cancelled = False
    deadline = started + timeout
    while process.poll() is None:
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        if time.monotonic() >= deadline:
            timed_out = True
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)
    if timed_out or cancelled:
        _kill_group(process)
    reader.join(timeout=_DRAIN_GRACE)
    if reader.is_alive():
        # The shell is gone but something it started in the background still holds the
        # output open: stop it too, so nothing of this run keeps running unseen.
        _kill_group(process)
        reader.join(timeout=_KILL_GRACE + 1)
    if process.stdout is not None and not reader.is_alive():
        process.stdout.close()
    return RunResult(
        command=command,
        exit_code=process.returncode,
        duration_s=time.monotonic() - started,
        output=collector.output(),
        output_sha256=collector.digest.hexdigest(),
        timed_out=timed_out,
        cancelled=cancelled,
        output_bytes=collector.total,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, _KILL_GRACE), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        if grace and not _group_alive(process.pid):
            return


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class _Collector:
    """Reads the pipe to its end: hashes everything, keeps head and tail, emits lines."""

    def __init__(self, on_output: Callable[[str], None] | None) -> None:
        self.on_output = on_output
        self.digest = hashlib.sha256()
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.partial = ""

    def read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, _READ_SIZE)
            except OSError:
                break
            if not chunk:
                break
            self._keep(chunk)
            self._emit(self.decoder.decode(chunk))
        self._emit(self.decoder.decode(b"", final=True))
        if self.partial:
            self._send(self.partial)
            self.partial = ""

    def _keep(self, chunk: bytes) -> None:
        self.digest.update(chunk)
        self.total += len(chunk)
        room = KEEP_BYTES - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self.tail += chunk
            if len(self.tail) > KEEP_BYTES:
                del self.tail[: len(self.tail) - KEEP_BYTES]

    def _emit(self, text: str) -> None:
        if not text:
            return
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        for line in lines:
            self._send(line)
        while len(self.partial) > MAX_LINE:
            self._send(self.partial[:MAX_LINE])
            self.partial = self.partial[MAX_LINE:]

    def _send(self, line: str) -> None:
        if self.on_output is not None:
            # A failing callback must not stop the pipe being drained (the command would
            # block on a full pipe); the output is still kept and hashed.
            with contextlib.suppress(Exception):
                self.on_output(line)

    def output(self) -> str:
        if self.total <= 2 * KEEP_BYTES:
            return (self.head + self.tail).decode("utf-8", errors="replace")
        cut = self.total - len(self.head) - len(self.tail)
        head = self.head.decode("utf-8", errors="replace")
        tail = self.tail.decode("utf-8", errors="replace")
        return head + CUT_MARKER.format(cut) + tail
