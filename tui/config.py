"""Settings: built-in defaults < config file (TOML) < environment < command-line flags.

Every setting has a dotted name, `section.key`. In the config file it is the key
`key` under `[section]`; in the environment it is `WARROOM_SECTION_KEY`; the
flags that exist override what they name. Unknown or invalid settings are
refused with a message naming the setting and where it came from, because a
silently ignored typo in a threshold is worse than an error at start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tui.probe_settings import ProbeSettings, validate_probes
from tui.process_settings import ProcessSettings, validate_process
from tui.readfile import UnreadableFile, read_bytes
from tui.timeline.model import Severity

APP_NAME = "warroom"
ENV_PREFIX = "WARROOM_"
CONFIG_ENV = "WARROOM_CONFIG"


class ConfigError(Exception):
    """A setting that cannot be used, worded for the operator."""


def default_config_path() -> Path:
    import platformdirs  # loaded when a default path is asked for

    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_incidents_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME)) / "incidents"


@dataclass(frozen=True, slots=True)
class HostSettings:
    """The Host pane: how often to sample and where the seeds draw the lines."""

    refresh_seconds: float = 2.0
    history_samples: int = 60
    top_processes: int = 5
    disk_warning: float = 80.0
    disk_critical: float = 90.0
    memory_warning: float = 80.0
    memory_critical: float = 90.0
    swap_warning: float = 80.0
    swap_critical: float = 90.0
    # Load average per core: above 1 the run queue is longer than the CPUs;
    # above 2 (the seeds' line) work waits more than it runs.
    load_warning_per_core: float = 1.0
    load_critical_per_core: float = 2.0


@dataclass(frozen=True, slots=True)
class IncidentSettings:
    directory: Path = field(default_factory=default_incidents_dir)
    default_severity: Severity = Severity.P2


@dataclass(frozen=True, slots=True)
class TimelineSettings:
    # How often a console checks the file for events written by other processes.
    poll_seconds: float = 1.0
    # Newest events kept in the Timeline pane; the file keeps everything.
    pane_limit: int = 2000


@dataclass(frozen=True, slots=True)
class KubeSettings:
    """The Kubernetes views: which contexts count as production, how often to refresh."""

    # Contexts matching any of these shell patterns are production: actions
    # there need the object's name typed to confirm.
    production_contexts: tuple[str, ...] = ("*prod*", "*prd*")
    # Contexts matching these never get an action from warroom (as --readonly).
    readonly_contexts: tuple[str, ...] = ()
    # How often the panes get what changed (seconds).
    update_seconds: float = 0.25
    # metrics.k8s.io is polled, not watched.
    metrics_seconds: float = 15.0
    # A pod Pending, ContainerCreating or Terminating longer than this is news.
    settle_seconds: float = 120.0


@dataclass(frozen=True, slots=True)
class LogSettings:
    """The Logs pane: how much it keeps and how much it follows at once."""

    # Lines kept in memory; the oldest go first, counted as dropped.
    buffer_lines: int = 20_000
    # Lines longer than this are cut, with a marker saying how much.
    max_line_chars: int = 4000
    # Lines fetched from each pod or file when a stream starts.
    tail_lines: int = 500
    # Pods of one workload followed at once; the pane says when more exist.
    max_streams: int = 20


@dataclass(frozen=True, slots=True)
class RunbookSettings:
    """The Runbook pane: where the team's runbooks are and how their commands run."""

    # Searched after the bundled runbooks; a file of the same name replaces an earlier one.
    directories: tuple[str, ...] = ()
    # A command still running after this long is stopped (and recorded as timed out).
    command_timeout_seconds: float = 120.0
    # Output kept in the timeline per run (head and tail); its hash covers all of it.
    output_max_bytes: int = 16_384


