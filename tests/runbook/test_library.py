"""Loading the runbook library: bundled first, a team's file of the same name wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runbook.conftest import BUNDLED
from tests.runbook.helpers import all_text, words
from tui.runbook.danger import classify
from tui.runbook.library import BUNDLED_DIR, load_library
from tui.runbook.lint import lint
from tui.runbook.source import decode


def test_later_directories_override_and_problems_are_listed(tmp_path: Path) -> None:
    bundled = tmp_path / "bundled"
    team = tmp_path / "team"
    bundled.mkdir()
    team.mkdir()
    (bundled / "crashloop.md").write_text("# Bundled crash loop\n- a\n")
    (bundled / "oom.md").write_text("# OOM\n- a\n")
    (bundled / "notes.txt").write_text("# not a runbook\n")
    (team / "crashloop.md").write_text("# Our crash loop\n- a\n")
    (team / "broken.md").write_bytes(b"\x00\x01binary")
    (team / "sub").mkdir()
    (team / "sub" / "deep.md").write_text("# Deep\n")
    runbooks, problems = load_library([bundled, team, tmp_path / "missing"])
    assert [r.title for r in runbooks] == ["OOM", "Our crash loop"]
    assert len(problems) == 1 and "broken.md" in problems[0] and "NUL" in problems[0]
    runbooks, problems = load_library([team / "broken.md"])
    assert runbooks == [] and problems == [f"{team / 'broken.md'}: not a directory"]


def test_bundled_dir_is_found_from_a_checkout() -> None:
    assert BUNDLED_DIR == BUNDLED or BUNDLED_DIR.name == "bundled_runbooks"


def test_every_bundled_runbook_is_clean() -> None:
    files = sorted(BUNDLED.glob("*.md")) if BUNDLED.is_dir() else []
    if not files:
        pytest.skip("no bundled runbooks yet")
    runbooks, problems = load_library([BUNDLED])
    assert problems == []
    assert len(runbooks) == len(files)
    for runbook in runbooks:
        name = runbook.name
        assert runbook.warnings == [], (name, runbook.warnings)
        steps = [step for _, step in runbook.steps()]
        commands = [line for _, _, b in runbook.commands() if b.runnable for line in b.commands]
        assert steps, f"{name}: no steps"
        assert commands, f"{name}: no commands"
        for line in commands:
            classify(line.text)  # never raises
        assert lint(runbook).commands == len(commands)
        assert runbook.path is not None
        source = decode(runbook.path.read_bytes())
        assert not words(source) - words(all_text(runbook)), f"{name}: text lost"
