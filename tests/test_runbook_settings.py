"""Where the team's runbooks come from and how commands run: `[runbooks]` and --runbooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, warroom
from tui.config import ConfigError, load_settings


def test_defaults_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    defaults = load_settings(config, environ={}).runbooks
    assert defaults.directories == ()
    assert defaults.command_timeout_seconds == 120
    assert defaults.output_max_bytes == 16_384
    config.write_text('[runbooks]\ndirectories = ["~/team-runbooks", "/srv/runbooks"]\n')
    assert load_settings(config, environ={}).runbooks.directories == (
        "~/team-runbooks",
        "/srv/runbooks",
    )
    environ = {
        "WARROOM_RUNBOOKS_DIRECTORIES": "/a, /b",
        "WARROOM_RUNBOOKS_OUTPUT_MAX_BYTES": "4096",
    }
    from_env = load_settings(config, environ=environ).runbooks
    assert from_env.directories == ("/a", "/b") and from_env.output_max_bytes == 4096


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[runbooks]\ncommand_timeout_seconds = 0\n", "between 1 and 86400"),
        ("[runbooks]\noutput_max_bytes = 10\n", "between 1024 and 1048576"),
        ("[runbooks]\ndirectories = [1]\n", "list of strings"),
        ("[runbooks]\ndirectory = []\n", "unknown setting runbooks.directory"),
    ],
)
def test_bad_runbook_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings(config, environ={})


def test_runbooks_flag_needs_an_existing_directory(tmp_path: Path, env: dict[str, str]) -> None:
    missing = tmp_path / "nope"
    assert_one_line_error(warroom("--runbooks", str(missing), env=env), "does not exist")
    afile = tmp_path / "one.md"
    afile.write_text("# x\n")
    assert_one_line_error(warroom("--runbooks", str(afile), env=env), "is not a directory")


def test_runbooks_flag_is_in_the_help(env: dict[str, str]) -> None:
    out = warroom("--help", env=env).stdout
    assert "--runbooks DIR" in out
