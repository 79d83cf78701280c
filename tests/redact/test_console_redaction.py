"""Redaction in the real console: secrets masked on screen while it is on, shown while
it is off, what is already on screen drawn again when it switches, and the incident
file always keeping the truth."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from textual.widgets import DataTable, Static

from tests.conftest import wait_for
from tests.helpers.fixed import NO_CLUSTER, FrozenSampler, frozen_sample
from tests.kube.conftest import start_drill  # noqa: F401
from tests.kube.test_console_kube import options
from tui.app import WarRoomApp
from tui.config import RedactionSettings, Settings
from tui.redact import MASK
from tui.screens.console import ConsoleScreen
from tui.screens.dialogs import EventDetail
from tui.screens.kube_detail import YamlScreen
from tui.sources.host_rows import ProcessRow
from tui.timeline.model import EventKind
from widgets.containers_pane import ContainersPane
from widgets.events_view import EventsView
from widgets.host_pane import HostPane
from widgets.ingress_pane import IngressPane
from widgets.key_bar import KeyBar
from widgets.log_view import LogView
from widgets.logs_pane import LogsPane
from widgets.pods_pane import PodsPane
from widgets.runbook_pane import RunbookPane
from widgets.timeline_pane import TimelinePane

TOKEN = "9f8Kq2LmZx7Rt4Vb1Nc6Yp3Hs0Jd5Wg"
PASSWORD = "Mms3BPEMeKinbL8WYs"
SECRET_LINE = f"2026-11-22 10:00:01,000 INFO call upstream Authorization: Bearer {TOKEN}"
ORDINARY_LINE = "2026-11-22 10:00:00,000 INFO started orders-7d9f8c6b5-x2k4q"


@pytest.fixture
def console(settings: Settings, make_incident: Callable[..., Path]) -> Callable[..., WarRoomApp]:
    def make(
        *,
        log_files: tuple[Path, ...] = (),
        redacting: bool = False,
        sampler: FrozenSampler | None = None,
        patterns: tuple[str, ...] = (),
    ) -> WarRoomApp:
        tuned = replace(settings, redaction=RedactionSettings(patterns=patterns))
        return WarRoomApp(
            tuned, make_incident(), actor="alice@bastion-1",
            sampler_factory=(lambda: sampler) if sampler else FrozenSampler,
            kube_options=NO_CLUSTER, log_files=log_files, redacting=redacting,
        )  # fmt: skip

    return make


def log_rows(app: WarRoomApp) -> str:
    return "\n".join(app.console_screen.query_one(LogsPane).query_one(LogView).row_texts())


def timeline_texts(app: WarRoomApp) -> list[str]:
    table = app.console_screen.query_one(TimelinePane).query_one(DataTable)
    return [str(table.get_row_at(index)[3]) for index in range(table.row_count)]


def key_bar(app: WarRoomApp) -> str:
    return str(app.console_screen.query_one(KeyBar).render())


def stored_texts(path: Path, kind: str) -> list[str]:
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT text FROM events WHERE kind = ? ORDER BY seq", (kind,))
        return [text for (text,) in rows.fetchall()]


async def test_x_masks_a_secret_in_a_log_line_and_shows_it_again(console, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text(f"{ORDINARY_LINE}\n{SECRET_LINE}\n")
    app = console(log_files=(log,))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4", "z")  # the Logs pane, zoomed: whole lines on screen
        await wait_for(lambda: TOKEN in log_rows(app), pilot)
        assert not app.redacting
        assert "REDACTED" not in key_bar(app)

        await pilot.press("X")  # the lines already on screen are drawn again
        await wait_for(lambda: TOKEN not in log_rows(app), pilot)
        assert app.redacting
        assert f"Authorization: Bearer {MASK}" in log_rows(app)
        assert ORDINARY_LINE in log_rows(app)  # ordinary text untouched
        assert "REDACTED" in key_bar(app)

        # A line that arrives while redaction is on is masked too.
        with log.open("a") as out:
            out.write(f"2026-11-22 10:00:02,000 WARN retry password={PASSWORD} host=db\n")
        await wait_for(lambda: "retry password=" in log_rows(app), pilot)
        assert PASSWORD not in log_rows(app)
        assert f"password={MASK} host=db" in log_rows(app)

        await pilot.press("X")
        await wait_for(lambda: TOKEN in log_rows(app), pilot)
        assert PASSWORD in log_rows(app)
        assert not app.redacting
        assert "REDACTED" not in key_bar(app)


async def test_a_note_in_the_timeline_pane_is_masked_but_recorded_whole(console) -> None:
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        note = f"rotated the db creds, old one was password={PASSWORD}"
        await app.wait_for_store()
        await app.record(EventKind.NOTE, note)
        await wait_for(lambda: any(PASSWORD in text for text in timeline_texts(app)), pilot)

        app.set_redaction(True)  # the presentation mode's call
        await wait_for(lambda: not any(PASSWORD in t for t in timeline_texts(app)), pilot)
        assert any(f"password={MASK}" in text for text in timeline_texts(app))

        # Recorded while on: the file keeps the truth, the pane masks it.
        later = f"new token: {TOKEN}"
        await app.record(EventKind.NOTE, later)
        await wait_for(lambda: any("new token" in t for t in timeline_texts(app)), pilot)
        assert not any(TOKEN in text for text in timeline_texts(app))
        assert stored_texts(app.db_path, "note") == [note, later]

        # The event detail dialog masks it too, and follows the switch while open.
        table = app.console_screen.query_one(TimelinePane).query_one(DataTable)
        table.focus()
        table.move_cursor(row=0)  # newest first: the second note
        await pilot.press("enter")
        await wait_for(lambda: isinstance(app.screen, EventDetail), pilot)

        def detail() -> str:
            return "\n".join(str(s.render()) for s in app.screen.query(Static))

        assert "new token" in detail() and TOKEN not in detail()
        app.set_redaction(False)
        await wait_for(lambda: TOKEN in detail(), pilot)
        await pilot.press("escape")

        await wait_for(lambda: any(TOKEN in t for t in timeline_texts(app)), pilot)
        assert any(PASSWORD in text for text in timeline_texts(app))


async def test_a_process_name_in_the_host_pane_is_masked(console) -> None:
    # The classic leak: a password typed on a command line (short: the column is narrow).
    secret_process = ProcessRow(31337, "mysql -pS3cr3tPw", "dba", 99.0, 2.0, 1024**2)
    sample = frozen_sample()
    sample = replace(sample, top_cpu=(secret_process, *sample.top_cpu[1:]))
    app = console(sampler=FrozenSampler(sample), redacting=True)
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.console_screen.query_one(HostPane)

        def body() -> str:
            return str(pane.query_one("#host-body").render())

        await wait_for(lambda: "mysql -p" in body(), pilot)
        assert "S3cr3tPw" not in body()
        assert "REDACTED" in key_bar(app)  # --redact: on from the start

        app.set_redaction(False)
        await wait_for(lambda: "mysql -pS3cr3tPw" in body(), pilot)


async def test_a_secret_shown_as_yaml_is_masked_and_follows_the_switch(console) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "orders-db", "namespace": "prod"},
        "type": "Opaque",
        "data": {"username": "b3JkZXJz", "password": "WnE4IXZSMiNtTHAw"},
    }
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        await app.push_screen(YamlScreen("Secret prod/orders-db", yaml.safe_dump(secret)))

        def shown() -> str:
            return "\n".join(str(s.render()) for s in app.screen.query(Static))

        await wait_for(lambda: "WnE4IXZSMiNtTHAw" in shown(), pilot)
        app.set_redaction(True)
        await wait_for(lambda: "WnE4IXZSMiNtTHAw" not in shown(), pilot)
        text = shown()
        assert "b3JkZXJz" not in text
        assert f"password: {MASK}" in text
        assert "name: orders-db" in text and "namespace: prod" in text


async def test_extra_patterns_from_the_configuration_are_masked(console, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_text("2026-11-22 10:00:00,000 INFO charged card for customer-4711\n")
    app = console(log_files=(log,), redacting=True, patterns=(r"customer-(\d+)",))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("4", "z")
        await wait_for(lambda: "charged card" in log_rows(app), pilot)
        assert f"customer-{MASK}" in log_rows(app)
        assert "4711" not in log_rows(app)


async def test_notifications_are_masked_while_redaction_is_on(console) -> None:
    app = console(redacting=True)
    async with app.run_test(size=(160, 48)) as pilot:
        app.notify(f"cannot reach https://deploy:{PASSWORD}@git.example.com", markup=False)

        def shown() -> list[str]:
            return [notification.message for notification in app._notifications]

        await wait_for(lambda: any("cannot reach" in message for message in shown()), pilot)
        assert f"cannot reach https://deploy:{MASK}@git.example.com" in shown()
        assert not any(PASSWORD in message for message in shown())


async def test_the_command_palette_switches_redaction(console) -> None:
    app = console()
    async with app.run_test(size=(160, 48)) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.console_screen)}
        command = commands["Redact secrets on screen"]
        assert command.help.endswith("(X)")  # the key, as the key map has it
        command.callback()
        await wait_for(lambda: "REDACTED" in key_bar(app), pilot)
        assert app.redacting


def test_redaction_key_is_free_everywhere() -> None:
    ids = {binding.id: binding.key for binding in ConsoleScreen.BINDINGS}
    assert ids["console.redact"] == "X"
    # No other console or pane binding takes the key.
    for bindings in (
        ConsoleScreen.BINDINGS, PodsPane.BINDINGS, ContainersPane.BINDINGS,
        IngressPane.BINDINGS, LogsPane.BINDINGS, LogView.BINDINGS, RunbookPane.BINDINGS,
        TimelinePane.BINDINGS,
    ):  # fmt: skip
        taken = [b for b in bindings if "X" in b.key.split(",") and b.id != "console.redact"]
        assert taken == []


EVENT = """
apiVersion: v1
kind: Event
metadata:
  name: web-pull.{suffix}
  namespace: default
