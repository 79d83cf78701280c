"""Which runbook to open: suggested from what is going wrong, or found by typing.

`suggest` matches live signals (pod statuses such as CrashLoopBackOff, event
reasons, failing probes, host alerts) against each runbook's front-matter
triggers. `fuzzy` ranks runbooks for a typed query over title, tags and file
name, by substring first and then by letters in order ("clbo" finds
"CrashLoopBackOff").
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from tui.runbook.model import TRIGGER_KEYS, Runbook

# A pod status names the failure exactly; the other signals are broader hints.
WEIGHTS = {"pod_status": 3.0, "event_reason": 2.0, "probe": 2.0, "host_alert": 2.0}
_SEVERITY_ORDER = {"P0": 0, "P1": 1, "P2": 2, "P3": 3}


@dataclass(frozen=True, slots=True)
class Signals:
    """What the console sees going wrong right now."""

    pod_status: frozenset[str] = frozenset()
    event_reason: frozenset[str] = frozenset()
    probe: frozenset[str] = frozenset()
    host_alert: frozenset[str] = frozenset()

    @classmethod
    def of(cls, **values: Iterable[str]) -> Signals:
        return cls(**{key: frozenset(items) for key, items in values.items()})


@dataclass(frozen=True, slots=True)
class Suggestion:
    runbook: Runbook
    score: float
    matched: tuple[str, ...]  # "pod_status CrashLoopBackOff": why it was suggested


def suggest(runbooks: Iterable[Runbook], signals: Signals) -> list[Suggestion]:
    """Runbooks whose triggers match a signal, best first; the others are left out."""
    found: list[Suggestion] = []
    for runbook in runbooks:
        matched: list[str] = []
        score = 0.0
        for key in TRIGGER_KEYS:
            live = getattr(signals, key)
            for trigger in getattr(runbook.triggers, key):
                hit = next((s for s in sorted(live) if _matches(trigger, s)), None)
                if hit is not None:
                    matched.append(f"{key} {hit}")
                    score += WEIGHTS[key]
        if matched:
            found.append(Suggestion(runbook, score, tuple(matched)))
    found.sort(key=lambda s: (-s.score, _trigger_count(s.runbook), *_order(s.runbook)))
    return found


def fuzzy(runbooks: Iterable[Runbook], query: str) -> list[Runbook]:
    """Runbooks matching every word of `query`, best first; all of them for an empty query."""
    words = query.lower().split()
    pool = list(runbooks)
    if not words:
        return sorted(pool, key=_order)
    scored: list[tuple[float, Runbook]] = []
    for runbook in pool:
        fields = [(runbook.title, 1.0), *((tag, 0.8) for tag in runbook.tags)]
        if runbook.path is not None:
            fields.append((runbook.path.stem, 0.6))
        total = 0.0
        for word in words:
            best = max((_score(word, text) * weight for text, weight in fields), default=0.0)
            if best <= 0:
                break
            total += best
        else:
            scored.append((total, runbook))
    scored.sort(key=lambda pair: (-pair[0], *_order(pair[1])))
    return [runbook for _, runbook in scored]


def _matches(trigger: str, signal: str) -> bool:
    """Case-insensitive; globs allowed; "disk" matches the host alert "disk:/var"."""
    t, s = trigger.lower(), signal.lower()
    if any(ch in t for ch in "*?["):
        return fnmatch.fnmatchcase(s, t)
    return s == t or s.startswith(t + ":")


def _score(word: str, text: str) -> float:
    """Substring beats scattered letters; a match at a word's start beats one inside it."""
    haystack = "".join(ch.lower()[:1] for ch in text)  # same length as text, unlike .lower()
    at = haystack.find(word)
    if at >= 0:
        boundary = at == 0 or not haystack[at - 1].isalnum()
        return 100.0 + (20.0 if boundary else 0.0) + len(word) - at * 0.1
    score = 0.0
    position = -1
    for letter in word:
        found = haystack.find(letter, position + 1)
        if found < 0:
            return 0.0
        score += 1.0
        if found == position + 1:
            score += 4.0  # consecutive letters
        if found == 0 or not haystack[found - 1].isalnum() or text[found].isupper():
            score += 3.0  # the start of a word or of a CamelCase part
        position = found
    return score


def _trigger_count(runbook: Runbook) -> int:
    return sum(len(values) for values in runbook.triggers.by_key().values())


def _order(runbook: Runbook) -> tuple[int, str]:
    return _SEVERITY_ORDER.get(runbook.severity or "", 9), runbook.title.lower()
