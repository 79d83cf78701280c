"""`docker inspect`, summarized for a screen: what runs, with what, mounted where, how
its health check has been answering. Secrets are masked here, before anything is
shown (`masking`); the screen only lays the lines out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui.sources.docker.masking import mask_args, mask_env, mask_value
from tui.sources.docker.rows import classify, parse_time, row_from_inspect

Line = tuple[str, str]  # (label, value); a label of "" is a line of its own
HEALTH_LOG_ENTRIES = 5
OUTPUT_CHARS = 400


@dataclass(frozen=True, slots=True)
class DetailSection:
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class ContainerDetail:
    id: str
    name: str
    sections: tuple[DetailSection, ...]

    def text(self) -> str:
        """Every section as plain text (what tests and copies read)."""
        out: list[str] = []
        for section in self.sections:
            out.append(f"== {section.title}")
            out.extend(f"{label}: {value}" if label else value for label, value in section.lines)
        return "\n".join(out)


def _seconds(nanoseconds: Any) -> str:
    if not isinstance(nanoseconds, int) or nanoseconds <= 0:
        return "-"
    seconds = nanoseconds / 1e9
    return f"{seconds:g}s"


def _join(args: Any) -> str:
    if isinstance(args, str):
        return mask_args([args])[0]
    if isinstance(args, list):
        return " ".join(mask_args([str(a) for a in args]))
    return ""


def _summary(attrs: Mapping[str, Any]) -> DetailSection:
    row = row_from_inspect(attrs)
    state = attrs.get("State") or {}
    host = attrs.get("HostConfig") or {}
    policy = host.get("RestartPolicy") or {}
    restart = str(policy.get("Name") or "no")
    if policy.get("MaximumRetryCount"):
        restart += f" (max {policy['MaximumRetryCount']})"
    lines: list[Line] = [
        ("name", row.name),
        ("id", row.id),
        ("image", row.image),
        ("status", classify(row)[0]),
        ("state", row.state),
        ("exit code", str(row.exit_code)),
        ("OOM killed", "yes" if row.oom_killed else "no"),
        ("restarts", str(row.restart_count)),
        ("restart policy", restart),
    ]
    if row.project:
        lines.append(("compose", f"project {row.project}, service {row.service}"))
    if row.health:
        lines.append(("health", row.health))
    for label, key in (("created", None), ("started", "StartedAt"), ("finished", "FinishedAt")):
        moment = parse_time(attrs.get("Created") if key is None else state.get(key))
        if moment is not None:
            lines.append((label, moment.strftime("%Y-%m-%d %H:%M:%S UTC")))
    if state.get("Error"):
        lines.append(("error", str(state["Error"])))
    return DetailSection("Container", tuple(lines))


def _command(attrs: Mapping[str, Any]) -> DetailSection:
    config = attrs.get("Config") or {}
    lines: list[Line] = []
    if config.get("Entrypoint"):
        lines.append(("entrypoint", _join(config["Entrypoint"])))
    if config.get("Cmd"):
        lines.append(("command", _join(config["Cmd"])))
    elif attrs.get("Path"):
        lines.append(("command", _join([attrs["Path"], *(attrs.get("Args") or [])])))
    for label, key in (("working dir", "WorkingDir"), ("user", "User")):
        if config.get(key):
            lines.append((label, str(config[key])))
    return DetailSection("Command", tuple(lines) or (("", "-"),))


def _environment(attrs: Mapping[str, Any]) -> DetailSection:
    env = (attrs.get("Config") or {}).get("Env") or []
    pairs = mask_env([str(e) for e in env])
    return DetailSection("Environment", tuple(sorted(pairs)) or (("", "(none)"),))


def _mounts(attrs: Mapping[str, Any]) -> DetailSection:
    lines: list[Line] = []
    for mount in attrs.get("Mounts") or []:
        source = mount.get("Name") or mount.get("Source") or "?"
        mode = "rw" if mount.get("RW", True) else "ro"
        lines.append((str(mount.get("Type", "mount")),
                      f"{source} -> {mount.get('Destination', '?')} ({mode})"))  # fmt: skip
    return DetailSection("Mounts", tuple(lines) or (("", "(none)"),))


def _network(attrs: Mapping[str, Any]) -> DetailSection:
    row = row_from_inspect(attrs)
    settings = attrs.get("NetworkSettings") or {}
    lines: list[Line] = [("ports", row.ports or "-")]
    for name, network in sorted((settings.get("Networks") or {}).items()):
        address = (network or {}).get("IPAddress") or "-"
        lines.append((f"network {name}", address))
    return DetailSection("Network", tuple(lines))


def _limits(attrs: Mapping[str, Any]) -> DetailSection:
    host = attrs.get("HostConfig") or {}
    memory = host.get("Memory") or 0
    cpus = host.get("NanoCpus") or 0
    lines: list[Line] = [
        ("memory", f"{memory / 1024**2:g} MiB" if memory else "unlimited"),
        ("cpus", f"{cpus / 1e9:g}" if cpus else "unlimited"),
    ]
    if host.get("PidsLimit"):
        lines.append(("pids", str(host["PidsLimit"])))
    return DetailSection("Limits", tuple(lines))


def _health(attrs: Mapping[str, Any]) -> DetailSection | None:
    check = (attrs.get("Config") or {}).get("Healthcheck") or {}
    health = (attrs.get("State") or {}).get("Health") or {}
    test = check.get("Test") or []
    if not test or test == ["NONE"]:
        return None
    shown = test[1:] if test[0] in ("CMD", "CMD-SHELL") else test
    lines: list[Line] = [
        ("test", _join([str(t) for t in shown])),
        ("interval", _seconds(check.get("Interval"))),
        ("timeout", _seconds(check.get("Timeout"))),
        ("retries", str(check.get("Retries") or "-")),
        ("status", str(health.get("Status") or "-")),
        ("failing streak", str(health.get("FailingStreak", 0))),
    ]
    for entry in (health.get("Log") or [])[-HEALTH_LOG_ENTRIES:]:
        moment = parse_time(entry.get("Start"))
        when = moment.strftime("%H:%M:%S") if moment else "?"
        output = str(entry.get("Output") or "").strip()[:OUTPUT_CHARS] or "(no output)"
        lines.append((f"{when} exit {entry.get('ExitCode', '?')}", output))
    return DetailSection("Health check", tuple(lines))


def _labels(attrs: Mapping[str, Any]) -> DetailSection:
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    lines = tuple((str(k), mask_value(str(k), str(v))) for k, v in sorted(labels.items()))
    return DetailSection("Labels", lines or (("", "(none)"),))


def container_detail(attrs: Mapping[str, Any]) -> ContainerDetail:
    row = row_from_inspect(attrs)
    parts = [_summary(attrs), _command(attrs), _health(attrs), _environment(attrs),
             _mounts(attrs), _network(attrs), _limits(attrs), _labels(attrs)]  # fmt: skip
    return ContainerDetail(row.id, row.name, tuple(p for p in parts if p is not None))
