"""Checklist progress rebuilt from timeline records, so a restart loses no checked step.

The UI appends a record each time a step is checked or unchecked and each time a
command runs; after a restart (or in another operator's console) folding those
records gives back every step's state. Records are plain `(kind, data)` pairs,
so this works on the incident file's events without knowing the store.

A step is found by runbook path and step id; if the runbook was edited and the
id moved, the step's text finds it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.runbook.model import Runbook, Step
from tui.runbook.runner import RunResult

RUNBOOK_STEP = "runbook_step"  # a step checked or unchecked
RUNBOOK_RUN = "runbook_run"  # a command of a runbook run

# Fields of both kinds.
RUNBOOK = "runbook"  # the runbook's path (or name, for one without a file)
RUNBOOK_TITLE = "runbook_title"
STEP_ID = "step_id"  # "check-pods/3.2"; absent for a command outside any step
STEP_TEXT = "step_text"
# RUNBOOK_STEP only.
CHECKED = "checked"
# RUNBOOK_RUN only.
COMMAND = "command"  # as run: placeholders filled, context and namespace added
CONTEXT = "context"
NAMESPACE = "namespace"
EXIT_CODE = "exit_code"
DURATION_S = "duration_s"
OUTPUT = "output"
OUTPUT_SHA256 = "output_sha256"
TIMED_OUT = "timed_out"
CANCELLED = "cancelled"
ERROR = "error"


@dataclass(frozen=True, slots=True)
class RunRecord:
    command: str
    context: str | None
    exit_code: int | None
    duration_s: float
    output_sha256: str
    timed_out: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not (self.timed_out or self.cancelled)


@dataclass(slots=True)
class StepState:
    checked: bool = False
    text: str = ""
    runs: list[RunRecord] = field(default_factory=list)

    @property
    def last_run(self) -> RunRecord | None:
        return self.runs[-1] if self.runs else None


Key = tuple[str, str]  # (runbook, step id)


def runbook_key(runbook: Runbook) -> str:
    return str(runbook.path) if runbook.path else runbook.title


def step_data(runbook: Runbook, step: Step, checked: bool) -> dict[str, Any]:
    """The data of a RUNBOOK_STEP record."""
    return {
        RUNBOOK: runbook_key(runbook),
        RUNBOOK_TITLE: runbook.title,
        STEP_ID: step.id,
        STEP_TEXT: step.text,
        CHECKED: checked,
    }


def run_data(
    runbook: Runbook,
    step: Step | None,
    result: RunResult,
    *,
    context: str | None = None,
    namespace: str | None = None,
) -> dict[str, Any]:
    """The data of a RUNBOOK_RUN record."""
    data: dict[str, Any] = {
        RUNBOOK: runbook_key(runbook),
        RUNBOOK_TITLE: runbook.title,
        COMMAND: result.command,
        CONTEXT: context,
        NAMESPACE: namespace,
        EXIT_CODE: result.exit_code,
        DURATION_S: round(result.duration_s, 3),
        OUTPUT: result.output,
        OUTPUT_SHA256: result.output_sha256,
        TIMED_OUT: result.timed_out,
        CANCELLED: result.cancelled,
        ERROR: result.error,
    }
    if step is not None:
        data[STEP_ID] = step.id
        data[STEP_TEXT] = step.text
    return data


def fold(records: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[Key, StepState]:
    """Every step's state from records in timeline order; the latest check wins."""
    states: dict[Key, StepState] = {}
    for kind, data in records:
        if kind not in (RUNBOOK_STEP, RUNBOOK_RUN):
            continue
        runbook, step_id = data.get(RUNBOOK), data.get(STEP_ID)
        if not isinstance(runbook, str) or not isinstance(step_id, str):
            continue  # a command run outside any step, or a damaged record
        state = states.setdefault((runbook, step_id), StepState())
        state.text = str(data.get(STEP_TEXT) or state.text)
        if kind == RUNBOOK_STEP:
            state.checked = bool(data.get(CHECKED))
        else:
            state.runs.append(_run(data))
    return states


def states_for(runbook: Runbook, folded: Mapping[Key, StepState]) -> dict[str, StepState]:
    """The folded states of one runbook, keyed by its current step ids.

    A state whose id no longer names the step with that text (the runbook was
    edited) is matched by the step's text instead, when that text is unique; if no
    step has that text any more, the step at that id was reworded and keeps it.
    """
    key = runbook_key(runbook)
    steps = [step for _, step in runbook.steps()]
    by_id = {step.id: step for step in steps}
    texts: dict[str, list[Step]] = {}
    for step in steps:
        texts.setdefault(step.text, []).append(step)
    result: dict[str, StepState] = {}
    for (path, step_id), state in folded.items():
        if path != key:
            continue
        step = by_id.get(step_id)
        if state.text and (step is None or step.text != state.text):
            same = texts.get(state.text, [])
            if len(same) == 1:
                step = same[0]  # the step moved: its text is still unique
            elif same:
                step = None  # several steps read the same: do not guess
            # else: no step has that text any more; the id's step was reworded
        if step is not None and step.id not in result:
            result[step.id] = state
    return result


def _run(data: Mapping[str, Any]) -> RunRecord:
    exit_code = data.get(EXIT_CODE)
    duration = data.get(DURATION_S)
    context = data.get(CONTEXT)
    return RunRecord(
        command=str(data.get(COMMAND) or ""),
        context=context if isinstance(context, str) else None,
        exit_code=exit_code if isinstance(exit_code, int) else None,
        duration_s=float(duration) if isinstance(duration, (int, float)) else 0.0,
        output_sha256=str(data.get(OUTPUT_SHA256) or ""),
        timed_out=bool(data.get(TIMED_OUT)),
        cancelled=bool(data.get(CANCELLED)),
    )
