"""Placeholders in runbook commands (`<pod-name>`, `$NAMESPACE`, `${DB_HOST}`) and filling them.

Each placeholder maps to a key the UI asks for once per run, and where it can, to
a field of the operator's selection (the pod, namespace, node... picked on
screen). `<backend-pod>` keeps its role in its key so it is asked separately from
the pod selected. Values are written shell-quoted for where they sit (bare, in
double or single quotes, in a here-document, in a script another shell reads
again such as `sh -c "..."` or `ssh host ...`): whatever a pod is called, it stays
one argument and nothing in it runs.

Not placeholders: redirections (`< file`, `<<EOF`), HTML tags, lower-case shell
variables, positional and special parameters (`$1`, `$?`, `$@`), subshells
`$(...)`, defaults `${VAR:-x}`, the environment every shell has ($HOME, $PATH...),
and variables the command assigns itself (`for POD in ...`, `NS=prod ...`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tui.runbook.invocation import SHELLS, Invocation, program_name, unwrap
from tui.runbook.quoting import Context, embed, regions
from tui.runbook.rules.network import SSH_VALUE
from tui.runbook.shell import parse

FIELDS = (
    "context",
    "namespace",
    "pod",
    "container",
    "deployment",
    "node",
    "ingress",
    "host",
    "service",
)

_ANGLE = re.compile(r"(?<!<)<([A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*)>")
_DOLLAR = re.compile(r"\$(?:\{([A-Z][A-Z0-9_]*)\}|([A-Z][A-Z0-9_]*)(?![A-Za-z0-9_]))")
_ASSIGNED = re.compile(
    r"(?:^|[\s;&|(])(?:(?:export|local|readonly|declare(?:\s+-\w+)*)\s+)?([A-Za-z_]\w*)="
)
_LOOP_VAR = re.compile(r"\b(?:for|select)\s+([A-Za-z_]\w*)\s+in\b")
_READ_VARS = re.compile(r"\bread\s+(?:-\w+\s+)*((?:[A-Za-z_]\w*\s*)+)")

_SYNONYMS = {
    "pod": "pod",
    "pods": "pod",
    "podname": "pod",
    "node": "node",
    "nodename": "node",
    "namespace": "namespace",
    "ns": "namespace",
    "container": "container",
    "deployment": "deployment",
    "deploy": "deployment",
    "ingress": "ingress",
    "context": "context",
    "ctx": "context",
    "kubecontext": "context",
    "host": "host",
    "hostname": "host",
    "ip": "host",
    "server": "host",
    "service": "service",
    "svc": "service",
}
# Too short to be sure of as a suffix: <authoritative-ns> is a name server.
_WHOLE_ONLY = {"ns", "ctx"}
# Words in front of a field that still mean "the one selected": <failing-pod> is the pod.
_GENERIC_ROLES = {
    "kube", "k8s", "kubernetes", "target", "your", "my", "the", "current", "selected",
    "failing", "crashing", "affected", "problem", "bad", "broken", "app", "some",
}  # fmt: skip
# Tags a command's text may hold that are HTML (grep "<title>"), not placeholders.
_HTML_TAGS = {
    "a", "b", "i", "p", "br", "hr", "em", "div", "span", "html", "head", "body", "title",
    "meta", "link", "script", "style", "pre", "code", "table", "tr", "td", "th", "ul", "ol",
    "li", "h1", "h2", "h3", "h4", "h5", "h6", "form", "input", "img", "strong", "small",
}  # fmt: skip
# Set by every shell or login; a runbook using them means the operator's own.
_ENVIRONMENT = {
    "HOME", "PATH", "PWD", "OLDPWD", "USER", "LOGNAME", "SHELL", "TERM", "LANG", "LANGUAGE",
    "TMPDIR", "TMP", "TEMP", "HOSTNAME", "HOSTTYPE", "OSTYPE", "MACHTYPE", "UID", "EUID",
    "GID", "PPID", "RANDOM", "SECONDS", "LINENO", "BASH", "BASHPID", "IFS", "PS1", "PS2",
    "PS4", "PIPESTATUS", "REPLY", "OPTARG", "OPTIND", "SHLVL", "COLUMNS", "LINES", "EDITOR",
    "VISUAL", "PAGER", "DISPLAY", "KUBECONFIG", "HISTFILE", "HISTSIZE", "MAIL",
    "EPOCHSECONDS", "EPOCHREALTIME", "GOPATH", "JAVA_HOME", "PYTHONPATH", "FUNCNAME",
}  # fmt: skip
_ENVIRONMENT_PREFIXES = ("LC_", "XDG_", "SSH_", "BASH_", "SUDO_")
_SECRET_WORDS = ("PASSWORD", "PASSWD", "PASS", "SECRET", "TOKEN", "APIKEY", "API_KEY", "CREDENTIAL")


@dataclass(frozen=True, slots=True)
class Placeholder:
    token: str  # as written: "<backend-pod>", "$NAMESPACE", "${DB_HOST}"
    key: str  # what to ask for: "pod", "backend-pod", "namespace", "db-host"
    field: str | None  # the selection it can be filled from, one of FIELDS, or None
    role: str  # "backend" for <backend-pod>; "" when it is simply the selected one
    secret: bool  # a password or token: mask it when asking, do not show it
    start: int
    end: int
    context: Context  # where it sits: bare, in quotes, in a here-document

    @property
    def label(self) -> str:
        """How to ask for it: "backend pod", "namespace", "DB_HOST"."""
        if self.token.startswith("$"):
            return self.token.strip("${}")
        return self.key.replace("-", " ")


def find(command: str) -> list[Placeholder]:
    """Every placeholder occurrence in `command`, in order."""
    assigned = _assigned_names(command)
    found: list[Placeholder] = []
    for region in regions(command):
        if region.context == "comment":
            continue
        chunk = command[region.start : region.end]
        for match in _ANGLE.finditer(chunk):
            name = match.group(1)
            if name.lower() in _HTML_TAGS:
                continue
            found.append(_make(match.group(), name, region.start + match.start(), region.context))
        quoted = region.context in ("single", "literal")
        for match in _DOLLAR.finditer(chunk):
            name = match.group(1) or match.group(2)
            if quoted and not match.group(1):
                # The shell leaves $VAR alone inside single quotes (awk '{print $NF}'), so
                # do we; ${VAR} there can only be meant as a blank to fill in.
                continue
            at = region.start + match.start()
            if _escaped(command, at) or name in assigned or _is_environment(name):
                continue
            found.append(_make(match.group(), name, at, region.context))
    return sorted(found, key=lambda p: p.start)


def keys(command: str) -> list[str]:
    """The distinct keys of `command`'s placeholders, in order of first use."""
    return list(dict.fromkeys(p.key for p in find(command)))


