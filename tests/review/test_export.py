"""Exports: the postmortem draft against an expected file, JSON round trip, CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_coroutine
from tests.helpers.cli import assert_one_line_error, warroom
from tests.review.script import fixed_ids, write_script
from tui.timeline.chain import genesis_hash
from tui.timeline.export import load_json, write_json
from tui.timeline.reader import TimelineReader
from tui.timeline.verify import verify_rows

EXPECTED = Path(__file__).parent / "expected_postmortem.md"


@pytest.fixture
def scripted(tmp_path: Path) -> Path:
    path = tmp_path / "incident.db"
    with fixed_ids():
        run_coroutine(write_script(path))
    return path


def test_postmortem_of_a_scripted_incident(
    scripted: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "postmortem.md"
    result = warroom("export", str(scripted), "--tz", "Europe/Paris", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert f"wrote {out} (md, 25 events)" in result.stderr
    drafted = out.read_text()
    if os.environ.get("WARROOM_UPDATE_EXPECTED"):
        EXPECTED.write_text(drafted)
    assert drafted == EXPECTED.read_text()


def test_postmortem_sections_follow_the_seeds_and_prompt_for_the_rest(scripted: Path) -> None:
    text = EXPECTED.read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Summary",
        "## Impact",
        "## Root cause",
        "## Resolution",
        "## Timeline",
        "## What went well",
        "## What went wrong",
        "## Action items",
        "## Lessons learned",
    ]
    # What only people know is asked for, never made up.
    for section in ("Summary", "Root cause", "Resolution", "Lessons learned"):
        body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
        assert "> **To write:**" in body
    # TODO notes (the key and a note starting with TODO) became action items.
    assert "- [ ] Alert on payments DB pool saturation (raised by bob" in text
    assert "- [ ] a canary stage for payments deploys (raised by alice" in text
    # Operator text cannot inject Markdown or HTML.
    assert r"\| upstream \[bold\]payments\[/\] \<b\>" in text
    # Automatic events are left out unless pinned; the pinned transition is in.
    assert "disk /" not in text
    assert "★ **k8s transition**: pod payments-7d9" in text


def test_pinned_only_timeline(scripted: Path, env: dict[str, str]) -> None:
    result = warroom("export", str(scripted), "--pinned-only", env=env)
    assert result.returncode == 0, result.stderr
    timeline = result.stdout.split("## Timeline\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in timeline.splitlines() if line.startswith("| 2026")]
    assert len(rows) == 2
    assert "Pinned events: 2 of 25" in timeline


def test_json_is_complete_and_round_trips(scripted: Path, env: dict[str, str]) -> None:
    result = warroom("export", str(scripted), "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    loaded = load_json(result.stdout)
    with TimelineReader(scripted) as reader:
        assert loaded.header == reader.header
        assert loaded.rows == reader.rows()  # every stored field, hashes included
        again = io.StringIO()
        write_json(reader, again)
    assert again.getvalue() == result.stdout
    assert verify_rows(genesis_hash(*loaded.header), loaded.rows).ok
    document = json.loads(result.stdout)
    assert document["events"][7]["text"].startswith("502s on /api/checkout")
    assert document["events"][8]["data"]["lines"][0]["text"].endswith("connection refused")


def test_json_rebuilds_an_incident_file(
    scripted: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    exported = tmp_path / "incident.json"
    warroom("export", str(scripted), "--format", "json", "-o", str(exported), env=env)
    rebuilt = tmp_path / "rebuilt.db"
    result = warroom("merge", str(exported), "-o", str(rebuilt), env=env)
    assert result.returncode == 0, result.stderr
    assert warroom("verify", str(rebuilt), env=env).returncode == 0
    with TimelineReader(scripted) as a, TimelineReader(rebuilt) as b:
        original = [(r.uuid, r.ts, r.kind, r.text, r.data) for r in a.rows()]
        copy = [(r.uuid, r.ts, r.kind, r.text, r.data) for r in b.rows()]
        assert b.header == a.header
    assert copy[:-1] == original
    assert copy[-1][2] == "merged"


def test_json_keeps_data_that_is_not_canonical(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "incident.db"
    with fixed_ids():
        run_coroutine(write_script(path))
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER events_are_never_updated")
        db.execute('UPDATE events SET data = \'{ "b": 1, "a": 2 }\' WHERE seq = 2')
    exported = warroom("export", str(path), "--format", "json", env=env).stdout
    loaded = load_json(exported)
    assert loaded.rows[1].data == '{ "b": 1, "a": 2 }'


def test_csv_has_one_row_per_event(scripted: Path, env: dict[str, str]) -> None:
    result = warroom("export", str(scripted), "--format", "csv", "--tz", "Asia/Tokyo", env=env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 25
    assert list(rows[0]) == [
        "seq",
        "time_utc",
        "time_Asia/Tokyo",
        "kind",
        "actor",
        "source",
        "subject",
        "pinned",
        "text",
        "data",
        "uuid",
        "hash",
    ]
    assert rows[0]["time_utc"] == "2026-11-22T14:35:00.000Z"
    assert rows[0]["time_Asia/Tokyo"] == "2026-11-22T23:35:00.000+09:00"
    # Pinned as it stands at the end: the transition was pinned afterwards.
    assert [r["seq"] for r in rows if r["pinned"] == "1"] == ["7", "9"]
    assert json.loads(rows[8]["data"])["lines"][0]["text"].endswith("refused")


def test_csv_defuses_formulas_and_control_characters(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "incident.db"
    run_coroutine(write_script(path))
    warroom("note", "--db", str(path), '=HYPERLINK("http://x")', env=env)
    warroom("note", "--db", str(path), "-", stdin="bell\x07 and \x1b[31mred\n", env=env)
    rows = list(
        csv.DictReader(io.StringIO(warroom("export", str(path), "--format", "csv", env=env).stdout))
    )
    assert rows[-2]["text"] == '\'=HYPERLINK("http://x")'
    assert "\x1b" not in rows[-1]["text"] and "\x07" not in rows[-1]["text"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--tz", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
        (["--format", "pdf"], "invalid choice: 'pdf'"),
    ],
)
def test_bad_export_input_is_one_line_exit_2(
    scripted: Path, args: list[str], fragment: str, env: dict[str, str]
) -> None:
    assert_one_line_error(warroom("export", str(scripted), *args, env=env), fragment)


def test_export_never_overwrites_without_force(
    scripted: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "pm.md"
    out.write_text("edited by hand")
    assert_one_line_error(
        warroom("export", str(scripted), "-o", str(out), env=env), "already exists"
    )
    assert out.read_text() == "edited by hand"
    assert warroom("export", str(scripted), "-o", str(out), "--force", env=env).returncode == 0
    assert out.read_text().startswith("# Postmortem: Checkout returns 502")
