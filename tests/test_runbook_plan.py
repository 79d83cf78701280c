"""From a runbook command and a selection to what runs, is shown and is recorded; and the
runbook records read back. Plain functions: no screen, no cluster."""

from __future__ import annotations

import hashlib
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.runbook.helpers import md
from tui.runbook.progress import RUNBOOK_RUN, RUNBOOK_STEP
from tui.runbook.runner import RunResult
from tui.runbook_plan import (
    MASK,
    RUN_WORD,
    Target,
    bounded_output,
    deployment_of,
    plan,
    selection_values,
    to_ask,
)
from tui.runbook_record import (
    DECLINED,
    RAN,
    REFUSED,
    last_runbook,
    not_run,
    run_entry,
    states,
    step_change,
    step_entry,
)
from tui.sources.kube.rows import DeploymentRow, PodRow

PROD = Target("prod-eu", "shop", "/home/alice/.kube/config")


def pod_row(name: str = "api-7f8d9c-ccccc", **changes: Any) -> PodRow:
    fields: dict[str, Any] = {
        "key": ("prod-eu", "uid-1"),
        "context": "prod-eu",
        "namespace": "shop",
        "name": name,
        "ready": 0,
        "containers": 1,
        "status": "CrashLoopBackOff",
        "restarts": 5,
        "last_restart": None,
        "created": None,
        "node": "node-2",
        "owner_kind": "ReplicaSet",
        "owner_name": "api-7f8d9c",
        "labels": (("app", "api"), ("pod-template-hash", "7f8d9c")),
        "container_names": ("api",),
    }
    fields.update(changes)
    return PodRow(**fields)


def test_a_selected_pod_gives_its_context_namespace_node_container_and_deployment() -> None:
    assert selection_values(pod_row()) == {
        "context": "prod-eu",
        "namespace": "shop",
        "pod": "api-7f8d9c-ccccc",
        "node": "node-2",
        "container": "api",
        "deployment": "api",
    }
    # Two containers: which one is the operator's to say. A bare pod: no deployment.
    two = pod_row(container_names=("api", "envoy"), owner_kind="", owner_name="")
    assert "container" not in selection_values(two) and "deployment" not in selection_values(two)
    assert deployment_of(pod_row(labels=())) is None  # no template hash: no guess
    row = DeploymentRow(("prod-eu", "u"), "prod-eu", "shop", "api", 3, 0, 3, 0, "4", (), "False",
                        "", None)  # fmt: skip
    assert selection_values(row) == {"context": "prod-eu", "namespace": "shop", "deployment": "api"}
    assert selection_values(None) == {}


def test_what_to_ask_once_with_earlier_answers_offered_but_never_secrets() -> None:
    template = "psql -h $DB_HOST -U <user> -d <user> # <pod>\nPGPASSWORD=$DB_PASSWORD x"
    asks = to_ask(template, {"pod": "p"}, {"db-host": "db-1", "db-password": "hunter22"})
    assert [(a.key, a.label, a.secret, a.default) for a in asks] == [
        ("db-host", "DB_HOST", False, "db-1"),
        ("user", "user", False, ""),
        ("db-password", "DB_PASSWORD", True, ""),
    ]


def test_the_plan_fills_quoted_targets_kubectl_and_asks_nothing_for_a_read() -> None:
    values = {"pod": "api-1", "namespace": "shop"}
    ready = plan("kubectl describe pod <pod>", values, PROD, production=True)
    assert ready.command == ready.shown == "kubectl --context=prod-eu -n shop describe pod api-1"
    assert ready.danger.level == "read" and ready.confirm_word is None


def test_a_value_stays_one_argument_whatever_it_holds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pwned = tmp_path / "pwned"
    value = f"x; touch {pwned} $(touch {pwned}) `touch {pwned}` ' \" \\"
    ready = plan("echo <message>", {"message": value}, Target(), production=False)
    assert ready.command == f"echo {shlex.quote(value)}"
    done = subprocess.run(["bash", "-c", ready.command], capture_output=True, text=True, check=True)
    assert done.stdout == value + "\n"
    assert not pwned.exists()