def missing(commands: str | Iterable[str], values: Mapping[str, str]) -> list[str]:
    """Keys without a value across one or several commands: ask for these once, then fill."""
    texts = [commands] if isinstance(commands, str) else list(commands)
    wanted = dict.fromkeys(key for text in texts for key in keys(text))
    return [key for key in wanted if values.get(key) is None]


def fill(command: str, values: Mapping[str, str]) -> str:
    """`command` with each placeholder that has a value replaced by it, shell-quoted.

    Placeholders without a value are left as written (see `missing`). Raises
    ValueError for a value that cannot be written safely where it sits (a line
    break inside a here-document, a NUL character).
    """
    out = command
    rereads = _reread_spans(command)
    for placeholder in reversed(find(command)):
        value = values.get(placeholder.key)
        if value is None:
            continue
        reread = any(a <= placeholder.start < b for a, b in rereads)
        text = embed(value, placeholder.context, reread=reread)
        out = out[: placeholder.start] + text + out[placeholder.end :]
    return out


def _reread_spans(command: str) -> list[tuple[int, int]]:
    """Spans of text that a second shell reads again: `sh -c S`, `watch ...`, `ssh host ...`,
    `kubectl exec pod -- bash -c S`, `eval ...`."""
    spans: list[tuple[int, int]] = []
    for simple in parse(command).commands:
        invocation = unwrap(simple.words)
        if invocation is None:
            continue
        words = invocation.words
        if invocation.script is not None:
            spans.append((invocation.script.start, invocation.script.end))
        if "watch" in invocation.wrappers or invocation.program == "eval":
            spans.append((words[0].start, words[-1].end))
        if invocation.program == "ssh":
            remote = _ssh_remote(invocation)
            if remote:
                spans.append((words[remote].start, words[-1].end))
        for i, word in enumerate(words[1:-2], start=1):
            flag = words[i + 1].text
            if program_name(word.text) in SHELLS and flag.startswith("-") and "c" in flag:
                spans.append((words[i + 2].start, words[i + 2].end))
    return spans


def _ssh_remote(invocation: Invocation) -> int | None:
    """Index of the first word of ssh's remote command, if it has one."""
    i = 1
    words = invocation.words
    while i < len(words) and words[i].text.startswith("-"):
        i += 2 if words[i].text in SSH_VALUE else 1
    return i + 1 if i + 1 < len(words) else None


def describe_name(name: str) -> tuple[str, str | None, str]:
    """(key, field, role) for a placeholder name: "backend-pod" -> ("backend-pod", "pod",
    "backend"); "NAMESPACE" -> ("namespace", "namespace", ""); "PID" -> ("pid", None, "")."""
    parts = [part for part in re.split(r"[-_]", name.lower()) if part]
    if len(parts) > 1 and parts[-1] == "name" and parts[-2] in _SYNONYMS:
        parts.pop()  # <pod-name> is the pod; $DB_NAME is not a "db"
    joined = "".join(parts)
    last = parts[-1] if parts else ""
    field = _SYNONYMS.get(joined) or (None if last in _WHOLE_ONLY else _SYNONYMS.get(last))
    if field is None:
        return "-".join(parts), None, ""
    role_parts = [] if joined in _SYNONYMS else [p for p in parts[:-1] if p not in _GENERIC_ROLES]
    if not role_parts:
        return field, field, ""
    return "-".join(parts), field, "-".join(role_parts)


def _make(token: str, name: str, start: int, context: Context) -> Placeholder:
    key, field, role = describe_name(name)
    secret = any(word in name.upper().replace("-", "_") for word in _SECRET_WORDS)
    return Placeholder(token, key, field, role, secret, start, start + len(token), context)


def _escaped(text: str, at: int) -> bool:
    backslashes = len(text[:at]) - len(text[:at].rstrip("\\"))
    return backslashes % 2 == 1


def _is_environment(name: str) -> bool:
    return name in _ENVIRONMENT or name.startswith(_ENVIRONMENT_PREFIXES)


def _assigned_names(command: str) -> set[str]:
    names = {match.group(1) for match in _ASSIGNED.finditer(command)}
    names.update(match.group(1) for match in _LOOP_VAR.finditer(command))
    for match in _READ_VARS.finditer(command):
        names.update(match.group(1).split())
    return names
