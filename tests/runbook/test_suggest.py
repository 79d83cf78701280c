"""Suggesting runbooks from live signals, and finding them by typing."""

from __future__ import annotations

from pathlib import Path

from tui.runbook.model import Runbook
from tui.runbook.parser import parse_runbook
from tui.runbook.suggest import Signals, fuzzy, suggest


def runbook(
    name: str, title: str, triggers: str = "", tags: str = "[]", sev: str = "P2"
) -> Runbook:
    front = f"title: {title}\nseverity: {sev}\ntags: {tags}\ntriggers:\n{triggers or '  {}'}"
    text = f"---\n{front}\n---\n"
    parsed = parse_runbook(text, Path(f"/rb/{name}.md"))
    assert parsed.warnings == [], parsed.warnings
    return parsed


CRASH = runbook(
    "crashloop",
    "Pod in CrashLoopBackOff",
    "  pod_status: [CrashLoopBackOff]\n  event_reason: [BackOff]",
    "[kubernetes, pods]",
    "P1",
)
OOM = runbook(
    "oom",
    "Container OOMKilled",
    "  pod_status: [OOMKilled, CrashLoopBackOff]",
    "[kubernetes, memory]",
)
IMAGE = runbook(
    "image-pull", "Image pull failing", "  pod_status: [ImagePullBackOff, ErrImagePull]"
)
DISK = runbook("disk-full", "Disk almost full", "  host_alert: [disk]", "[host]", "P1")
TLS = runbook("tls", "TLS certificate expired", "  probe: ['tls*']", "[ingress, certificates]")
PLAIN = runbook("escalation", "Escalation guidelines")
ALL = [PLAIN, TLS, DISK, IMAGE, OOM, CRASH]


def test_signals_rank_runbooks_by_how_much_they_match() -> None:
    found = suggest(ALL, Signals.of(pod_status={"CrashLoopBackOff"}, event_reason={"BackOff"}))
    assert [s.runbook.title for s in found] == ["Pod in CrashLoopBackOff", "Container OOMKilled"]
    assert found[0].matched == ("pod_status CrashLoopBackOff", "event_reason BackOff")
    both = suggest(ALL, Signals.of(pod_status={"CrashLoopBackOff", "OOMKilled"}))
    assert both[0].runbook is OOM


def test_matching_is_case_insensitive_with_prefixes_and_globs() -> None:
    assert [s.runbook for s in suggest(ALL, Signals.of(pod_status={"imagepullbackoff"}))] == [IMAGE]
    assert [s.runbook for s in suggest(ALL, Signals.of(host_alert={"disk:/var"}))] == [DISK]
    assert [s.runbook for s in suggest(ALL, Signals.of(probe={"tls-expiry"}))] == [TLS]
    assert suggest(ALL, Signals()) == []
    assert suggest(ALL, Signals.of(host_alert={"diskette"})) == []


def test_fuzzy_finds_by_title_tag_and_file_name() -> None:
    assert fuzzy(ALL, "crash")[0] is CRASH
    assert fuzzy(ALL, "clbo")[0] is CRASH  # letters in order: CrashLoopBackOff
    assert fuzzy(ALL, "memory") == [OOM]
    assert fuzzy(ALL, "image-pull")[0] is IMAGE
    assert fuzzy(ALL, "cert exp") == [TLS]
    assert fuzzy(ALL, "zzz") == []
    everything = fuzzy(ALL, "  ")
    assert everything[:2] == [DISK, CRASH]  # P1 first, then by title
    assert len(everything) == len(ALL)