@pytest.mark.parametrize(
    ("template", "production", "word"),
    [
        ("kubectl delete pod <pod> -n <namespace>", False, "api-1"),  # the object's name
        ("kubectl rollout restart deployment/<deployment>", False, "api"),
        ("kubectl drain <node> --ignore-daemonsets", False, "node-2"),
        ("redis-cli FLUSHALL", False, RUN_WORD),  # no object named: "run"
        ("kubectl annotate pod <pod> note=x", False, None),  # a change: one key…
        ("kubectl annotate pod <pod> note=x", True, "api-1"),  # …except in production
        ("kubectl get pods", True, None),  # reading needs no word anywhere
    ],
)
def test_what_must_be_typed_before_running(template: str, production: bool, word: str) -> None:
    values = {"pod": "api-1", "deployment": "api", "node": "node-2"}
    assert plan(template, values, PROD, production=production).confirm_word == word


def test_secrets_are_masked_wherever_shown_and_in_output() -> None:
    values = {"db-password": "hunter22", "db-host": "db-1"}
    ready = plan("PGPASSWORD=${DB_PASSWORD} psql -h $DB_HOST", values, Target(), production=False)
    assert "hunter22" in ready.command
    assert ready.shown == f"PGPASSWORD={shlex.quote(MASK)} psql -h db-1"
    assert ready.mask("password hunter22 accepted") == f"password {MASK} accepted"


def test_output_kept_for_the_timeline_is_bounded_head_and_tail() -> None:
    assert bounded_output("short", 1024) == ("short", False)
    text = "a" * 3000 + "é" * 1000 + "z" * 3000
    kept, cut = bounded_output(text, 2048)
    assert cut and kept.startswith("a" * 1024) and kept.endswith("z" * 1024)
    assert "bytes not kept in the timeline" in kept
    assert len(kept.encode()) < 2200


# -- the record ------------------------------------------------------------------------------


@dataclass
class FakeEvent:
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


RUNBOOK = md(
    """
    # Pods crash
    1. Describe the pod.
       ```bash
       kubectl describe pod <pod>
       ```
    2. Delete it.
       ```bash
       kubectl delete pod <pod>
       ```
    """
)


def run_event(step_index: int, result: RunResult, outcome: str) -> FakeEvent:
    section, step = list(RUNBOOK.steps())[step_index]
    ready = plan(step.commands[0].commands[0].text, {"pod": "api-1"}, PROD, production=False)
    _, data = run_entry(RUNBOOK, section, step, ready, result, outcome, output_max_bytes=4096)
    return FakeEvent(RUNBOOK_RUN, data)


def test_runs_and_checks_fold_back_refusals_and_declines_are_not_runs() -> None:
    _, describe = next(iter(RUNBOOK.steps()))
    text, data = step_entry(RUNBOOK, describe, True)
    assert text == "Checked step 1: Describe the pod. (Pods crash)"
    ok = RunResult("x", 0, 0.25, "Name: api-1\n", hashlib.sha256(b"Name: api-1\n").hexdigest())
    ready = plan("kubectl delete pod <pod>", {"pod": "api-1"}, PROD, production=False)
    events = [
        FakeEvent(RUNBOOK_STEP, data),
        run_event(0, ok, RAN),
        run_event(1, not_run(ready, "warroom runs with --readonly"), REFUSED),
        run_event(1, not_run(ready, "declined at the confirmation"), DECLINED),
    ]
    folded = states(RUNBOOK, events)
    assert folded["pods-crash/1"].checked
    assert [r.exit_code for r in folded["pods-crash/1"].runs] == [0]
    assert "pods-crash/2" not in folded
    assert last_runbook(events, [RUNBOOK]) is RUNBOOK
    assert step_change(events[1], RUNBOOK)[2].exit_code == 0  # type: ignore[index]
    assert step_change(events[2], RUNBOOK) is None
    refused = events[2].data
    assert refused["result"] == "refused" and refused["exit_code"] is None
    assert refused["command"] == "kubectl --context=prod-eu -n shop delete pod api-1"
    assert refused["danger"] == "dangerous" and refused["danger_reasons"]
