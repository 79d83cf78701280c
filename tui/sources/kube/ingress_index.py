"""Ingress rows kept up to date from the watches, and their findings' comings and goings.

An ingress row depends on other objects: the services and endpoints it routes
to, the certificates and challenges of its TLS secrets, the other ingresses
claiming its hosts. `IngressIndex` holds those objects per context and, when
any of them changes, judges that context's ingresses again and hands back only
the rows that changed (the pane updates by key). Rows are judged again every
minute too, so a certificate crossing into "expires within 14 days" shows up
without any object changing.

A kind whose watch never listed (cert-manager not installed, or forbidden)
is left out of the judgement rather than read as "no objects": its findings
are "unjudged", never "fine".

`FindingLedger` turns successive rows into timeline entries: a finding that
appears or changes is one entry, a finding that goes away is one "cleared".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tui.sources.kube.cache import Changes, Key
from tui.sources.kube.ingress import Finding, IngressRow, ingress_row
from tui.sources.kube.ingress_findings import EdgeView, judge
from tui.sources.kube.watch import EDGE_KINDS, INGRESSES, Scope, WatchState

Obj = dict[str, Any]
REJUDGE = timedelta(seconds=60)


@dataclass
class IngressChanges:
    updated: dict[Key, IngressRow] = field(default_factory=dict)
    removed: set[Key] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.updated or self.removed)


class IngressIndex:
    def __init__(self) -> None:
        self.objects: dict[str, dict[Key, Obj]] = {kind.plural: {} for kind in EDGE_KINDS}
        self.rows: dict[Key, IngressRow] = {}
        # (context, kind plural, namespace or None): scopes that have listed once.
        self._listed: set[tuple[str, str, str | None]] = set()
        self._judged_at: datetime | None = None

    def apply(
        self, changes: Changes, states: Mapping[Scope, WatchState], now: datetime
    ) -> IngressChanges:
        dirty: set[str] = set()
        for kind in EDGE_KINDS:
            updated, removed = changes.of_kind(kind)
            held = self.objects[kind.plural]
            for key in removed:
                if held.pop(key, None) is not None:
                    dirty.add(key[0])
            for key, obj in updated.items():
                held[key] = obj
                dirty.add(key[0])
        for scope, state in states.items():
            listed = (scope.context, scope.kind.plural, scope.namespace)
            if scope.kind in EDGE_KINDS and state.status == "live" and listed not in self._listed:
                self._listed.add(listed)
                dirty.add(scope.context)
        if self._judged_at is None or now - self._judged_at >= REJUDGE:
            self._judged_at = now
            dirty |= {key[0] for key in self.rows}
        out = IngressChanges()
        for context in sorted(dirty):
            self._judge_context(context, now, out)
        return out

    def forget(self, context: str | None = None) -> set[Key]:
        """Drop a context's objects and rows (all when None); the removed row keys."""
        for held in self.objects.values():
            for key in [k for k in held if context is None or k[0] == context]:
                del held[key]
        self._listed = {s for s in self._listed if context is not None and s[0] != context}
        gone = {k for k in self.rows if context is None or k[0] == context}
        for key in gone:
            del self.rows[key]
        return gone

    def listed(self, context: str, kind: str, namespace: str) -> bool:
        return (context, kind, namespace) in self._listed or (context, kind, None) in self._listed

    def _judge_context(self, context: str, now: datetime, out: IngressChanges) -> None:
        def of(kind: str) -> list[Obj]:
            return [obj for key, obj in self.objects[kind].items() if key[0] == context]

        ingresses = {k: o for k, o in self.objects[INGRESSES.plural].items() if k[0] == context}
        view = EdgeView(
            ingresses.values(),
            of("services"),
            of("endpoints"),
            of("certificates"),
            of("challenges"),
            listed=lambda kind, namespace: self.listed(context, kind, namespace),
        )
        for key, obj in ingresses.items():
            findings, unjudged = judge(obj, view, now)
            row = ingress_row(key, obj, findings, unjudged)
            if self.rows.get(key) != row:
                self.rows[key] = row
                out.updated[key] = row
        for key in [k for k in self.rows if k[0] == context and k not in ingresses]:
            del self.rows[key]
            out.updated.pop(key, None)
            out.removed.add(key)


@dataclass(frozen=True, slots=True)
class FindingChange:
    """One timeline entry: a finding appeared (state = its code) or cleared (state "ok")."""

    subject: str  # ingress:CONTEXT/NAMESPACE/NAME#FINDING-SUBJECT
    state: str
    text: str
    data: dict[str, Any]


def finding_subject(row: IngressRow, finding_subject: str) -> str:
    return f"ingress:{row.context}/{row.namespace}/{row.name}#{finding_subject}"


class FindingLedger:
    """Which findings are in force per ingress, and what changed since the last rows."""

    def __init__(self) -> None:
        self._open: dict[Key, dict[str, Finding]] = {}

    def update(self, updated: Iterable[IngressRow], removed: Iterable[Key] = ()) -> list[
        FindingChange
    ]:  # fmt: skip
        # A removed row is an ingress deleted or a view switched away: neither says
        # its problems are fixed, so nothing is recorded for it.
        for key in removed:
            self._open.pop(key, None)
        changes: list[FindingChange] = []
        for row in updated:
            before = self._open.get(row.key, {})
            now = {f.subject: f for f in row.findings}
            kept = tuple(f"{p}:" for p in row.unjudged)
            for subject in sorted(set(before) | set(now)):
                old, new = before.get(subject), now.get(subject)
                if new is not None and (old is None or old.code != new.code):
                    changes.append(self._change(row, new, new.code, new.text))
                elif new is None and old is not None:
                    if kept and subject.startswith(kept):
                        now[subject] = old  # not judged this time: still in force
                        continue
                    changes.append(self._change(row, old, "ok", f"cleared: {old.text}"))
            self._open[row.key] = now
        return changes

    @staticmethod
    def _change(row: IngressRow, finding: Finding, state: str, text: str) -> FindingChange:
        data = {
            "context": row.context,
            "namespace": row.namespace,
            "ingress": row.name,
            "hosts": list(row.hosts),
            "code": finding.code,
            "severity": finding.severity,
            "runbook": finding.runbook,
            "finding": finding.subject,
        }
        return FindingChange(
            finding_subject(row, finding.subject),
            state,
            f"Ingress {row.namespace}/{row.name}: {text}",
            data,
        )