involvedObject:
  kind: Pod
  name: web-7d9f8c6b5-x2k4q
  namespace: default
reason: Failed
type: Warning
count: 1
firstTimestamp: "2026-11-22T10:00:00Z"
lastTimestamp: "2026-11-22T10:00:00Z"
message: 'Failed to pull https://deploy:{password}@registry.example.com/web:v42'
"""


async def test_an_event_message_in_the_pods_pane_is_masked_when_switched_on(
    start_drill,  # noqa: F811
    settings: Settings,
    make_incident: Callable[..., Path],
    tmp_path: Path,
) -> None:
    drill = start_drill("healthy")
    manifest = tmp_path / "event.yaml"
    manifest.write_text(EVENT.format(suffix="a1b2c3", password=PASSWORD))
    drill.kubectl("create", "-f", str(manifest))
    app = WarRoomApp(
        settings, make_incident(), actor="alice@bastion-1", sampler_factory=FrozenSampler,
        kube_options=options(drill),
    )  # fmt: skip
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("1", "z", "v")  # the Pods pane, zoomed, its events view
        view = app.console_screen.query_one(EventsView)

        def messages() -> list[str]:
            table = view.table
            return [table.get_cell(key, "message").plain for key in table.keys]

        await wait_for(lambda: any("registry.example.com" in m for m in messages()), pilot, 30)
        assert any(PASSWORD in message for message in messages())

        await pilot.press("X")  # rows already in the table are written again
        await wait_for(lambda: not any(PASSWORD in m for m in messages()), pilot)
        assert f"https://deploy:{MASK}@registry.example.com/web:v42" in "\n".join(messages())

        await pilot.press("X")
        await wait_for(lambda: any(PASSWORD in m for m in messages()), pilot)