@dataclass(frozen=True, slots=True)
class DockerSettings:
    """The Containers pane: which engine, which count as production, how often stats move."""

    # Empty: like the docker CLI (DOCKER_HOST, the current docker context, the default
    # socket), then podman's sockets. Otherwise a URL: unix:///run/podman/podman.sock.
    host: str = ""
    # Engines whose context, host name or URL matches any of these shell patterns are
    # production: actions there need the container's name typed to confirm.
    production_hosts: tuple[str, ...] = ("*prod*", "*prd*")
    # Engines matching these never get an action from warroom (as --readonly).
    readonly_hosts: tuple[str, ...] = ()
    # A container's CPU, memory and I/O figures move at most this often.
    stats_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class RedactionSettings:
    """Masking secrets on screen (and, by `warroom export --redact`, in exports)."""

    # On from the start (the R key and --redact switch it too); off by default.
    enabled: bool = False
    # Extra regular expressions to mask; with a group, only the first group is masked.
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Settings:
    host: HostSettings = field(default_factory=HostSettings)
    kube: KubeSettings = field(default_factory=KubeSettings)
    logs: LogSettings = field(default_factory=LogSettings)
    runbooks: RunbookSettings = field(default_factory=RunbookSettings)
    incidents: IncidentSettings = field(default_factory=IncidentSettings)
    timeline: TimelineSettings = field(default_factory=TimelineSettings)
    probes: ProbeSettings = field(default_factory=ProbeSettings)
    docker: DockerSettings = field(default_factory=DockerSettings)
    process: ProcessSettings = field(default_factory=ProcessSettings)
    redaction: RedactionSettings = field(default_factory=RedactionSettings)
    config_path: Path | None = None


SECTIONS: dict[str, type[Any]] = {
    "host": HostSettings,
    "kube": KubeSettings,
    "logs": LogSettings,
    "runbooks": RunbookSettings,
    "incidents": IncidentSettings,
    "timeline": TimelineSettings,
    "probes": ProbeSettings,
    "docker": DockerSettings,
    "process": ProcessSettings,
    "redaction": RedactionSettings,
}


