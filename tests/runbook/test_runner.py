"""Running commands for real: streaming, exit codes, timeouts, cancel, bounded output."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

import psutil
import pytest

from tui.runbook.runner import KEEP_BYTES, command_env, run_command


@pytest.fixture
def env() -> dict[str, str]:
    return command_env(None)


def test_output_streams_line_by_line_as_it_comes(env: dict[str, str]) -> None:
    seen: list[tuple[float, str]] = []
    started = time.monotonic()
    result = run_command(
        "echo one; sleep 0.6; echo two >&2; printf 'no newline'",
        env=env,
        timeout=10,
        on_output=lambda line: seen.append((time.monotonic() - started, line)),
    )
    assert [line for _, line in seen] == ["one", "two", "no newline"]
    assert seen[0][0] < seen[1][0]  # handed over line by line, not at the end
    assert result.output == "one\ntwo\nno newline"
    assert result.exit_code == 0 and result.ok
    assert result.output_sha256 == hashlib.sha256(b"one\ntwo\nno newline").hexdigest()
    assert result.duration_s > 0.5  # it waited for the command's own sleep


def test_exit_codes_and_stdin_is_empty(env: dict[str, str]) -> None:
    assert run_command("exit 3", env=env, timeout=10).exit_code == 3
    failed = run_command("ls /definitely/not/here", env=env, timeout=10)
    assert failed.exit_code != 0 and "No such file" in failed.output and not failed.ok
    # A command that reads stdin gets end-of-file at once instead of hanging.
    reader = run_command("cat; echo done", env=env, timeout=10)
    assert reader.output == "done\n" and not reader.timed_out


def test_timeout_kills_the_whole_process_group(env: dict[str, str], tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    command = f"sleep 100 & echo $! > {pids}; (sleep 100; echo never) & echo started; wait"
    result = run_command(command, env=env, timeout=1.0)
    assert result.timed_out and not result.ok
    assert result.output == "started\n"
    child = int(pids.read_text())
    assert not _running(child)


def test_cancel_stops_a_running_command(env: dict[str, str]) -> None:
    cancel = threading.Event()
    lines: list[str] = []

    def on_output(line: str) -> None:
        lines.append(line)
        cancel.set()

    result = run_command(
        "echo go; sleep 100", env=env, timeout=60, on_output=on_output, cancel=cancel
    )
    assert result.cancelled and not result.timed_out
    assert lines == ["go"]


def test_background_children_do_not_outlive_the_command(
    env: dict[str, str], tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    result = run_command(f"sleep 100 & echo $! > {pids}; echo bye", env=env, timeout=20)
    assert result.exit_code == 0 and result.output == "bye\n"
    assert not result.timed_out
    assert _gone(int(pids.read_text()))


def test_huge_output_is_bounded_and_fingerprinted_whole(env: dict[str, str]) -> None:
    count = 0

    def on_output(_line: str) -> None:
        nonlocal count
        count += 1

    result = run_command("seq 1 2000000", env=env, timeout=60, on_output=on_output)
    whole = "".join(f"{n}\n" for n in range(1, 2_000_001)).encode()
    assert result.output_bytes == len(whole)
    assert result.output_sha256 == hashlib.sha256(whole).hexdigest()
    assert count == 2_000_000
    assert len(result.output.encode()) < 2 * KEEP_BYTES + 100
    assert result.output.startswith("1\n2\n3\n")
    assert result.output.endswith("1999999\n2000000\n")
    assert "bytes cut]" in result.output


def test_a_long_line_without_newline_is_handed_over_in_pieces(env: dict[str, str]) -> None:
    pieces: list[str] = []
    run_command("head -c 300000 /dev/zero | tr '\\0' x", env=env, timeout=30,
                on_output=pieces.append)  # fmt: skip
    assert "".join(pieces) == "x" * 300000
    assert max(len(piece) for piece in pieces) <= 64 * 1024


def test_invalid_utf8_is_replaced_not_fatal(env: dict[str, str]) -> None:
    lines: list[str] = []
    result = run_command(
        "printf 'caf\\351 \\342\\202\\254 ok\\n\\377\\n'",
        env=env,
        timeout=10,
        on_output=lines.append,
    )
    assert lines == ["caf\ufffd € ok", "\ufffd"]
    assert result.output == "caf\ufffd € ok\n\ufffd\n"


def test_a_failing_callback_does_not_block_the_command(env: dict[str, str]) -> None:
    def broken(_line: str) -> None:
        raise RuntimeError("UI went away")

    result = run_command("seq 1 100000", env=env, timeout=30, on_output=broken)
    assert result.exit_code == 0 and result.output.endswith("100000\n")


def test_command_env_sets_kubeconfig_and_no_pager() -> None:
    env = command_env("/tmp/kubeconfig", "ctx", "ns")
    assert env["KUBECONFIG"] == "/tmp/kubeconfig"
    assert env["PAGER"] == "cat"
    assert "ctx" not in env.values() and "ns" not in env.values()
    assert env["PATH"] == os.environ["PATH"]
    assert "KUBECONFIG" not in command_env(None) or os.environ.get("KUBECONFIG")


def test_without_bash_on_the_path_sh_runs_it(env: dict[str, str]) -> None:
    result = run_command("echo $0", env={**env, "PATH": "/nonexistent"}, timeout=5)
    assert result.exit_code == 0 and result.output == "/bin/sh\n"


def test_what_cannot_start_is_an_error_not_an_exception(env: dict[str, str]) -> None:
    result = run_command("echo a\0b", env=env, timeout=5)
    assert result.exit_code is None and not result.ok
    assert result.error is not None and "cannot start" in result.error


def _gone(pid: int) -> bool:
    """Not running, allowing the kill a moment to be reaped (no timing claim)."""
    for _ in range(100):
        if not _running(pid):
            return True
        time.sleep(0.05)
    return False


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
