"""The real `warroom` command in child processes: help, errors, note, incidents, console."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.terminal import spawn
from tests.helpers.cli import assert_one_line_error, warroom
from tui.timeline.model import Severity

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("command", [[], ["note"], ["incidents"]])
def test_help_is_clear(command: list[str], env: dict[str, str]) -> None:
    result = warroom(*command, "--help", env=env)
    assert result.returncode == 0
    assert "usage: warroom" in result.stdout
    assert "Traceback" not in result.stderr


def test_top_level_help_lists_flags_and_subcommands(env: dict[str, str]) -> None:
    out = warroom("--help", env=env).stdout
    for word in ("--db", "--title", "--severity", "--readonly", "--config", "note", "incidents"):
        assert word in out


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--severity", "P7"], "'P7' is not a severity"),
        (["note", "--db", "x.db"], "the following arguments are required: text"),
        (["frobnicate"], "invalid choice"),
        (["--config", "/nonexistent/warroom.toml"], "no such config file"),
        (["--db", "/etc/passwd"], "not a warroom incident file"),
        (["--db", "/etc/passwd/x.db"], "cannot create"),
        (["--db", "/"], "is a directory"),
        (["note", "--db", "/nonexistent.db", "hello"], "no such incident file"),
        (["incidents", "/nonexistent-dir"], "no such file or directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], fragment: str, env: dict[str, str]
) -> None:
    assert_one_line_error(warroom(*args, env=env), fragment)


def test_foreign_sqlite_file_is_refused_and_untouched(tmp_path: Path, env: dict[str, str]) -> None:
    other = tmp_path / "grafana.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE dashboard (id INTEGER)")
    before = other.read_bytes()
    assert_one_line_error(warroom("--db", str(other), env=env), "another program")
    assert_one_line_error(warroom("note", "--db", str(other), "x", env=env), "another program")
    assert other.read_bytes() == before


def test_note_appends_from_the_shell(
    make_incident: Callable[..., Path], env: dict[str, str]
) -> None:
    path = make_incident()
    result = warroom("note", "--db", str(path), "rolled", "back", "[bold]v42[/]", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("recorded note #2 at ")
    piped = warroom("note", "--db", str(path), "-", env=env, stdin="from a script\n")
    assert piped.returncode == 0, piped.stderr
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT kind, actor, source, text FROM events ORDER BY seq").fetchall()
    assert rows[1][0] == "note"
    assert rows[1][1].startswith("carol@")
    assert rows[1][2:] == ("cli", "rolled back [bold]v42[/]")
    assert rows[2][3] == "from a script"
    empty = warroom("note", "--db", str(path), "-", env=env, stdin="  \n")
    assert_one_line_error(empty, "the note is empty")


def test_incidents_lists_files_with_their_state(
    make_incident: Callable[..., Path], tmp_path: Path, env: dict[str, str]
) -> None:
    first = make_incident("a.db", title="Disk full on db-1")
    make_incident("b.db", title="TLS expired", severity=Severity.P0)
    warroom("note", "--db", str(first), "cleaned up", env=env)
    (tmp_path / "junk.db").write_text("not a database")

    result = warroom("incidents", str(tmp_path), env=env)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["STARTED", "(UTC)", "SEV", "STATUS"]
    body = "\n".join(lines[1:])
    assert "Disk full on db-1" in body and "TLS expired" in body
    assert "investigating" in body
    assert "skipped" in result.stderr and "junk.db" in result.stderr

    as_json = [json.loads(line) for line in warroom("incidents", "--json", str(first), env=env)
               .stdout.splitlines()]  # fmt: skip
    assert as_json[0]["title"] == "Disk full on db-1"
    assert as_json[0]["events"] == 2
    assert as_json[0]["status"] == "investigating"
    assert as_json[0]["severity"] == "P1"


def test_incidents_with_nothing_yet(env: dict[str, str]) -> None:
    result = warroom("incidents", env=env)
    assert result.returncode == 0
    assert "no incident files" in result.stdout


def test_console_opens_in_a_real_terminal_and_quits(tmp_path: Path, env: dict[str, str]) -> None:
    """The whole command: creates the incident under the data dir, draws, quits on q."""
    terminal = spawn(
        [sys.executable, "-m", "tui", "--title", "API 5xx spike", "--severity", "P0"],
        size=(80, 24),
        env=env,
        cwd=str(ROOT),
    )
    try:
        drawn = terminal.read_until([b"API 5xx spike", b"Host", b"ACK due"], timeout=30)
        assert drawn is not None, bytes(terminal.output[-2000:])
        terminal.send(b"q")
        assert terminal.wait(timeout=10) == 0
    finally:
        terminal.kill()
    files = list((tmp_path / "data" / "warroom" / "incidents").glob("*-api-5xx-spike.db"))
    assert len(files) == 1
    listing = warroom("incidents", "--json", env=env).stdout
    assert json.loads(listing)["severity"] == "P0"
