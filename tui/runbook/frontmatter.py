"""The YAML block at the top of a runbook: title, severity, tags and triggers.

---
title: Pod in CrashLoopBackOff
severity: P1
tags: [kubernetes, pods]
triggers:
  pod_status: [CrashLoopBackOff]
  event_reason: [BackOff]
---

Whatever is wrong in it (invalid YAML, a list where a mapping belongs) becomes a
warning; the body of the runbook is parsed anyway, because during an incident a
checklist with a typo in its header is far better than no checklist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from tui.runbook.model import TRIGGER_KEYS, Problem, Triggers

SEVERITIES = ("P0", "P1", "P2", "P3")


@dataclass(slots=True)
class FrontMatter:
    title: str | None = None
    severity: str | None = None
    tags: tuple[str, ...] = ()
    triggers: Triggers = field(default_factory=Triggers)
    meta: dict[str, object] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def parse_front_matter(content: str, *, line: int = 1) -> FrontMatter:
    """Read the YAML between the `---` fences; `line` is where the opening fence is."""
    result = FrontMatter()
    try:
        data = yaml.safe_load(content) if content.strip() else {}
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        at = line + 1 + where.line if where is not None else line
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        result.warnings.append(Problem(at, f"front matter is not valid YAML ({reason}); ignored"))
        return result
    if data is None:
        return result
    if not isinstance(data, dict):
        kind = type(data).__name__
        result.warnings.append(
            Problem(line, f"front matter should be a mapping of keys, not a {kind}; ignored")
        )
        return result
    result.meta = {str(key): value for key, value in data.items()}
    lines = content.split("\n")

    def at(key: str) -> int:
        """The file line a top-level key is written on, for warnings to point at."""
        found = next((i for i, text in enumerate(lines) if text.startswith(f"{key}:")), None)
        return line if found is None else line + 1 + found

    result.title = _text(data.get("title"), "title", at("title"), result.warnings)
    result.severity = _severity(data.get("severity"), at("severity"), result.warnings)
    result.tags = _strings(data.get("tags"), "tags", at("tags"), result.warnings)
    result.triggers = _triggers(data.get("triggers"), at("triggers"), result.warnings)
    return result


def _text(value: object, key: str, line: int, warnings: list[Problem]) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        warnings.append(Problem(line, f"front matter '{key}' should be text; ignored"))
        return None
    text = str(value).strip()
    return text or None


def _severity(value: object, line: int, warnings: list[Problem]) -> str | None:
    text = _text(value, "severity", line, warnings)
    if text is None:
        return None
    if text.upper() in SEVERITIES:
        return text.upper()
    warnings.append(
        Problem(line, f"front matter severity '{text}' is not one of {', '.join(SEVERITIES)}")
    )
    return text


def _strings(value: object, key: str, line: int, warnings: list[Problem]) -> tuple[str, ...]:
    """A list of strings; a single string (or a comma-separated one) is accepted too."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        items = [item for item in value if item is not None]
        if all(isinstance(item, (str, int, float)) for item in items):
            return tuple(str(item).strip() for item in items if str(item).strip())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (str(value),)
    warnings.append(Problem(line, f"front matter '{key}' should be a list of words; ignored"))
    return ()


def _triggers(value: object, line: int, warnings: list[Problem]) -> Triggers:
    if value is None:
        return Triggers()
    if not isinstance(value, dict):
        warnings.append(
            Problem(line, "front matter 'triggers' should map keys (pod_status, ...) to lists")
        )
        return Triggers()
    known: dict[str, tuple[str, ...]] = {}
    extra: dict[str, tuple[str, ...]] = {}
    for key, items in value.items():
        name = str(key)
        words = _strings(items, f"triggers.{name}", line, warnings)
        if name in TRIGGER_KEYS:
            known[name] = words
        else:
            extra[name] = words
            warnings.append(
                Problem(
                    line,
                    f"unknown trigger key '{name}' (known: {', '.join(TRIGGER_KEYS)}); kept,"
                    " but nothing matches on it",
                )
            )
    return Triggers(**known, extra=extra)
