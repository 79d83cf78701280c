"""What the Ingress pane writes: table cells and detail text, as Rich `Text`.

Pure functions of rows, reports and the time, so they are tested without an
app. Everything that came from a cluster, a server or a config file goes
through `tui.safetext` and lands in `Text`: never markup, never raw escapes.
The probe results are only used for their fields here (their modules load
the HTTP and TLS libraries, which the console does not need at start).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text

from tui.safetext import cell, screen_line
from tui.sources.kube.ingress import (
    RUNBOOK_JS_MIME,
    RUNBOOK_NETWORK,
    RUNBOOK_SITE_DOWN,
    RUNBOOK_TLS,
    IngressRow,
)
from widgets.format import sparkline

if TYPE_CHECKING:
    from tui.sources.probe_hosts import HostReport
    from tui.sources.probes import ProbeState
    from tui.sources.prometheus import QueryResult

Cells = dict[str, Text]
MARKS = {"error": ("✖", "bold red"), "warn": ("▲", "yellow")}
OK_MARK = ("✔", "green")
TREND_WIDTH = 16

# Hosts last: the detail below lists them in full, the table may cut them.
INGRESS_COLUMNS = [("mark", " "), ("name", "Ingress"), ("findings", "Findings"),
                   ("address", "Address"), ("hosts", "Hosts")]  # fmt: skip
PROBE_COLUMNS = [("mark", " "), ("name", "Probe"), ("status", "Status"),
                 ("latency", "Latency"), ("trend", "Trend"), ("since", "Last OK"),
                 ("error", "Last error")]  # fmt: skip


def mark(severity: str | None) -> Text:
    symbol, style = MARKS.get(severity or "", OK_MARK)
    return Text(symbol, style=style, no_wrap=True)


def worst(findings: Iterable[Any]) -> str | None:
    severities = {f.severity for f in findings}
    return "error" if "error" in severities else ("warn" if severities else None)


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m ago"
    return f"{seconds // 86400}d ago"


# -- ingresses -----------------------------------------------------------------------------


def ingress_label(row: IngressRow, multi_context: bool) -> str:
    label = f"{row.namespace}/{row.name}"
    return f"{row.context}:{label}" if multi_context else label


def findings_text(findings: Sequence[Any]) -> Text:
    if not findings:
        return Text("ok", style="green", no_wrap=True)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = [f"{errors} error{'s' * (errors != 1)}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return Text(", ".join(parts), style="bold red" if errors else "yellow", no_wrap=True)


def ingress_cells(row: IngressRow, host_findings: Sequence[Any], multi_context: bool) -> Cells:
    every = [*row.findings, *host_findings]
    return {
        "mark": mark(worst(every)),
        "name": cell(ingress_label(row, multi_context), "bold" if every else ""),
        "hosts": cell(", ".join(row.hosts) or "*"),
        "address": cell(", ".join(row.addresses) or "-", "" if row.addresses else "yellow"),
        "findings": findings_text(every),
    }


def ingress_order(row: IngressRow, host_findings: Sequence[Any]) -> tuple[int, str, str, str]:
    rank = {"error": 0, "warn": 1}.get(worst([*row.findings, *host_findings]) or "", 2)
    return (rank, row.context, row.namespace, row.name)


def finding_lines(text: Text, findings: Iterable[Any], *, indent: str = " ") -> None:
    for finding in findings:
        symbol, style = MARKS.get(finding.severity, OK_MARK)
        text.append(f"{indent}{symbol} ", style)
        text.append(screen_line(finding.text, max_chars=600))
        if finding.runbook:
            text.append(f"\n{indent}  runbook: {finding.runbook}", "dim")
        text.append("\n")


def ingress_detail(
    row: IngressRow,
    reports: Mapping[str, HostReport],
    skipped: Mapping[str, str],
    pairs: Sequence[Any],
    *,
    multi_context: bool,
    unjudged_note: str = "",
) -> Text:
    text = Text(no_wrap=False)
    text.append(screen_line(ingress_label(row, multi_context), max_chars=200), "bold")
    text.append(f"  class {screen_line(row.ingress_class or '(default)', max_chars=60)}", "dim")
    text.append("  address ", "dim")
    text.append(screen_line(", ".join(row.addresses) or "none", max_chars=200))
    text.append("\n")
    host_findings = [f for h in row.hosts if (r := reports.get(h)) for f in r.findings]
    own_pairs = [f for f in pairs if pair_hosts(f.subject) & set(row.hosts)]
    if row.findings or host_findings or own_pairs:
        text.append("Findings\n", "bold underline")
        finding_lines(text, row.findings)
        finding_lines(text, own_pairs)
        finding_lines(text, host_findings)
    else:
        text.append(" ✔ no findings\n", "green")
    if unjudged_note:
        text.append(f" {screen_line(unjudged_note, max_chars=300)}\n", "dim")
    text.append("Rules\n", "bold underline")
    for rule in row.rules:
        text.append(f" {screen_line(rule.host or '*', max_chars=120)}", "bold")
        text.append(f" {screen_line(rule.path, max_chars=200)}")
        text.append(f" ({screen_line(rule.path_type, max_chars=30)})", "dim")
        text.append(f" → {screen_line(rule.target, max_chars=120)}\n")
    text.append("TLS\n", "bold underline")
    if not row.tls:
        text.append(" none: HTTP only, or TLS from another ingress\n", "dim")
    for tls in row.tls:
        text.append(f" {screen_line(', '.join(tls.hosts) or '(no hosts)', max_chars=400)}")
        text.append(f"  secret {screen_line(tls.secret or '(none)', max_chars=120)}\n", "dim")
    if row.annotations:
        text.append("Annotations\n", "bold underline")
        for key, value in row.annotations:
            text.append(f" {screen_line(key, max_chars=120)}: ", "dim")
            text.append(f"{screen_line(value, max_chars=200)}\n")
    if row.hosts:
        text.append("Host checks\n", "bold underline")
        for host in row.hosts:
            host_lines(text, host, reports.get(host), skipped.get(host))
    text.rstrip()
    return text


def pair_hosts(subject: str) -> set[str]:
    # "pair:www.example.com" is about www.example.com and its apex.
    host = subject.split(":", 1)[-1]
    return {host, host.removeprefix("www.")}


# -- host checks ---------------------------------------------------------------------------


def host_lines(text: Text, host: str, report: HostReport | None, skipped: str | None) -> None:
    text.append(f" {screen_line(host, max_chars=200)}", "bold")
    if skipped is not None:
        text.append(f"  not checked: {screen_line(skipped, max_chars=300)}\n", "dim")
        return
    if report is None:
        text.append("  checking…\n", "dim")
        return
    text.append(f"  checked {report.checked_at:%H:%M:%S}\n", "dim")
    dns, match = report.dns, report.dns_match
    good = dns.ok and match.matches is not False
    _check(text, "DNS", good, match.text if dns.ok and match.matches is not None else
           dns.explanation)  # fmt: skip
    tls = report.tls
    if tls is not None:
        line = tls.explanation
        if tls.error is None:
            sans = ", ".join(tls.sans[:6]) + (" …" if len(tls.sans) > 6 else "")
            covered = "covers" if tls.covers_host else "does NOT cover"
            line += f"; SANs {sans} ({covered} {host})"
        _check(text, "TLS", tls.ok, line, warn=tls.ok and tls.expiring_soon)
    for page in report.pages:
        _check(text, "HTTP", page.ok, _page_text(page))


def _page_text(page: Any) -> str:
    path = page.url.split("/", 3)[3] if page.url.count("/") >= 3 else ""
    if page.error is not None:
        return f"/{path}: {page.explanation}"
    latency = f"{page.latency_ms:.0f} ms" if page.latency_ms is not None else "-"
    kind = (page.content_type or "no content type").split(";", 1)[0]
    line = f"/{path}: {page.status} {latency} {kind}"
    return line if page.ok else f"{line}: {page.explanation}"


def _check(text: Text, label: str, ok: bool, line: str, *, warn: bool = False) -> None:
    symbol, style = ("▲", "yellow") if warn else (OK_MARK if ok else MARKS["error"])
    text.append(f"   {symbol} {label} ", style)
    text.append(f"{screen_line(line, max_chars=600)}\n")


# -- probes ------------------------------------------------------------------------------


def probe_status(state: ProbeState) -> Text:
    code = f" {state.status}" if state.status is not None else ""
    if state.up is None:
        return Text("pending" if not state.checks else f"FAIL{code}", "dim", no_wrap=True)
    if state.up:
        return Text(f"UP{code}", "green", no_wrap=True)
    return Text(f"DOWN{code or ' -'}", "bold red", no_wrap=True)


def probe_cells(state: ProbeState, now: datetime) -> Cells:
    severity = None if state.up is not False else "error"
    if state.up is None and state.consecutive_failures:
        severity = "warn"
    latency = "-" if state.latency_ms is None else f"{state.latency_ms:.0f} ms"
    trend = sparkline(state.latency_values, TREND_WIDTH) or "-"
    return {
        "mark": mark(severity) if state.checks else Text("·", "dim"),
        "name": cell(state.name, "bold" if severity else ""),
        "status": probe_status(state),
        "latency": Text(latency, no_wrap=True),
        "trend": Text(trend, style="cyan", no_wrap=True),
        "since": since_cell(state, now),
        "error": cell(state.last_error or "", "red" if state.up is False else "dim",
                      max_chars=120),
    }  # fmt: skip


def since_cell(state: ProbeState, now: datetime) -> Text:
    return Text(ago(state.last_success_at, now), "dim" if state.up else "yellow", no_wrap=True)


def runbook_for_probe(state: ProbeState) -> str | None:
    """The runbook for a failing probe, from how its last check failed."""
    result = state.last_result
    if result is None or result.ok:
        return None
    problem = result.problem
    if problem == "content-type":
        return RUNBOOK_JS_MIME
    if problem == "tls":
        return RUNBOOK_TLS
    if problem in ("dns", "refused", "connect"):
        return RUNBOOK_NETWORK
    if problem == "status" and (result.status or 0) < 500:
        return None
    return RUNBOOK_SITE_DOWN  # 5xx, timeouts, broken answers


def probe_order(state: ProbeState) -> tuple[int, str]:
    return ({False: 0, None: 1, True: 2}[state.up], state.name)


def probe_detail(state: ProbeState, now: datetime) -> Text:
    text = Text(no_wrap=False)
    text.append(screen_line(state.name, max_chars=80), "bold")
    text.append(f"  {screen_line(state.url, max_chars=300)}\n", "dim")
    text.append(screen_line(state.explanation, max_chars=600))
    checked = ago(state.last_checked_at, now) if state.last_checked_at else "not yet"
    text.append(f"  (checked {checked}, {state.checks} checks)\n", "dim")
    if state.down_since is not None:
        text.append(f"down since {state.down_since:%H:%M:%S} UTC", "bold red")
        text.append(f", {state.consecutive_failures} failed checks in a row\n")
    if state.last_error and state.up is not False:
        text.append("last error: ", "dim")
        text.append(f"{screen_line(state.last_error, max_chars=600)}\n")
    text.rstrip()
    return text


def prometheus_text(url: str | None, results: Mapping[str, QueryResult]) -> Text:
    text = Text(no_wrap=False)
    if not url:
        text.append("Prometheus: not configured", "dim")
        text.append(" ([probes] prometheus_url in the config file)", "dim")
        return text
    text.append("Prometheus ", "bold")
    text.append(f"{screen_line(url, max_chars=200)}\n", "dim")
    if not results:
        text.append(" querying…", "dim")
        return text
    for label, result in results.items():
        text.append(f" {screen_line(label, max_chars=40)}: ", "bold")
        if result.error is not None:
            text.append(f"{screen_line(result.error, max_chars=300)}\n", "red")
            continue
        total = result.total
        text.append(_number(total))
        if result.arrow:
            text.append(f" {result.arrow}", "cyan")
        down = [s.labels for s in result.samples if s.value == 0] if label == "up" else []
        if down:
            names = ", ".join(_target(labels) for labels in down[:3])
            more = f" +{len(down) - 3}" if len(down) > 3 else ""
            text.append(f"  {len(down)} down: {screen_line(names, max_chars=200)}{more}", "red")
        text.append("\n")
    text.rstrip()
    return text


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if value != value:  # NaN: no data in the window
        return "NaN"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3g}"


def _target(labels: Mapping[str, str]) -> str:
    return labels.get("instance") or labels.get("job") or ",".join(f"{k}={v}" for k, v in
                                                                   labels.items())  # fmt: skip
