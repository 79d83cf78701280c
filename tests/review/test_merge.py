"""Merging timelines from several files: no duplicates, each writer's order kept, re-chained."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_coroutine
from tests.helpers.cli import assert_one_line_error, warroom
from tests.review.script import write_script
from tests.test_timeline_processes import appender
from tui.timeline.reader import TimelineReader
from tui.timeline.verify import verify_file


def texts(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT text FROM events ORDER BY seq")]


def test_merge_of_files_written_concurrently(
    make_incident: Callable[..., Path], tmp_path: Path, env: dict[str, str]
) -> None:
    base = make_incident("base.db")
    # Two bastions start from copies of the same incident file...
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    shutil.copy(base, a)
    shutil.copy(base, b)
    # ...and operators write to both at once (two of them on the first file).
    writers = [
        appender(a, 150, "alpha", 0.001),
        appender(a, 150, "gamma", 0.001),
        appender(b, 150, "beta", 0.001),
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
    out = tmp_path / "merged.db"
    result = warroom("merge", str(a), str(b), "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert "1 duplicates dropped, 0 conflicts" in result.stdout

    merged = texts(out)
    assert merged[0].startswith("Incident declared")  # once: the copies share it
    assert len(merged) == 1 + 450 + 1
    for tag in ("alpha", "gamma", "beta"):
        numbers = [int(t.split()[1]) for t in merged if t.startswith(f"{tag} ")]
        assert numbers == list(range(150))  # each writer's order is kept
    with TimelineReader(out) as reader:
        assert verify_file(reader).ok
        rows = reader.rows()
        with TimelineReader(a) as source:
            assert reader.header == source.header
    # Each file's commit order is kept (two writers on one file commit in an
    # order their clocks do not always show).
    position = {row.uuid: index for index, row in enumerate(rows)}
    for source_path in (a, b):
        with TimelineReader(source_path) as source:
            order = [position[row.uuid] for row in source.rows()]
        assert order == sorted(order)
    recorded = json.loads(rows[-1].data)
    assert rows[-1].kind == "merged"
    assert [s["path"] for s in recorded["sources"]] == [str(a), str(b)]
    assert [(s["events"], s["added"], s["verified"]) for s in recorded["sources"]] == [
        (301, 301, True),
        (151, 150, True),
    ]
    with TimelineReader(a) as source:
        assert recorded["sources"][0]["head"] == verify_file(source).head
        assert recorded["sources"][0]["incident_id"] == source.incident.id


def test_merging_a_file_with_itself_adds_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "incident.db"
    run_coroutine(write_script(path))
    out = tmp_path / "out.db"
    result = warroom("merge", str(path), str(path), "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert texts(out)[:-1] == texts(path)


def test_incidents_from_different_files_keep_the_earliest_header(
    make_incident: Callable[..., Path], tmp_path: Path, env: dict[str, str]
) -> None:
    first = make_incident("one.db", title="Seen from bastion 1")
    second = make_incident("two.db", title="Seen from bastion 2")
    out = tmp_path / "out.db"
    assert warroom("merge", str(second), str(first), "-o", str(out), env=env).returncode == 0
    with TimelineReader(out) as reader:
        assert reader.incident.title == "Seen from bastion 1"
        declared = [r.text for r in reader.rows() if r.kind == "declared"]
    assert len(declared) == 2


def test_a_tampered_source_is_refused_unless_allowed(tmp_path: Path, env: dict[str, str]) -> None:
    good, bad = tmp_path / "good.db", tmp_path / "bad.db"
    run_coroutine(write_script(good))
    shutil.copy(good, bad)
    with sqlite3.connect(bad) as db:
        db.execute("DROP TRIGGER events_are_never_updated")
        db.execute("UPDATE events SET text = 'all fine' WHERE seq = 8")
    out = tmp_path / "out.db"
    refused = warroom("merge", str(good), str(bad), "-o", str(out), env=env)
    assert_one_line_error(refused, "event #8 does not match the chain")
    assert not out.exists()
    allowed = warroom("merge", str(good), str(bad), "-o", str(out), "--allow-unverified", env=env)
    assert allowed.returncode == 0, allowed.stderr
    assert "conflict: event" in allowed.stderr  # the edited copy differs from the original
    assert "NOT verified" in allowed.stdout
    with TimelineReader(out) as reader:
        merged = json.loads(reader.rows()[-1].data)
    assert merged["conflicts"] == 1
    assert [s["verified"] for s in merged["sources"]] == [True, False]


def test_merge_bad_input(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "incident.db"
    run_coroutine(write_script(path))
    assert_one_line_error(warroom("merge", str(path), "-o", str(path), env=env), "already exists")
    assert_one_line_error(warroom("merge", str(path), env=env), "required: -o")
    (tmp_path / "notes.txt").write_text("hello")
    assert_one_line_error(
        warroom("merge", str(tmp_path / "notes.txt"), "-o", str(tmp_path / "o.db"), env=env),
        "not an SQLite database",
    )
    (tmp_path / "x.json").write_text("{}")
    assert_one_line_error(
        warroom("merge", str(tmp_path / "x.json"), "-o", str(tmp_path / "o.db"), env=env),
        "not a warroom timeline export",
    )
