"""The key-map file: parsing, checking against every binding, and the console using it."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.binding import Binding

from tests.conftest import wait_for
from tests.helpers.cli import assert_one_line_error, warroom
from tests.helpers.fixed import NO_CLUSTER, FixedClock, FrozenSampler
from tui.app import WarRoomApp
from tui.config import Settings
from tui.key_catalogue import catalogue, entries
from tui.keymap import KeyMapError, check_keymap, normalize_key, parse_keymap_text, read_keymap
from tui.screens.console import ConsoleScreen
from tui.screens.dialogs import NoteDialog
from tui.screens.help import HelpScreen
from widgets.key_bar import KeyBar
from widgets.timeline_pane import TimelinePane

ID_PATTERN = re.compile(r"^[a-z][a-z_]*\.[a-z0-9][a-z0-9_]*$")


# -- the bindings themselves ---------------------------------------------------------


def test_every_binding_has_an_area_action_id() -> None:
    missing = [
        f"{scope.name}: {binding.key} -> {binding.action}"
        for scope in catalogue()
        for binding in scope.bindings
        # Textual's own bindings (inherited: Screen's tab, App's ctrl+c) are not ours.
        if binding.id is None and _declared_in_project(scope.name, binding)
    ]
    assert missing == []
    for entry in entries():
        assert ID_PATTERN.match(entry.id), entry.id


def _declared_in_project(scope_name: str, binding: Binding) -> bool:
    from tui.key_catalogue import _project_classes

    for cls in _project_classes():
        if cls.__name__ == scope_name:
            return any(
                item.action == binding.action and binding.key in item.key.split(",")
                for item in cls.__dict__.get("BINDINGS", [])
            )
    return False


def test_no_key_is_taken_twice_in_one_place_by_default() -> None:
    for scope in catalogue():
        owner: dict[str, str] = {}
        for binding in scope.bindings:
            if binding.id is None:
                continue
            other = owner.setdefault(binding.key, binding.id)
            assert other == binding.id, f"{scope.name}: {binding.key} is {other} and {binding.id}"


# -- reading the file -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("N", "N"),
        ("?", "question_mark"),
        ("/", "slash"),
        ("ctrl-n", "ctrl+n"),
        ("Ctrl+N", "ctrl+n"),
        ("shift+n", "N"),
        ("Esc", "escape"),
        ("Enter", "enter"),
        ("f2", "f2"),
        ("pgup", "pageup"),
        ("shift+tab", "shift+tab"),
        ("ctrl+/", "ctrl+slash"),
        ("exclamation_mark", "exclamation_mark"),
    ],
)
def test_keys_are_taken_as_people_write_them(written: str, key: str) -> None:
    assert normalize_key(written) == key


@pytest.mark.parametrize("written", ["", "ctrl+", "hyperspace", "cmd+x", "ctrl+notakey"])
def test_a_non_key_is_refused(written: str) -> None:
    with pytest.raises(ValueError):
        normalize_key(written)


def test_dotted_keys_tables_lists_and_comma_lists_all_work() -> None:
    text = """
