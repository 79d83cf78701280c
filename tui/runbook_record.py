"""What the incident file says about runbooks, and what a run adds to it. No Textual.

Checking a step appends a RUNBOOK_STEP event and running a command a RUNBOOK_RUN
event (`tui.runbook.progress` names their fields); this module adds what the
console records beyond those fields (whether the command ran, was refused or
declined, how risky it was, whether its output was cut) and reads the events
back into each step's state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.text import Text

from tui.runbook import progress
from tui.runbook.model import Runbook, Section, Step
from tui.runbook.progress import RunRecord, StepState
from tui.runbook.runner import RunResult
from tui.runbook_plan import RunPlan, bounded_output, empty_sha256
from tui.safetext import one_line

# RUNBOOK_RUN data fields beyond tui.runbook.progress's.
RESULT = "result"
RAN = "ran"  # it ran, whatever its exit code
FAILED = "failed"  # it could not be started (or handed the terminal)
REFUSED = "refused"  # --readonly or a read-only context
DECLINED = "cancelled"  # the operator said no at the confirmation


def progress_records(events: Iterable[Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The (kind, data) pairs `progress.fold` reads: steps, and commands that were tried.

    A refused or declined run is in the record, but it is not a run of the step.
    """
    records: list[tuple[str, Mapping[str, Any]]] = []
    for event in events:
        tried = event.kind == progress.RUNBOOK_RUN and event.data.get(RESULT, RAN) in (RAN, FAILED)
        if event.kind == progress.RUNBOOK_STEP or tried:
            records.append((event.kind, event.data))
    return records


def same_runbook(recorded: object, runbook: Runbook) -> bool:
    """Whether a record names `runbook`: by path, or by file name when the runbooks moved
    (a reinstall, another checkout) since it was written."""
    if not isinstance(recorded, str):
        return False
    if recorded == progress.runbook_key(runbook):
        return True
    return runbook.path is not None and Path(recorded).name == runbook.name


def states(runbook: Runbook, events: Iterable[Any]) -> dict[str, StepState]:
    """Every step's state in `runbook` from the incident's events, in commit order."""
    key = progress.runbook_key(runbook)
    mine = [e for e in events if same_runbook(e.data.get(progress.RUNBOOK), runbook)]
    # Records from a runbook that has since moved are read as this one's.
    records = [(kind, {**data, progress.RUNBOOK: key}) for kind, data in progress_records(mine)]
    return progress.states_for(runbook, progress.fold(records))


def last_runbook(events: Iterable[Any], library: Iterable[Runbook]) -> Runbook | None:
    """The runbook the incident last checked a step of or ran a command from."""
    kinds = (progress.RUNBOOK_STEP, progress.RUNBOOK_RUN)
    last = next((e for e in reversed(list(events)) if e.kind in kinds), None)
    if last is None:
        return None
    recorded = last.data.get(progress.RUNBOOK)
    return next((r for r in library if same_runbook(recorded, r)), None)


def step_change(event: Any, runbook: Runbook) -> tuple[str, bool | None, RunRecord | None] | None:
    """What one new event changes in `runbook`'s checklist: (step id, checked or None,
    a run or None); None when it is about something else."""
    if not same_runbook(event.data.get(progress.RUNBOOK), runbook):
        return None
    records = progress_records([event])
    step_id = event.data.get(progress.STEP_ID)
    if not records or not isinstance(step_id, str) or runbook.step(step_id) is None:
        return None
    folded = progress.fold([(kind, {**data, progress.RUNBOOK: "-"}) for kind, data in records])
    state = folded[("-", step_id)]
    if event.kind == progress.RUNBOOK_STEP:
        return step_id, state.checked, None
    return step_id, None, state.last_run


# -- what a step or a run adds to the record ---------------------------------------------------


def step_entry(runbook: Runbook, step: Step, checked: bool) -> tuple[str, dict[str, Any]]:
    """The RUNBOOK_STEP event: its text (the step's text) and data."""
    verb = "Checked" if checked else "Unchecked"
    text = f"{verb} step {step.path}: {one_line(step.text, max_chars=160)} ({runbook.title})"
    return text, progress.step_data(runbook, step, checked)


def run_entry(
    runbook: Runbook,
    section: Section,
    step: Step | None,
    plan: RunPlan,
    result: RunResult,
    outcome: str,
    *,
    output_max_bytes: int,
) -> tuple[str, dict[str, Any]]:
    """The RUNBOOK_RUN event: the command as shown (secrets masked), where, how it ended,
    and its output bounded to `output_max_bytes` (the hash covers all of it)."""
    output, cut = bounded_output(plan.mask(result.output), output_max_bytes)
    kept = replace(result, command=plan.shown, output=output)
    target = plan.target
    data = progress.run_data(
        runbook, step, kept, context=target.context, namespace=target.namespace
    )
    data.update(
        {
            RESULT: outcome,
            "template": plan.template,
            "section": section.title,
            "kubeconfig": target.kubeconfig,
            "danger": plan.danger.level,
            "danger_reasons": list(plan.danger.reasons),
            "interactive": plan.interactive,
            "output_bytes": result.output_bytes,
            "output_cut": cut,
        }
    )
    return run_text(plan, kept, outcome), data


def not_run(plan: RunPlan, reason: str) -> RunResult:
    """The result of a command that did not run, for the record."""
    return RunResult(plan.command, None, 0.0, "", empty_sha256(), error=reason)


def run_text(plan: RunPlan, result: RunResult, outcome: str) -> str:
    """The timeline's line for a run: the command as run, where, and how it ended."""
    command = one_line(plan.shown, max_chars=200)
    where = plan.target.context or "kubectl's current context"
    if outcome == REFUSED:
        return f"Refused to run `{command}` on {where}: {result.error}"
    if outcome == DECLINED:
        return f"Did not run `{command}` on {where}: declined at the confirmation"
    if result.error:
        return f"Could not run `{command}` on {where}: {result.error}"
    return f"Ran `{command}` on {where}: {outcome_text(result).plain}"


def outcome_text(result: RunResult) -> Text:
    """How a run ended, in a few words."""
    took = f"{result.duration_s:.1f} s"
    if result.error:
        return Text(f"could not run: {one_line(result.error, max_chars=200)}", "bold red")
    if result.timed_out:
        return Text(f"stopped: still running after {took}", "bold yellow")
    if result.cancelled:
        return Text(f"stopped by you after {took}", "yellow")
    if result.exit_code == 0:
        return Text(f"exit 0 · {took}", "bold green")
    return Text(f"exit {result.exit_code} · {took}", "bold red")
