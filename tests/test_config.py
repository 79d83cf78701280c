from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import ConfigError, load_settings
from tui.timeline.model import Severity


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_defaults_follow_the_seeds(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, ""), environ={})
    assert settings.host.refresh_seconds == 2.0
    assert (settings.host.disk_warning, settings.host.disk_critical) == (80.0, 90.0)
    assert settings.host.load_critical_per_core == 2.0
    assert settings.incidents.default_severity is Severity.P2


def test_layers_file_then_environment_then_flags(tmp_path: Path) -> None:
    config = write(
        tmp_path,
        '[host]\nrefresh_seconds = 5\ndisk_critical = 95\n[incidents]\ndirectory = "~/inc"\n',
    )
    settings = load_settings(
        config,
        environ={"WARROOM_HOST_REFRESH_SECONDS": "3", "WARROOM_INCIDENTS_DEFAULT_SEVERITY": "p0"},
        overrides={"host.refresh_seconds": 1.0},
    )
    assert settings.host.refresh_seconds == 1.0  # flag beats environment beats file
    assert settings.host.disk_critical == 95.0  # from the file
    assert settings.incidents.default_severity is Severity.P0  # environment
    assert settings.incidents.directory == Path("~/inc").expanduser()
    assert settings.config_path == config


def test_config_named_by_environment(tmp_path: Path) -> None:
    config = write(tmp_path, "[timeline]\npoll_seconds = 0.5\n")
    settings = load_settings(environ={"WARROOM_CONFIG": str(config)})
    assert settings.timeline.poll_seconds == 0.5


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("[host]\nrefersh_seconds = 1\n", {}, "unknown setting host.refersh_seconds"),
        ("[hots]\n", {}, r"unknown section \[hots\]"),
        ("[host]\nrefresh_seconds = 'fast'\n", {}, "not a valid number"),
        ("[host\n", {}, "invalid TOML"),
        ("", {"WARROOM_HOST_DISK_WARNING": "95"}, "must be above 0 and below host.disk_critical"),
        ("", {"WARROOM_INCIDENTS_DEFAULT_SEVERITY": "P9"}, "severity"),
        ("[host]\nrefresh_seconds = 0\n", {}, "between 0.2 and 3600"),
    ],
)
def test_bad_settings_are_refused_with_where_they_came_from(
    tmp_path: Path, text: str, environ: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, text), environ=environ)


def test_missing_explicit_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_settings(tmp_path / "nope.toml", environ={})
