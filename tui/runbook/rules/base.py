"""What every danger rule shares: the verdict being built and a tolerant argument reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Level = Literal["read", "change", "dangerous"]
RANK: dict[str, int] = {"read": 0, "change": 1, "dangerous": 2}

# Paths where a careless write breaks the machine, its logs or its served files.
SYSTEM_PREFIXES = (
    "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/var", "/opt", "/root",
    "/proc", "/sys", "/dev", "/srv", "~/.ssh", "$HOME/.ssh",
)  # fmt: skip
HARMLESS_DEVICES = ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/")


@dataclass(slots=True)
class Verdict:
    """A classification under construction: levels only ever go up."""

    level: Level = "read"
    reasons: list[str] = field(default_factory=list)
    interactive: bool = False
    streaming: bool = False

    def at_least(self, level: Level, reason: str | None = None) -> None:
        if RANK[level] > RANK[self.level]:
            self.level = level
        if reason and RANK[level] > 0 and reason not in self.reasons:
            self.reasons.append(reason)

    def merge(self, other: Verdict) -> None:
        for reason in other.reasons:
            if reason not in self.reasons:
                self.reasons.append(reason)
        if RANK[other.level] > RANK[self.level]:
            self.level = other.level
        self.interactive = self.interactive or other.interactive
        self.streaming = self.streaming or other.streaming


@dataclass(frozen=True, slots=True)
class Context:
    """How a rule reads a command nested in its arguments (kubectl exec, ssh, psql -c)."""

    inner: Callable[[list[str], bool], Verdict]  # argument words forming a command; stdin?
    script: Callable[[str], Verdict]  # a string a shell will read
    stdin: bool  # something is piped or redirected into the command


Rule = Callable[[str, list[str], Verdict, Context], None]


@dataclass(slots=True)
class Args:
    positionals: list[str]
    options: dict[str, str | None]
    rest: list[str]  # after "--", or after the positionals a rule stops at

    def has(self, *names: str) -> bool:
        return any(name in self.options for name in names)

    def value(self, *names: str) -> str | None:
        for name in names:
            if self.options.get(name) is not None:
                return self.options[name]
        return None


def parse_args(
    args: list[str], with_value: frozenset[str] = frozenset(), *, stop_after: int | None = None
) -> Args:
    """Options and positionals, the way most CLIs read them.

    `-it` is two flags, `-nprod` is -n with "prod" when -n takes a value, `--x=y`
    and `--x y` (when --x takes a value) both give "y". With `stop_after`, the
    words after that many positionals are left in `rest` (`docker exec C cmd...`).
    """
    out = Args([], {}, [])
    i = 0
    while i < len(args):
        text = args[i]
        if stop_after is not None and len(out.positionals) >= stop_after:
            out.rest = args[i + 1 :] if text == "--" else args[i:]
            return out
        if text == "--":
            out.rest = args[i + 1 :]
            return out
        if text.startswith("--"):
            name, eq, value = text.partition("=")
            if eq:
                out.options[name] = value
            elif name in with_value and i + 1 < len(args):
                out.options[name] = args[i + 1]
                i += 1
            else:
                out.options[name] = None
        elif text.startswith("-") and len(text) > 1 and not text[1:].isdigit():
            i = _short(args, i, with_value, out)
        else:
            out.positionals.append(text)
        i += 1
    return out


def _short(args: list[str], i: int, with_value: frozenset[str], out: Args) -> int:
    text = args[i]
    head = text[:2]
    if head in with_value:
        if len(text) > 2:
            out.options[head] = text[2:].removeprefix("=")
        elif i + 1 < len(args):
            out.options[head] = args[i + 1]
            return i + 1
        else:
            out.options[head] = None
        return i
    for letter in text[1:]:
        out.options[f"-{letter}"] = None
    return i


def is_system_path(path: str) -> bool:
    if path.startswith(HARMLESS_DEVICES):
        return False
    return any(path == prefix or path.startswith(prefix + "/") for prefix in SYSTEM_PREFIXES)
