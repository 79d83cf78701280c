"""What a runbook's author should know before an incident: counts, placeholders,
dangerous commands and why, and the warnings of parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tui.runbook import placeholders
from tui.runbook.danger import classify
from tui.runbook.model import Command, Problem, Runbook


@dataclass(frozen=True, slots=True)
class Flagged:
    """A dangerous command and where it is."""

    line: int
    command: str  # on one line
    reasons: list[str]
    interactive: bool
    streaming: bool


@dataclass(slots=True)
class LintReport:
    runbook: Runbook
    sections: int = 0
    steps: int = 0
    commands: int = 0
    placeholders: list[str] = field(default_factory=list)  # keys, in order of first use
    dangerous: list[Flagged] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        runbook = self.runbook
        return {
            "path": str(runbook.path) if runbook.path else None,
            "title": runbook.title,
            "severity": runbook.severity,
            "tags": list(runbook.tags),
            "triggers": {
                **{key: list(values) for key, values in runbook.triggers.by_key().items()},
                **{key: list(values) for key, values in runbook.triggers.extra.items()},
            },
            "sections": self.sections,
            "steps": self.steps,
            "commands": self.commands,
            "placeholders": self.placeholders,
            "dangerous": [
                {
                    "line": flagged.line,
                    "command": flagged.command,
                    "reasons": flagged.reasons,
                    "interactive": flagged.interactive,
                    "streaming": flagged.streaming,
                }
                for flagged in self.dangerous
            ],
            "warnings": [{"line": w.line, "message": w.message} for w in self.warnings],
        }


def lint(runbook: Runbook) -> LintReport:
    report = LintReport(runbook, warnings=list(runbook.warnings))
    report.sections = sum(1 for section in runbook.walk_sections() if section.level > 0)
    report.steps = sum(1 for _ in runbook.steps())
    keys: dict[str, None] = {}
    for section, step, block in runbook.commands():
        if not block.runnable:
            continue
        if step is None:
            report.warnings.append(_unattached(block, section.title))
        for line in block.commands:
            report.commands += 1
            keys.update(dict.fromkeys(placeholders.keys(line.text)))
            danger = classify(line.text)
            if danger.dangerous:
                flagged = Flagged(
                    line.line, line.one_line, danger.reasons, danger.interactive, danger.streaming
                )
                report.dangerous.append(flagged)
    report.placeholders = list(keys)
    report.warnings.sort(key=lambda problem: problem.line or 0)
    return report


def _unattached(block: Command, section: str) -> Problem:
    where = f"section '{section}'" if section else "the text before the first heading"
    return Problem(
        block.line,
        f"commands in {where} are not under a step: indent the code block under a list item"
        " so it can be checked off",
    )
