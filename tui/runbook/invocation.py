"""Which program a simple command really runs, once wrappers are set aside.

`FOO=1 sudo -E timeout 30 kubectl delete pod x` runs kubectl; `watch 'kubectl get
hpa'` and `bash -c "..."` run a script given as one string. Both the danger
classifier and the context targeting need to look through these wrappers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tui.runbook.shell import Word

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "fish"})

# Wrapper -> its options that take a value (the value is skipped with the option).
_WRAPPERS: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-h", "-p", "-C", "-r", "-t", "-U", "-D", "-T", "-R"}),
    "doas": frozenset({"-u", "-C"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "builtin": frozenset(),
    "exec": frozenset({"-a"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "ionice": frozenset({"-c", "-n", "-p", "--class", "--classdata"}),
    "stdbuf": frozenset({"-i", "-o", "-e"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "xargs": frozenset({"-I", "-n", "-P", "-L", "-d", "-E", "-s", "-a", "--delimiter"}),
    "watch": frozenset({"-n", "-d", "--interval", "--differences"}),
    "caffeinate": frozenset(),
}
# Wrappers whose first positional argument is theirs, not the command's (timeout 30 ...).
_TAKES_POSITIONAL = frozenset({"timeout"})


@dataclass(slots=True)
class Invocation:
    program: str  # basename of the program: "kubectl", "docker-compose", "./db-backup.sh"
    words: list[Word]  # the program word first, then its arguments
    wrappers: list[str] = field(default_factory=list)  # "sudo", "watch", ... outermost first
    script: Word | None = None  # the script of `bash -c S` / `watch 'S'`, to read in turn

    @property
    def args(self) -> list[str]:
        return [word.text for word in self.words[1:]]


def program_name(word: str) -> str:
    """/usr/bin/kubectl -> kubectl; ./db-backup.sh stays as written (it is a local script)."""
    if word.startswith(("./", "../", "~/")):
        return word
    return PurePosixPath(word).name or word


def unwrap(words: list[Word]) -> Invocation | None:
    """The invocation under any assignments and wrappers; None when nothing runs."""
    i = 0
    wrappers: list[str] = []
    while i < len(words):
        text = words[i].text
        if _ASSIGNMENT.match(text) and words[i].quote != "'":
            i += 1
            continue
        name = program_name(text)
        if name == "command" and i + 1 < len(words) and words[i + 1].text in ("-v", "-V"):
            break  # `command -v kubectl` only looks a program up
        if name not in _WRAPPERS:
            break
        at = i
        i = _skip_options(words, i + 1, _WRAPPERS[name], env=name == "env")
        if name in _TAKES_POSITIONAL and i < len(words):
            i += 1
        if name == "watch" and len(words) - i == 1:
            # `watch 'kubectl get hpa'`: one string, which watch hands to `sh -c`.
            return Invocation("watch", [words[at], words[i]], wrappers, words[i])
        wrappers.append(name)
    if i >= len(words):
        if not wrappers:
            return None
        # `sudo -i`, `sudo` alone: the wrapper is what runs.
        return Invocation(wrappers[-1], words[-1:], wrappers[:-1])
    name = program_name(words[i].text)
    invocation = Invocation(name, words[i:], wrappers)
    if name in SHELLS:
        invocation.script = _shell_script(words[i + 1 :])
    return invocation


def _skip_options(words: list[Word], i: int, with_value: frozenset[str], *, env: bool) -> int:
    while i < len(words):
        text = words[i].text
        if text == "--":
            return i + 1
        if env and _ASSIGNMENT.match(text):
            i += 1
        elif text.startswith("-") and len(text) > 1:
            i += 2 if text in with_value else 1
        else:
            return i
    return i


def _shell_script(args: list[Word]) -> Word | None:
    """The S of `bash -c S` (also `bash -lc S`, `bash -euxc S`)."""
    for index, word in enumerate(args):
        text = word.text
        if not text.startswith("-") or text.startswith("--"):
            if text.startswith("--"):
                continue
            return None
        if "c" in text[1:] and index + 1 < len(args):
            return args[index + 1]
    return None
