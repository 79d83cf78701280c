"""Pointing a runbook's kubectl commands at the cluster and namespace the operator chose.

kubectl reads no environment variable for its context, and the kubeconfig's
current context is shared by every terminal on the bastion, so switching it is
not an option. Instead `--context=<ctx>` is written right after every `kubectl`
that does not name one, and `-n <ns>` after every `kubectl` that names no
namespace (nor -A). This also reaches kubectl inside pipelines, `$(...)`,
`watch '...'`, `bash -c "..."` and `xargs`, quoted for each level; kubectl run on
another machine (`ssh host "kubectl ..."`) or inside a pod is left alone.
"""

from __future__ import annotations

import re
import shlex

from tui.runbook.invocation import unwrap
from tui.runbook.rules.kube import GLOBAL_VALUE, split_subcommand
from tui.runbook.shell import parse

KUBECTL = frozenset({"kubectl"})
# Subcommands about the kubeconfig or the client itself: no cluster to point at.
_NO_CONTEXT = frozenset({"config", "completion", "plugin", "kustomize", "help", "options"})
_NO_NAMESPACE = _NO_CONTEXT | {"version", "explain", "api-resources", "api-versions",
                               "cluster-info"}  # fmt: skip
_MAX_DEPTH = 6


def target_command(command: str, context: str | None, namespace: str | None) -> str:
    """`command` with every local kubectl aimed at `context` and `namespace` (either may
    be None: then that flag is not added)."""
    if not context and not namespace:
        return command
    inserts: list[tuple[int, str]] = []
    _collect(command, 0, len(command), [], inserts, context, namespace)
    for position, text in sorted(inserts, reverse=True):
        command = command[:position] + text + command[position:]
    return command


def _collect(
    text: str,
    start: int,
    end: int,
    chain: list[str],
    inserts: list[tuple[int, str]],
    context: str | None,
    namespace: str | None,
) -> None:
    if len(chain) > _MAX_DEPTH:
        return
    for simple in parse(text, start, end).commands:
        invocation = unwrap(simple.words)
        if invocation is None:
            continue
        levels = chain + (["plain"] if "watch" in invocation.wrappers else [])
        script = invocation.script
        if script is not None:
            if script.quote in ("'", '"'):
                inner = [*levels, script.quote]
                _collect(text, script.start + 1, script.end - 1, inner, inserts, context, namespace)
            continue
        if invocation.program not in KUBECTL:
            continue
        flags = _flags(invocation.args, context, namespace)
        if flags:
            words = " ".join(f"{flag}{_quoted(value, levels)}" for flag, value in flags)
            inserts.append((invocation.words[0].end, " " + words))


def _flags(args: list[str], context: str | None, namespace: str | None) -> list[tuple[str, str]]:
    before = args[: args.index("--")] if "--" in args else args
    sub, _ = split_subcommand(before, GLOBAL_VALUE)
    flags: list[tuple[str, str]] = []
    named = any(arg == "--context" or arg.startswith("--context=") for arg in before)
    if context and not named and sub not in _NO_CONTEXT:
        flags.append(("--context=", context))
    if namespace and sub not in _NO_NAMESPACE and not _has_namespace(before):
        flags.append(("-n ", namespace))
    return flags


def _has_namespace(args: list[str]) -> bool:
    for arg in args:
        if arg in ("-n", "--namespace", "-A", "--all-namespaces"):
            return True
        if arg.startswith(("--namespace=", "--all-namespaces")):
            return True
        if re.fullmatch(r"-n[^-].*", arg):  # -nprod
            return True
    return False


def _quoted(value: str, levels: list[str]) -> str:
    """`value` as one word for the innermost shell, escaped for each quote it sits in."""
    text = shlex.quote(value)
    for level in reversed(levels):
        if level == "'":
            text = text.replace("'", "'\\''")
        elif level == '"':
            text = re.sub(r'([\\"$`])', r"\\\1", text)
        else:  # read again by a shell with no quotes around it (watch's arguments)
            text = shlex.quote(text)
    return text
