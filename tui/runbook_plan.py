"""From a runbook command and the operator's selection to what will run, shown and recorded.

Plain Python, no Textual: the flow (`tui.runbook_flow`) asks the operator for
what is missing and for confirmation; this module decides what the command
becomes (placeholders filled shell-quoted, kubectl aimed at the chosen context
and namespace), how risky it is, what must be typed to confirm it, and what of
it may be shown and recorded (secrets masked).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.runbook.danger import Danger, classify
from tui.runbook.placeholders import Placeholder, fill, find
from tui.runbook.runner import target_command
from tui.sources.kube.rows import DeploymentRow, EventRow, HpaRow, NodeRow, PodRow

# What a secret value is replaced with wherever a command is shown or recorded.
MASK = "••••••"
# The word typed to confirm a dangerous command that names no object.
RUN_WORD = "run"
# Fields whose value names the object a command acts on, most specific first: the
# word to type before a dangerous command.
OBJECT_FIELDS = ("pod", "deployment", "node", "service", "ingress", "container", "host")
# Shorter secrets are not masked in output: "abc" would mask half of every line.
MIN_MASKED_SECRET = 4
CUT_MARKER = "\n…[{} bytes not kept in the timeline; sha256 covers them]…\n"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a command runs: the cluster it is aimed at, and the kubeconfig it reads."""

    context: str | None = None
    namespace: str | None = None
    kubeconfig: str | None = None

    def describe(self) -> str:
        context = self.context or "kubectl's current context"
        return f"{context} / {self.namespace or 'its default namespace'}"


@dataclass(frozen=True, slots=True)
class Ask:
    """A placeholder value to ask the operator for."""

    key: str
    label: str
    secret: bool
    default: str = ""


@dataclass(frozen=True, slots=True)
class RunPlan:
    template: str  # as the runbook wrote it
    command: str  # what runs: placeholders filled, kubectl targeted
    shown: str  # what is shown and recorded: the same with secrets masked
    target: Target
    danger: Danger
    confirm_word: str | None  # to type before running; None: one key confirms
    secrets: tuple[str, ...] = field(default=(), repr=False)  # values to mask in output

    @property
    def interactive(self) -> bool:
        return self.danger.interactive

    def mask(self, text: str) -> str:
        """`text` with every secret value of this run replaced by MASK."""
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


def selection_values(row: Any) -> dict[str, str]:
    """Placeholder values the row selected on screen gives (pod, namespace, node…)."""
    values: dict[str, str] = {}
    if row is None:
        return values
    context = getattr(row, "context", "")
    namespace = getattr(row, "namespace", "")
    if context:
        values["context"] = context
    if namespace:
        values["namespace"] = namespace
    if isinstance(row, PodRow):
        values["pod"] = row.name
        if row.node:
            values["node"] = row.node
        if len(row.container_names) == 1:
            values["container"] = row.container_names[0]
        deployment = deployment_of(row)
        if deployment:
            values["deployment"] = deployment
    elif isinstance(row, DeploymentRow):
        values["deployment"] = row.name
    elif isinstance(row, NodeRow):
        values["node"] = row.name
    elif isinstance(row, HpaRow):
        kind, _, name = row.target.partition("/")
        if kind.lower() == "deployment" and name:
            values["deployment"] = name
    elif isinstance(row, EventRow):
        kind = row.object_kind.lower()
        if kind in ("pod", "deployment", "node", "service", "ingress") and row.object_name:
            values[kind] = row.object_name
    return values


def deployment_of(row: PodRow) -> str | None:
    """The deployment a pod belongs to: its ReplicaSet's name without the template hash."""
    if row.owner_kind != "ReplicaSet" or not row.owner_name:
        return None
    template_hash = dict(row.labels).get("pod-template-hash")
    if template_hash and row.owner_name.endswith(f"-{template_hash}"):
        return row.owner_name[: -len(template_hash) - 1]
    return None


def to_ask(template: str, values: Mapping[str, str], remembered: Mapping[str, str]) -> list[Ask]:
    """The placeholders of `template` without a value, once each, in order of use.

    `remembered` holds what the operator typed for earlier runs: offered again as a
    default, never for a secret.
    """
    asks: dict[str, Ask] = {}
    for placeholder in find(template):
        if placeholder.key in asks or values.get(placeholder.key) is not None:
            continue
        default = "" if placeholder.secret else remembered.get(placeholder.key, "")
        asks[placeholder.key] = Ask(placeholder.key, placeholder.label, placeholder.secret, default)
    return list(asks.values())


def secret_keys(template: str) -> set[str]:
    return {p.key for p in find(template) if p.secret}


def plan(
    template: str,
    values: Mapping[str, str],
    target: Target,
    *,
    production: bool,
) -> RunPlan:
    """What `template` becomes with `values` on `target`. ValueError if a value cannot be
    written safely where it sits (see `placeholders.fill`)."""
    placeholders = find(template)
    secrets = {p.key for p in placeholders if p.secret}
    masked = {key: (MASK if key in secrets else value) for key, value in values.items()}
    command = target_command(fill(template, values), target.context, target.namespace)
    shown = target_command(fill(template, masked), target.context, target.namespace)
    danger = classify(command)
    hidden = tuple(
        sorted(
            {values[k] for k in secrets if len(values.get(k) or "") >= MIN_MASKED_SECRET},
            key=len,
            reverse=True,  # longest first: a secret containing another is masked whole
        )
    )
    return RunPlan(
        template=template,
        command=command,
        shown=shown,
        target=target,
        danger=danger,
        confirm_word=confirm_word(danger, production, placeholders, values),
        secrets=hidden,
    )


def confirm_word(
    danger: Danger, production: bool, placeholders: Iterable[Placeholder], values: Mapping[str, str]
) -> str | None:
    """What to type before running: the object's name for a dangerous command (or any
    change on a production context); None when one key is enough."""
    if not danger.changes or not (danger.dangerous or production):
        return None
    used = {p.field for p in placeholders if p.field and not p.role and not p.secret}
    for name in OBJECT_FIELDS:
        value = values.get(name)
        if name in used and value:
            return value
    return RUN_WORD


def bounded_output(output: str, limit_bytes: int) -> tuple[str, bool]:
    """`output` cut to about `limit_bytes` (its head and tail), and whether it was cut."""
    data = output.encode("utf-8", "surrogatepass")
    if len(data) <= limit_bytes:
        return output, False
    half = limit_bytes // 2
    head = data[:half].decode("utf-8", "ignore")
    tail = data[-half:].decode("utf-8", "ignore")
    return head + CUT_MARKER.format(len(data) - 2 * half) + tail, True


def empty_sha256() -> str:
    return hashlib.sha256(b"").hexdigest()