incident.note = "f2"
"incident.todo" = "f3,ctrl+t"
[logs]
filter = ["f", "/"]
"""
    assert parse_keymap_text(text, "keys.toml") == {
        "incident.note": "f2",
        "incident.todo": "f3,ctrl+t",
        "logs.filter": "f,slash",
    }


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("incident.note = ", "keys.toml: invalid TOML"),
        ("incident.note = 3", "keys.toml: incident.note: expected a key or a list of keys"),
        ("incident.note = ''", "incident.note: no key given"),
        ('incident.note = "ctrl+"', "incident.note: 'ctrl+': no key after the modifier"),
        ('incident.note = ["n", 2]', "expected a key or a list of keys"),
    ],
)
def test_a_malformed_file_is_refused_with_the_reason(text: str, fragment: str) -> None:
    with pytest.raises(KeyMapError, match=re.escape(fragment)):
        parse_keymap_text(text, "keys.toml")


def test_an_unknown_id_is_named_with_a_suggestion() -> None:
    with pytest.raises(KeyMapError) as caught:
        check_keymap({"incident.nte": "f2"}, catalogue(), "keys.toml")
    message = str(caught.value)
    assert "keys.toml: unknown binding id 'incident.nte'" in message
    assert "did you mean 'incident.note'" in message


@pytest.mark.parametrize(
    ("remaps", "fragment"),
    [
        # S is the severity key on the console.
        ({"incident.note": "S"}, "key 'S' is taken twice in ConsoleScreen"),
        # r restarts in the Pods pane.
        ({"pods.logs": "r"}, "key 'r' is taken twice in PodsPane: pods.logs and pods.restart"),
        # ctrl+q quits from anywhere: no pane key can have it.
        ({"logs.filter": "ctrl+q"}, "app.ctrl_quit"),
        # tab moves between panes from anywhere in the console.
        ({"runbook.check": "tab"}, "console.next_pane"),
        ({"confirm.yes": "n"}, "key 'n' is taken twice in ConfirmActionScreen"),
    ],
)
def test_a_key_taken_twice_in_one_place_is_refused(remaps: dict[str, str], fragment: str) -> None:
    with pytest.raises(KeyMapError, match=re.escape(fragment)):
        check_keymap(remaps, catalogue(), "keys.toml")


def test_swapping_two_keys_is_not_a_clash() -> None:
    check_keymap({"incident.note": "s", "incident.status": "n"}, catalogue(), "keys.toml")


def test_same_key_in_different_places_is_fine() -> None:
    # f2 for a console action and for a pane action: the focused pane's wins, as for u and t.
    check_keymap({"incident.note": "f2", "pods.logs": "f2"}, catalogue(), "keys.toml")


def test_no_file_at_the_default_place_means_no_remaps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert read_keymap().remaps == {}
    (tmp_path / "warroom").mkdir()
    (tmp_path / "warroom" / "keys.toml").write_text('incident.note = "f2"\n')
    keymap = read_keymap()
    assert keymap.remaps == {"incident.note": "f2"}
    assert keymap.path == tmp_path / "warroom" / "keys.toml"


def test_an_explicit_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(KeyMapError, match="no such key-map file"):
        read_keymap(tmp_path / "missing.toml")


# -- the console with a key map -------------------------------------------------------


@pytest.fixture
def keyed_app(
    settings: Settings, make_incident: Callable[..., Path], clock: FixedClock, tmp_path: Path
) -> WarRoomApp:
    keys = tmp_path / "keys.toml"
    keys.write_text('incident.note = "f2"\nincident.todo = "f3,ctrl+t"\n"timeline.pin" = "!"\n')
    return WarRoomApp(
        settings,
        make_incident(),
        actor="alice@bastion-1",
        clock=clock,
        sampler_factory=FrozenSampler,
        kube_options=NO_CLUSTER,
        keymap=read_keymap(keys),
    )


def notes(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT text FROM events WHERE kind = 'note'")]


async def test_a_remapped_key_works_and_the_old_one_does_not(keyed_app: WarRoomApp) -> None:
    app = keyed_app
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ConsoleScreen)
        await pilot.press("f2")
        await wait_for(lambda: isinstance(app.screen, NoteDialog), pilot)
        await pilot.press(*"remapped", "enter")
        await wait_for(lambda: notes(app.db_path) == ["remapped"], pilot)


async def test_key_bar_help_and_palette_show_the_remapped_keys(keyed_app: WarRoomApp) -> None:
    app = keyed_app
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: bool(app.screen.query(TimelinePane)), pilot)
        bar = app.screen.query_one(KeyBar)
        await wait_for(lambda: " f2  Note " in str(bar.render()), pilot)
        assert " n  Note " not in str(bar.render())

        palette = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert palette["Add a note"] == "Record a note in the timeline (f2)"
        assert palette["Add an action item (TODO)"].endswith("(f3,ctrl-t)")
        assert palette["Pin or unpin the selected event"] == "Timeline pane (!)"
        assert palette["Change status"].endswith("(s)")  # not remapped: as before

        await pilot.press("question_mark")
        await wait_for(lambda: isinstance(app.screen, HelpScreen), pilot)
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        rows = dict(row for _title, group in screen._groups for row in group)
        assert rows["f2"] == "Add a note to the timeline"
        assert rows["f3,ctrl-t"] == "Add an action item (TODO) for the postmortem"
        assert rows["!"] == "Pin or unpin the selected event (evidence)"
        assert "n" not in rows or rows["n"] != "Add a note to the timeline"


# -- the command line -----------------------------------------------------------------


def test_keys_lists_every_id_with_its_keys(env: dict[str, str], tmp_path: Path) -> None:
    result = warroom("keys", "--json", env=env)
    assert result.returncode == 0, result.stderr
    listed = [json.loads(line) for line in result.stdout.splitlines()]
    by_id = {item["id"]: item for item in listed}
    assert {entry.id for entry in entries()} == set(by_id)
    assert by_id["incident.note"]["keys"] == ["n"]
    assert by_id["incident.note"]["description"] == "Add a note to the timeline"
    assert by_id["dialog.cancel"]["keys"] == ["Esc"]

    keys = tmp_path / "config" / "warroom" / "keys.toml"
    keys.parent.mkdir(parents=True)
    keys.write_text('incident.note = "f2,ctrl+n"\n')
    remapped = {
        item["id"]: item
        for item in map(json.loads, warroom("keys", "--json", env=env).stdout.splitlines())
    }
    assert remapped["incident.note"]["keys"] == ["f2", "ctrl-n"]
    assert remapped["incident.note"]["default"] == ["n"]
    assert remapped["incident.note"]["remapped"] is True

    table = warroom("keys", env=env).stdout
    assert re.search(r"^incident\.note +f2,ctrl-n +\* Add a note", table, re.M), table
    assert re.search(r"^incident\.status +s +Change status", table, re.M), table


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('incident.nte = "f2"\n', "unknown binding id 'incident.nte'"),
        ('incident.note = "S"\n', "key 'S' is taken twice"),
        ("incident.note = [\n", "invalid TOML"),
    ],
)
def test_a_bad_key_map_stops_the_console_before_any_file_is_made(
    text: str, fragment: str, env: dict[str, str], tmp_path: Path
) -> None:
    keys = tmp_path / "keys.toml"
    keys.write_text(text)
    incident = tmp_path / "incident.db"
    result = warroom("--keys", str(keys), "--db", str(incident), env=env)
    assert_one_line_error(result, fragment)
    assert str(keys) in result.stderr
    assert not incident.exists()
    assert_one_line_error(warroom("keys", "--keys", str(keys), env=env), fragment)


def test_a_missing_explicit_key_map_is_an_error(env: dict[str, str], tmp_path: Path) -> None:
    result = warroom("keys", "--keys", str(tmp_path / "nope.toml"), env=env)
    assert_one_line_error(result, "no such key-map file")


async def test_the_review_screen_takes_the_key_map_too(
    make_incident: Callable[..., Path], tmp_path: Path
) -> None:
    from tui.screens.review_app import ReviewApp
    from tui.screens.review_ask import AskDialog
    from tui.timeline.reader import TimelineReader

    keys = tmp_path / "keys.toml"
    keys.write_text('review.search = "f"\n')
    reader = TimelineReader(make_incident())
    app = ReviewApp(reader, poll_seconds=0.1, keymap=read_keymap(keys))
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await pilot.press("slash")
            await pilot.pause()
            assert not isinstance(app.screen, AskDialog)
            await pilot.press("f")
            await wait_for(lambda: isinstance(app.screen, AskDialog), pilot)
    finally:
        reader.close()
