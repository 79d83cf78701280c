"""Checked steps and runs folded back from timeline records, as after a restart."""

from __future__ import annotations

import json
from pathlib import Path

from tui.runbook import progress
from tui.runbook.model import Runbook
from tui.runbook.parser import parse_runbook
from tui.runbook.progress import (
    RUNBOOK_RUN,
    RUNBOOK_STEP,
    fold,
    run_data,
    states_for,
    step_data,
)
from tui.runbook.runner import RunResult

SOURCE = """
# Crash loop

1. Find the pod
   ```bash
   kubectl get pods -n <namespace>
   ```
2. Read its logs
   - previous container
3. Restart
"""


def runbook_at(path: str, text: str = SOURCE) -> Runbook:
    return parse_runbook(text.lstrip("\n"), Path(path))


def result(command: str, code: int) -> RunResult:
    return RunResult(command, code, 1.25, "out\n", "ab" * 32)


def test_kind_names_and_fields_are_stable() -> None:
    assert (RUNBOOK_STEP, RUNBOOK_RUN) == ("runbook_step", "runbook_run")
    assert progress.STEP_ID == "step_id" and progress.CHECKED == "checked"


def test_fold_rebuilds_checks_and_runs_from_json_records() -> None:
    runbook = runbook_at("/rb/crash.md")
    find, logs, sub = (runbook.step(i) for i in ("crash-loop/1", "crash-loop/2", "crash-loop/2.1"))
    assert find and logs and sub
    records = [
        (RUNBOOK_STEP, step_data(runbook, find, True)),
        ("note", {"text": "unrelated"}),
        (RUNBOOK_RUN, run_data(runbook, find, result("kubectl get pods", 0), context="prod")),
        (RUNBOOK_STEP, step_data(runbook, logs, True)),
        (RUNBOOK_STEP, step_data(runbook, logs, False)),
        (RUNBOOK_STEP, step_data(runbook, sub, True)),
        (RUNBOOK_RUN, run_data(runbook, None, result("kubectl top pods", 1))),
    ]
    # The records go through JSON as they would through the incident file.
    stored = [(kind, json.loads(json.dumps(data))) for kind, data in records]
    states = states_for(runbook, fold(stored))
    assert {step_id: state.checked for step_id, state in states.items()} == {
        "crash-loop/1": True,
        "crash-loop/2": False,
        "crash-loop/2.1": True,
    }
    run = states["crash-loop/1"].last_run
    assert run is not None and run.ok and run.context == "prod" and run.duration_s == 1.25
    assert states["crash-loop/2"].runs == []


def test_states_follow_a_step_that_moved_and_stay_with_a_reworded_one() -> None:
    before = runbook_at("/rb/crash.md")
    find = before.step("crash-loop/1")
    restart = before.step("crash-loop/3")
    assert find and restart
    folded = fold(
        [
            (RUNBOOK_STEP, step_data(before, find, True)),
            (RUNBOOK_STEP, step_data(before, restart, True)),
        ]
    )
    edited = SOURCE.replace("1. Find the pod", "1. Page the on-call\n2. Find the pod")
    edited = edited.replace("2. Read its logs", "3. Read its logs").replace(
        "3. Restart", "4. Restart"
    )
    after = runbook_at("/rb/crash.md", edited)
    assert set(states_for(after, folded)) == {"crash-loop/2", "crash-loop/4"}
    reworded = runbook_at("/rb/crash.md", SOURCE.replace("Find the pod", "Find the crashing pod"))
    assert set(states_for(reworded, folded)) == {"crash-loop/1", "crash-loop/3"}


def test_other_runbooks_and_damaged_records_are_ignored() -> None:
    runbook = runbook_at("/rb/crash.md")
    step = runbook.step("crash-loop/1")
    assert step
    other = runbook_at("/rb/other.md")
    folded = fold(
        [
            (RUNBOOK_STEP, step_data(other, step, True)),
            (RUNBOOK_STEP, {"runbook": 3, "step_id": None}),
            (RUNBOOK_RUN, {"runbook": "/rb/crash.md", "step_id": "crash-loop/1", "exit_code": "x"}),
        ]
    )
    states = states_for(runbook, folded)
    assert list(states) == ["crash-loop/1"]
    assert states["crash-loop/1"].checked is False
    assert states["crash-loop/1"].runs[0].exit_code is None
