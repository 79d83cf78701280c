"""The bastion's terminals: the real `warroom` in a pseudo-terminal at 80x24 under
TERM=screen, tmux and a 16-colour xterm, and with NO_COLOR; every console action
reachable from the keyboard; the theme still readable in 16 colours."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path

import pyte
import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.binding import Binding
from textual.color import Color
from textual.dom import DOMNode

from bench.terminal import TerminalProcess, spawn
from tests.conftest import wait_for
from tests.helpers.cli import warroom
from tests.helpers.fixed import NO_CLUSTER, FixedClock, FrozenSampler
from tui.app import WarRoomApp
from tui.config import Settings, load_settings
from tui.key_catalogue import _import_everything, catalogue
from tui.screens.console import PANE_ORDER, ConsoleScreen
from tui.sixteen_colours import wants_sixteen_colours

ROOT = Path(__file__).resolve().parents[1]
SIZE = (80, 24)
TAB_NAMES = ("1 Pods", "2 Ingress", "3 Host", "4 Logs", "5 Runbook", "6 Timeline")

# Every SGR sequence's parameters; colour ones are 30-37/90-97 (foreground), 40-47/100-107
# (background) and 38/48 (256 colours, 38;5;N, or truecolor, 38;2;R;G;B).
SGR = re.compile(rb"\x1b\[([0-9;:]*)m")


class Screen:
    """The real console on a pty, and what a VT emulator makes of its output."""

    def __init__(self, terminal: TerminalProcess) -> None:
        self.terminal = terminal
        self.screen = pyte.Screen(*SIZE)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, condition: Callable[[], bool], within: float = 30.0) -> None:
        deadline = time.monotonic() + within
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"not reached; the screen shows:\n{self.text()}")
            self._read(0.05)

    def wait_for_text(self, *needles: str, within: float = 30.0) -> None:
        self.wait_for(lambda: all(needle in self.text() for needle in needles), within)

    def _read(self, timeout: float) -> None:
        before = len(self.terminal.output)
        self.terminal.pump(timeout)
        new = bytes(self.terminal.output[before:])
        self.raw.extend(new)
        self.stream.feed(new)


def colour_codes(raw: bytes) -> set[str]:
    """The colour parameters of every SGR sequence (39 and 49, 'default', are not colours)."""
    found: set[str] = set()
    for match in SGR.finditer(raw):
        params = [p for p in re.split(rb"[;:]", match.group(1)) if p]
        index = 0
        while index < len(params):
            code = int(params[index])
            if code in (38, 48):
                found.add(b";".join(params[index : index + 3]).decode())
                index += 3 if index + 1 < len(params) and params[index + 1] == b"5" else 5
                continue
            if 30 <= code <= 37 or 40 <= code <= 47 or 90 <= code <= 97 or 100 <= code <= 107:
                found.add(str(code))
            index += 1
    return found


def note_texts(path: Path) -> list[str]:
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT text FROM events WHERE kind = 'note'")]


@pytest.fixture
def clean_colour_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The child inherits this process's environment: what the test runner's own
    # terminal says about colours must not decide the case under test.
    for name in ("NO_COLOR", "COLORTERM", "TEXTUAL_COLOR_SYSTEM", "FORCE_COLOR", "TEXTUAL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("term", "no_color", "allowed"),
    [
        # screen and a 16-colour xterm: the 16 ANSI colours only, never 256 or truecolor.
        ("screen", False, "16"),
        ("xterm-16color", False, "16"),
        ("linux", False, "16"),  # the machine's own console
        ("tmux-256color", False, "256"),
        # NO_COLOR: bold, reverse and underline only.
        ("tmux-256color", True, "none"),
        ("screen", True, "none"),
    ],
)
def test_console_works_at_80x24_on_bastion_terminals(
    term: str,
    no_color: bool,
    allowed: str,
    tmp_path: Path,
    env: dict[str, str],
    clean_colour_env: None,
) -> None:
    config = tmp_path / "config.toml"
    # No cluster (no kubeconfig in the private HOME) and no container engine.
    config.write_text(f'[docker]\nhost = "unix://{tmp_path}/no-engine.sock"\n')
    incident = tmp_path / "incident.db"
    child_env = {**env, "TERM": term, "COLORTERM": ""}
    if no_color:
        child_env["NO_COLOR"] = "1"
    argv = [sys.executable, "-m", "tui", "--config", str(config), "--db", str(incident)]
    terminal = spawn(
        [*argv, "--title", "Checkout returns 502"], size=SIZE, env=child_env, cwd=str(ROOT)
    )
    try:
        screen = Screen(terminal)
        # Tabs at 80x24: every pane is named, the banner carries the incident.
        screen.wait_for_text("Checkout returns 502", *TAB_NAMES, "Note", "Help")
        # The Host pane sampling: the console is whole (the first frame's panes replaced).
        screen.wait_for_text("CPU", "live")
        # Keyboard only: pane 6, then a note typed and recorded.
        screen.terminal.send(b"6")
        screen.wait_for_text("6 Timeline", "declared")
        screen.terminal.send(b"n")
        screen.wait_for_text("Add a note")
        screen.terminal.send(f"seen on {term}".encode() + b"\r")
        screen.wait_for(lambda: note_texts(incident) == [f"seen on {term}"])
        screen.wait_for_text(f"seen on {term}")
        screen.terminal.send(b"\x11")  # ctrl+q
        assert terminal.wait(timeout=15) == 0
        screen.raw.extend(terminal.output[len(screen.raw) :])
    finally:
        terminal.kill()
    codes = colour_codes(bytes(screen.raw))
    if allowed == "none":
        assert codes == set(), f"colour codes under NO_COLOR: {sorted(codes)}"
    elif allowed == "16":
        assert codes, "no colours at all: the terminal was taken for a monochrome one"
        assert not any(code.startswith(("38", "48")) for code in codes), sorted(codes)
        # The focused pane's border: the 16-colour theme's bright cyan, not an alarm red.
        assert "96" in codes, sorted(codes)
    else:
        assert any(code.startswith(("38;5", "48;5")) for code in codes), sorted(codes)


def test_no_color_shows_focus_and_cursor_without_colour(
    tmp_path: Path, env: dict[str, str], clean_colour_env: None
) -> None:
    """The focused pane's heavy border, the active tab and the cursor row in reverse."""
    config = tmp_path / "config.toml"
    config.write_text(f'[docker]\nhost = "unix://{tmp_path}/no-engine.sock"\n')
    terminal = spawn(
        [sys.executable, "-m", "tui", "--config", str(config), "--db", str(tmp_path / "i.db")],
        size=SIZE,
        env={**env, "TERM": "screen", "NO_COLOR": "1"},
        cwd=str(ROOT),
    )
    try:
        screen = Screen(terminal)
        screen.wait_for_text(*TAB_NAMES, "CPU", "live")
        screen.terminal.send(b"6")
        screen.wait_for_text("┏━ 6 Timeline", "declared")

        def reversed_text(row: int) -> str:
            line = screen.screen.buffer[row]
            return "".join(line[x].data for x in range(SIZE[0]) if line[x].reverse)

        tab_row = screen.screen.display.index(
            next(line for line in screen.screen.display if "6 Timeline" in line)
        )
        screen.wait_for(lambda: "6 Timeline" in reversed_text(tab_row))
        # The Timeline's cursor row (whichever event it is on) is drawn in reverse video.
        screen.wait_for(lambda: any("carol: " in reversed_text(row) for row in range(SIZE[1])))
        terminal.send(b"\x11")
        assert terminal.wait(timeout=15) == 0
    finally:
        terminal.kill()


