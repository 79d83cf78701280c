"""The [probes] settings and the --probe / --resolve flags: accepted forms and clear refusals."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from tests.helpers.cli import assert_one_line_error, warroom
from tui.commands.console import add_console_flags, with_probe_flags
from tui.commands.errors import UsageError
from tui.config import ConfigError, load_settings
from tui.edge_flow import checkable_host, documentation_address

CONFIG = """
[probes]
endpoints = [
    "https://shop.example.com/health",
    { name = "api", url = "https://api.example.com/healthz", timeout = "3s", interval = 30 },
]
resolve = ["shop.example.com:203.0.113.7", "api.example.com:443:2001:db8::7"]
prometheus_url = "http://prometheus.monitoring:9090/prometheus"
host_check_seconds = 120
host_checks = false

[probes.prometheus_queries]
up = "up"
"5xx rate" = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'
"""


def load(tmp_path: Path, text: str = "", environ: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    config.write_text(text)
    return load_settings(config, environ=environ or {})


def test_defaults(tmp_path: Path) -> None:
    probes = load(tmp_path).probes
    assert probes.endpoints == () and probes.resolve == () and probes.prometheus_url == ""
    assert probes.host_check_seconds == 60 and probes.host_checks and probes.timeout == 5
    assert probes.max_concurrency == 10 and probes.prometheus_queries == ()


def test_a_full_section(tmp_path: Path) -> None:
    probes = load(tmp_path, CONFIG).probes
    assert probes.endpoints[0] == "https://shop.example.com/health"
    assert probes.endpoints[1]["name"] == "api"  # type: ignore[index]
    assert probes.resolve[1] == "api.example.com:443:2001:db8::7"
    assert probes.prometheus_queries == (
        ("up", "up"),
        ("5xx rate", 'sum(rate(http_requests_total{code=~"5.."}[5m]))'),
    )
    assert probes.host_check_seconds == 120 and not probes.host_checks


def test_the_environment_takes_comma_and_semicolon_lists(tmp_path: Path) -> None:
    probes = load(
        tmp_path,
        environ={
            "WARROOM_PROBES_ENDPOINTS": "https://a.example.com/health, https://b.example.com/",
            "WARROOM_PROBES_PROMETHEUS_QUERIES": 'up;errors=sum(rate(x{code="500"}[5m]))',
        },
    ).probes
    assert probes.endpoints == ("https://a.example.com/health", "https://b.example.com/")
    assert probes.prometheus_queries == (("up", "up"), ("errors", 'sum(rate(x{code="500"}[5m]))'))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('endpoints = ["ftp://x.example.com/"]', "must start with http:// or https://"),
        ('endpoints = [{ url = "https://x/", method = "POST" }]', "probes only read"),
        ('endpoints = [{ url = "https://x/", color = "red" }]', "unknown setting color"),
        ('endpoints = [{ url = "https://x/", timeout = "soon" }]', "is not a duration"),
        ('endpoints = ["https://x/h", "https://x/h"]', "defined twice"),
        ("endpoints = [42]", "neither a URL nor a table"),
        ('resolve = ["shop.example.com"]', "expected HOST:ADDRESS"),
        ('resolve = ["shop.example.com:not-an-ip"]', "is not an IP address"),
        ('prometheus_url = "prometheus:9090"', "must be an http:// or https:// URL"),
        ("prometheus_queries = [1]", "must be non-empty text"),
        ("host_check_seconds = 1", "between 10 and 86400"),
        ("timeout = 0", "between 0.5 and 120"),
        ("max_concurrency = 0", "between 1 and 100"),
        ("retries = 3", "unknown setting probes.retries"),
    ],
)
def test_bad_values_are_refused_naming_the_setting(
    tmp_path: Path, text: str, fragment: str
) -> None:
    with pytest.raises(ConfigError, match="probes") as error:
        load(tmp_path, f"[probes]\n{text}\n")
    assert fragment in str(error.value)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_console_flags(parser)
    return parser.parse_args(argv)


def test_flags_add_to_the_config(tmp_path: Path) -> None:
    settings = load(tmp_path, CONFIG)
    new = "https://new.example.com/health"
    args = parse("--probe", new, "--probe", new, "--resolve", "new.example.com:10.0.0.9")
    probes = with_probe_flags(settings, args).probes
    assert probes.endpoints[-1] == "https://new.example.com/health"
    assert len(probes.endpoints) == 3  # a repeated flag counts once
    assert probes.resolve[-1] == "new.example.com:10.0.0.9"
    assert with_probe_flags(settings, parse()) is settings


def test_a_flag_clashing_with_a_configured_name_is_a_usage_error(tmp_path: Path) -> None:
    settings = load(tmp_path, '[probes]\nendpoints = [{ name = "x.example.com/health", '
                              'url = "https://x.example.com/other" }]\n')  # fmt: skip
    with pytest.raises(UsageError, match="defined twice"):
        with_probe_flags(settings, parse("--probe", "https://x.example.com/health"))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--probe", "ftp://x.example.com/"], "argument --probe: 'ftp://x.example.com/' must"),
        (["--probe", "https://"], "argument --probe"),
        (["--resolve", "x.example.com"], "argument --resolve: 'x.example.com': expected HOST"),
        (["--resolve", "x.example.com:nope"], "'nope' is not an IP address"),
    ],
)
def test_bad_flags_are_one_line_and_exit_2(
    args: list[str], fragment: str, env: dict[str, str]
) -> None:
    assert_one_line_error(warroom(*args, env=env), fragment)


def test_help_lists_the_probe_flags(env: dict[str, str]) -> None:
    out = warroom("--help", env=env).stdout
    assert "--probe URL" in out and "--resolve HOST:ADDR" in out


def test_which_hosts_are_worth_a_check() -> None:
    assert documentation_address("203.0.113.10") and documentation_address("2001:db8::1")
    assert not documentation_address("198.18.0.10") and not documentation_address("lb.example")
    assert checkable_host("www.example.com")
    assert not checkable_host("*.example.com") and not checkable_host("")
