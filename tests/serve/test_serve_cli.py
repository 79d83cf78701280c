"""`warroom serve` on the command line: bad input is one line and exit 2 before anything
listens, and each viewer's console gets the same console flags."""

from __future__ import annotations

import shlex
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.cli import build_parser
from tui.commands.serve import console_flag_actions, viewer_command


def serve(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", "serve", *argv],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


def one_line_error(done: subprocess.CompletedProcess[str], expected: str) -> None:
    assert done.returncode == 2, done
    assert expected in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "http://" not in done.stdout  # nothing was served


def test_a_missing_incident_file_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    one_line_error(serve("--db", str(tmp_path / "gone.db"), env=env), "no such incident file")
    assert not (tmp_path / "gone.db").exists()


def test_a_file_that_is_not_an_incident_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    one_line_error(serve("--db", str(text), env=env), "not a warroom incident file")
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE t (x)")
    one_line_error(serve("--db", str(foreign), env=env), "not a warroom incident file")


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ((), "needs --db"),
        (("--title", "x"), "--title cannot be used"),
        (("--severity", "P0"), "--severity cannot be used"),
        (("--token", "short"), "too short"),
        (("--token", "has spaces in it, sixteen+"), "letters, digits"),
        (("--port", "70000"), "not a port number"),
    ],
)
def test_bad_flags_are_one_line(
    make_incident: Callable[..., Path], env: dict[str, str], argv: tuple[str, ...], expected: str
) -> None:
    db = () if argv == () else ("--db", str(make_incident()))
    one_line_error(serve(*db, *argv, env=env), expected)


def test_a_busy_port_is_one_line(make_incident: Callable[..., Path], env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        one_line_error(serve("--db", str(make_incident()), "--port", port, env=env),
                       "cannot listen on 127.0.0.1 port")  # fmt: skip


def test_each_viewer_gets_the_console_flags_given_to_serve(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    config = tmp_path / "config.toml"
    config.write_text("")
    argv = [
        "serve", "--db", str(tmp_path / "i.db"), "--config", str(config), "--readonly",
        "--kubeconfig", str(tmp_path / "kubeconfig"), "--context", "prod", "--context", "stage",
        "-n", "payments", "-A", "--log-file", str(tmp_path / "app.log"),
        "--runbooks", str(tmp_path / "runbooks"), "--probe", "https://shop.example/health",
        "--resolve", "shop.example:127.0.0.1", "--docker-host", "unix:///run/podman/podman.sock",
        "--present", "--host", "127.0.0.1", "--port", "8123", "--token", "a-token-of-twenty-chars",
    ]  # fmt: skip
    served = build_parser().parse_args(argv)
    command = shlex.split(viewer_command(served.db, served))
    assert command[:3] == [sys.executable, "-m", "tui"]
    viewer = build_parser().parse_args(command[3:])
    assert viewer.view_only
    assert viewer.command is None  # the console itself, not a subcommand
    assert viewer.db == (tmp_path / "i.db").absolute()
    for action in console_flag_actions():
        if action.dest != "db":
            assert getattr(viewer, action.dest) == getattr(served, action.dest), action.dest
    # The sharing flags stay with the server: a viewer could not use them.
    assert not {"--host", "--port", "--token"} & set(command)


def test_settings_a_viewer_would_refuse_are_refused_before_serving(
    tmp_path: Path, make_incident: Callable[..., Path], env: dict[str, str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = = not toml\n")
    incident = str(make_incident())
    one_line_error(serve("--db", incident, "--config", str(broken), env=env), "broken.toml")
    one_line_error(serve("--db", incident, "--keys", str(broken), env=env), "broken.toml")