# -- keyboard only ---------------------------------------------------------------------


@pytest.fixture
def make_app(settings: Settings, make_incident: Callable[..., Path]) -> Callable[[], WarRoomApp]:
    def make() -> WarRoomApp:
        return WarRoomApp(
            settings,
            make_incident(),
            actor="alice@bastion-1",
            clock=FixedClock(),
            sampler_factory=FrozenSampler,
            kube_options=NO_CLUSTER,
        )

    return make


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_tab_reaches_every_pane(
    make_app: Callable[[], WarRoomApp], size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_for(lambda: isinstance(app.screen, ConsoleScreen), pilot)
        screen = app.console_screen
        reached: list[str] = []
        for _ in PANE_ORDER:
            await pilot.press("tab")
            await pilot.pause()
            focused = app.focused
            assert focused is not None
            pane = screen.active_pane
            assert focused in pane.query("*") or focused is pane
            reached.append(screen.active_pane_id)
        assert set(reached) == set(PANE_ORDER)


def test_every_console_action_has_a_key() -> None:
    """Every action a console class defines is bound to a key, or offered by the palette
    (ctrl+p), which is keys too: nothing needs the mouse."""
    _import_everything()

    def action_names(bindings: list[Binding]) -> set[str]:
        return {binding.action.split("(")[0].split(".")[-1] for binding in bindings}

    # Actions bound anywhere (an app action bound on the console screen, say)...
    bound = action_names([binding for scope in catalogue() for binding in scope.bindings])

    def walk(cls: type[DOMNode]) -> list[type[DOMNode]]:
        return [cls, *(found for sub in cls.__subclasses__() for found in walk(sub))]

    def inherited(cls: type[DOMNode]) -> set[str]:
        # ...or by the class's own bindings with those it inherits (a DataTable's arrows).
        merged = cls._merged_bindings
        return (
            action_names([b for bs in merged.key_to_bindings.values() for b in bs])
            if merged
            else set()
        )

    unbound = sorted(
        f"{cls.__name__}.action_{name[7:]}"
        for cls in walk(DOMNode)
        if cls.__module__.startswith(("tui.", "widgets."))
        for name in cls.__dict__
        if name.startswith("action_") and name[7:] not in bound | inherited(cls)
    )
    assert unbound == []


async def test_every_palette_command_names_its_key(make_app: Callable[[], WarRoomApp]) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(lambda: isinstance(app.screen, ConsoleScreen), pilot)
        ours = [
            command
            for command in app.get_system_commands(app.screen)
            if command.title not in {"Quit", "Keys", "Screenshot", "Maximize", "Minimize"}
            and not command.title.startswith(("Theme", "Change theme"))
        ]
        assert len(ours) >= 15
        for command in ours:
            assert re.search(r"(\(.+\)|Key \S+)$", command.help), command


# -- 16 colours ------------------------------------------------------------------------

# Text and what it is drawn on: each pair must stay two different colours once the
# terminal has only 16 (TERM=screen, xterm-16color).
READABLE_PAIRS = (
    ("foreground", "background"),
    ("foreground", "surface"),
    ("foreground", "panel"),
    ("footer-foreground", "footer-background"),
    ("block-cursor-foreground", "block-cursor-background"),
    ("accent", "background"),
)


def to_16_colours(color: Color) -> int | None:
    return RichColor.from_rgb(color.r, color.g, color.b).downgrade(ColorSystem.STANDARD).number


def resolve(value: str, ground: Color) -> Color:
    """A theme colour as drawn on `ground`: 'auto 87%' is Textual's contrasting text."""
    if value.startswith("auto"):
        alpha = float(value.removeprefix("auto").strip().rstrip("%") or 100) / 100
        return ground + ground.get_contrast_text(alpha)
    return ground + Color.parse(value)


async def test_the_16_colour_theme_stays_readable(make_app: Callable[[], WarRoomApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.theme = "warroom-16"
        await pilot.pause()
        variables = app.get_css_variables()
        background = Color.parse(variables["background"])
        for text, ground in READABLE_PAIRS:
            under = Color.parse(variables[ground])
            drawn = resolve(variables[text], under)
            assert to_16_colours(drawn) != to_16_colours(under), (
                f"${text} ({variables[text]}) and ${ground} ({variables[ground]})"
                " become one colour in 16"
            )
        # Focus, warning, error and success each keep a colour of their own (in the
        # default theme, focus, warning and error all round to the same bright red).
        signals = {
            name: to_16_colours(resolve(variables[name], background))
            for name in ("accent", "warning", "error", "success")
        }
        assert len(set(signals.values())) == len(signals), signals


def test_the_16_colour_theme_is_for_real_16_colour_terminals_only() -> None:
    assert wants_sixteen_colours("standard", headless=False)
    assert not wants_sixteen_colours("256", headless=False)
    assert not wants_sixteen_colours("truecolor", headless=False)
    assert not wants_sixteen_colours(None, headless=False)
    # A test run: Rich takes an absent TERM for 16 colours; pictures stay as they are.
    assert not wants_sixteen_colours("standard", headless=True)


async def test_a_test_run_keeps_the_usual_theme(
    make_app: Callable[[], WarRoomApp], monkeypatch: pytest.MonkeyPatch, clean_colour_env: None
) -> None:
    monkeypatch.setenv("TERM", "screen")
    app = make_app()
    async with app.run_test(size=(80, 24)):
        assert app.console.color_system == "standard"
        assert app.theme == "textual-dark"


# -- XDG directories, and nothing from the internet ------------------------------------

PATHS_SCRIPT = """
import json
from tui.commands.sim import default_kubeconfig_path
from tui.config import default_config_path, load_settings
from tui.keymap import default_keys_path
print(json.dumps({
    "config": str(default_config_path()),
    "keys": str(default_keys_path()),
    "incidents": str(load_settings().incidents.directory),
    "drill": str(default_kubeconfig_path()),
}))
"""


def test_config_data_and_state_follow_xdg(tmp_path: Path, env: dict[str, str]) -> None:
    """Config in XDG_CONFIG_HOME, incident files (data) in XDG_DATA_HOME, drill state in
    XDG_STATE_HOME: in a child process, as the operator's shell would set them."""
    result = subprocess.run(
        [sys.executable, "-c", PATHS_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    paths = json.loads(result.stdout)
    assert paths == {
        "config": f"{tmp_path}/config/warroom/config.toml",
        "keys": f"{tmp_path}/config/warroom/keys.toml",
        "incidents": f"{tmp_path}/data/warroom/incidents",
        "drill": f"{tmp_path}/state/warroom/drill/kubeconfig",
    }
    # The key map is read from there: a remap in the XDG config dir shows in `warroom keys`.
    keys = tmp_path / "config" / "warroom" / "keys.toml"
    keys.parent.mkdir(parents=True)
    keys.write_text('incident.note = "f2"\n')
    listing = warroom("keys", env=env).stdout
    assert re.search(r"^incident\.note +f2 +\*", listing, re.M), listing


def test_default_settings_reach_for_no_network_address(tmp_path: Path) -> None:
    """Out of the box nothing is probed and no Prometheus is asked: the console talks only
    to the clusters in the kubeconfig and the local container engine."""
    config = tmp_path / "empty.toml"
    config.write_text("")
    settings = load_settings(config, environ={})

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if is_dataclass(value) and not isinstance(value, type):
            return [s for item in fields(value) for s in strings(getattr(value, item.name))]
        if isinstance(value, tuple | list):
            return [s for item in value for s in strings(item)]
        return []

    found = [text for text in strings(settings) if "://" in text or text.startswith("www.")]
    assert found == []
    assert settings.probes.endpoints == ()
    assert settings.probes.prometheus_url == ""
    assert settings.docker.host == ""  # the local engine, found as the docker CLI finds it
