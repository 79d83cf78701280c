"""The [redaction] section: defaults, the file, the environment, bad patterns refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.config import ConfigError, load_settings


def write(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(text)
    return config


def test_off_by_default_with_no_extra_patterns(tmp_path: Path) -> None:
    redaction = load_settings(write(tmp_path, ""), environ={}).redaction
    assert redaction.enabled is False
    assert redaction.patterns == ()


def test_read_from_the_file(tmp_path: Path) -> None:
    config = write(tmp_path, '[redaction]\nenabled = true\npatterns = ["ticket-(\\\\d+)"]\n')
    redaction = load_settings(config, environ={}).redaction
    assert redaction.enabled is True
    assert redaction.patterns == (r"ticket-(\d+)",)


def test_the_environment_switches_it_on(tmp_path: Path) -> None:
    environ = {"WARROOM_REDACTION_ENABLED": "yes"}
    assert load_settings(write(tmp_path, ""), environ=environ).redaction.enabled is True


@pytest.mark.parametrize(
    ("patterns", "complaint"),
    [('["([unclosed"]', "not a valid regular expression"), ('["a*"]', "matches empty text")],
)
def test_a_bad_pattern_names_the_setting(tmp_path: Path, patterns: str, complaint: str) -> None:
    config = write(tmp_path, f"[redaction]\npatterns = {patterns}\n")
    with pytest.raises(ConfigError, match=rf"redaction\.patterns: .*{complaint}"):
        load_settings(config, environ={})


def test_patterns_must_be_strings(tmp_path: Path) -> None:
    config = write(tmp_path, "[redaction]\npatterns = [1, 2]\n")
    with pytest.raises(ConfigError, match=r"redaction\.patterns"):
        load_settings(config, environ={})


def test_redact_flags_are_taken_by_the_console_and_export() -> None:
    from tui.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["--redact"]).redact is True
    assert parser.parse_args([]).redact is False
    assert parser.parse_args(["export", "incident.db", "--redact"]).redact is True