def load_settings(
    config_path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build the effective settings. `overrides` are dotted names from flags."""
    environ = os.environ if environ is None else environ
    explicit = config_path or (Path(environ[CONFIG_ENV]) if environ.get(CONFIG_ENV) else None)
    path = explicit or default_config_path()
    values: dict[str, dict[str, tuple[Any, str]]] = {name: {} for name in SECTIONS}

    file_data = _read_config_file(path, required=explicit is not None)
    for section, table in file_data.items():
        if section not in SECTIONS:
            raise ConfigError(f"{path}: unknown section [{section}]")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table")
        for key, value in table.items():
            values[section][key] = (value, str(path))

    for section, cls in SECTIONS.items():
        for item in fields(cls):
            env_name = f"{ENV_PREFIX}{section}_{item.name}".upper()
            if env_name in environ:
                values[section][item.name] = (environ[env_name], f"environment {env_name}")

    for dotted, value in (overrides or {}).items():
        section, _, key = dotted.partition(".")
        values[section][key] = (value, "command line")

    built = {name: _build_section(name, cls, values[name]) for name, cls in SECTIONS.items()}
    settings = Settings(**built, config_path=path if path.exists() else None)
    _validate(settings)
    return settings


def _read_config_file(path: Path, *, required: bool) -> dict[str, Any]:
    try:
        raw = read_bytes(path, what="config file")
    except UnreadableFile as error:
        if error.missing and not required:
            return {}
        raise ConfigError(str(error)) from None
    import tomllib  # only when there is a file to read

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML ({error})") from None


def _build_section(section: str, cls: type[Any], given: dict[str, tuple[Any, str]]) -> Any:
    known = {item.name: item for item in fields(cls)}
    converted: dict[str, Any] = {}
    for key, (value, origin) in given.items():
        if key not in known:
            raise ConfigError(f"{origin}: unknown setting {section}.{key}")
        default = getattr(cls(), key)
        # Lists of tables and tables have their own converter, which says what is wrong.
        converter = getattr(cls, "CONVERTERS", {}).get(key)
        if converter is not None:
            try:
                converted[key] = converter(value)
            except (TypeError, ValueError) as error:
                raise ConfigError(f"{origin}: {section}.{key}: {error}") from None
            continue
        try:
            converted[key] = _convert(value, type(default))
        except (TypeError, ValueError):
            raise ConfigError(
                f"{origin}: {section}.{key} = {value!r} is not a valid {_type_name(default)}"
            ) from None
    return replace(cls(), **converted)


def _convert(value: Any, target: type[Any]) -> Any:
    if target is tuple:
        # A TOML array, or a comma-separated list in the environment.
        items = value.split(",") if isinstance(value, str) else value
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise TypeError(value)
        return tuple(item.strip() for item in items if item.strip())
    if target is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ValueError(value)
    if target in (int, float):
        if isinstance(value, bool):
            raise TypeError(value)
        return target(value)
    if issubclass(target, Path):
        return Path(str(value)).expanduser()
    if issubclass(target, Severity):
        return Severity(str(value).upper())
    return target(value)


def _type_name(default: Any) -> str:
    if isinstance(default, tuple):
        return "list of strings"
    if isinstance(default, Severity):
        return "severity (P0, P1, P2 or P3)"
    if isinstance(default, Path):
        return "path"
    return {bool: "true/false", int: "whole number", float: "number"}.get(type(default), "value")


def _validate(settings: Settings) -> None:
    host = settings.host
    if not 0.2 <= host.refresh_seconds <= 3600:
        raise ConfigError("host.refresh_seconds must be between 0.2 and 3600")
    if not 2 <= host.history_samples <= 10_000:
        raise ConfigError("host.history_samples must be between 2 and 10000")
    if not 1 <= host.top_processes <= 50:
        raise ConfigError("host.top_processes must be between 1 and 50")
    for name in ("disk", "memory", "swap"):
        warning = getattr(host, f"{name}_warning")
        critical = getattr(host, f"{name}_critical")
        if not 0 < warning < critical <= 100:
            raise ConfigError(
                f"host.{name}_warning ({warning}) must be above 0 and below"
                f" host.{name}_critical ({critical}), which is at most 100"
            )
    _validate_logs(settings.logs)
    _validate_runbooks(settings.runbooks)
    _validate_docker(settings.docker)
    _validate_redaction(settings.redaction)
    if not 0 < host.load_warning_per_core < host.load_critical_per_core:
        raise ConfigError("host.load_warning_per_core must be above 0 and below the critical one")
    if not 0.1 <= settings.timeline.poll_seconds <= 60:
        raise ConfigError("timeline.poll_seconds must be between 0.1 and 60")
    kube = settings.kube
    if not 0.05 <= kube.update_seconds <= 10:
        raise ConfigError("kube.update_seconds must be between 0.05 and 10")
    if not 1 <= kube.metrics_seconds <= 3600:
        raise ConfigError("kube.metrics_seconds must be between 1 and 3600")
    if not 1 <= kube.settle_seconds <= 86400:
        raise ConfigError("kube.settle_seconds must be between 1 and 86400")
    if not 10 <= settings.timeline.pane_limit <= 1_000_000:
        raise ConfigError("timeline.pane_limit must be between 10 and 1000000")
    try:
        validate_probes(settings.probes)
        validate_process(settings.process)
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _validate_logs(logs: LogSettings) -> None:
    if not 100 <= logs.buffer_lines <= 5_000_000:
        raise ConfigError("logs.buffer_lines must be between 100 and 5000000")
    if not 80 <= logs.max_line_chars <= 1_000_000:
        raise ConfigError("logs.max_line_chars must be between 80 and 1000000")
    if not 0 <= logs.tail_lines <= 100_000:
        raise ConfigError("logs.tail_lines must be between 0 and 100000")
    if not 1 <= logs.max_streams <= 200:
        raise ConfigError("logs.max_streams must be between 1 and 200")


def _validate_docker(docker: DockerSettings) -> None:
    if not 0.2 <= docker.stats_seconds <= 60:
        raise ConfigError("docker.stats_seconds must be between 0.2 and 60")
    if docker.host:
        from tui.sources.docker.endpoint import check_url

        try:
            check_url(docker.host)
        except ValueError as error:
            raise ConfigError(f"docker.host: {error}") from None


def _validate_runbooks(runbooks: RunbookSettings) -> None:
    if not 1 <= runbooks.command_timeout_seconds <= 86_400:
        raise ConfigError("runbooks.command_timeout_seconds must be between 1 and 86400")
    if not 1024 <= runbooks.output_max_bytes <= 1_048_576:
        raise ConfigError("runbooks.output_max_bytes must be between 1024 and 1048576")


def _validate_redaction(redaction: RedactionSettings) -> None:
    from tui.redact import RedactionError, compile_patterns

    try:
        compile_patterns(redaction.patterns)
    except RedactionError as error:
        raise ConfigError(f"redaction.patterns: {error}") from None
