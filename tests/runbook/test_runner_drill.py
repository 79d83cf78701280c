"""Seed commands filled, targeted and run with the real kubectl against the drill cluster."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from pathlib import Path

from tests.runbook.conftest import seed_files
from tests.sim.conftest import Drill, kubectl_path
from tui.runbook.parser import read_runbook
from tui.runbook.placeholders import fill, missing
from tui.runbook.runner import RunResult, command_env, run_command, target_command
from tui.sim.kubeconfig import CONTEXT, READONLY_CONTEXT

WEB = "wilkenweb-prod"


def seed_command(fragment: str, fallback: str) -> str:
    """The seeds' own wording of a command when they are here, else the same command."""
    for path in seed_files():
        for _, _, block in read_runbook(path).commands():
            for line in block.commands:
                if fragment in line.text:
                    return line.text
    return fallback


def run_on(
    drill: Drill,
    command: str,
    values: dict[str, str],
    *,
    context: str = CONTEXT,
    on_output: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> RunResult:
    assert missing(command, values) == []
    ready = target_command(fill(command, values), context, WEB)
    env = command_env(str(drill.kubeconfig))
    env["PATH"] = f"{Path(kubectl_path()).parent}:{env.get('PATH', '')}"
    return run_command(ready, env=env, timeout=60, on_output=on_output, cancel=cancel)


def crash_looping_pod(drill: Drill) -> str:
    out = drill.kubectl("get", "pods", "-n", WEB, "-l", "app=app", "-o", "json").stdout
    pods = json.loads(out)["items"]
    restarted = [p for p in pods if p["status"]["containerStatuses"][0]["restartCount"] >= 1]
    return restarted[0]["metadata"]["name"]


def test_get_pods_with_a_namespace_placeholder(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("site-down", speed=40)
    lines: list[str] = []
    result = run_on(drill, "kubectl get pods -n <namespace>", {"namespace": WEB},
                    on_output=lines.append)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert lines[0].split()[:3] == ["NAME", "READY", "STATUS"]
    names = {line.split()[0] for line in lines[1:]}
    assert "mongo-1" in names
    assert sum(name.startswith("app-") for name in names) == 3


def test_the_seeds_crashloop_commands_on_the_crash_looping_pod(
    start_drill: Callable[..., Drill],
) -> None:
    drill = start_drill("site-down", speed=40)
    pod = crash_looping_pod(drill)
    describe = seed_command("kubectl describe pod <pod-name>", "kubectl describe pod <pod-name>")
    previous = seed_command("--previous", "kubectl logs <pod-name> --previous")
    assert "-n" not in describe.split()  # the namespace comes from the targeting

    described = run_on(drill, describe, {"pod": pod})
    assert described.exit_code == 0, described.output
    assert re.search(rf"^Name:\s+{pod}$", described.output, re.MULTILINE)
    assert re.search(rf"^Namespace:\s+{WEB}$", described.output, re.MULTILINE)
    assert re.search(r"Last State:\s+Terminated\s+Reason:\s+Error", described.output)
    assert "Back-off restarting failed container app" in described.output

    logs = run_on(drill, previous, {"pod": pod})
    assert logs.exit_code == 0, logs.output
    assert "ECONNREFUSED" in logs.output
    assert logs.output.rstrip().endswith("Node.js v20.18.0")


def test_the_chosen_context_is_the_one_used(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("site-down", speed=40)
    pod = crash_looping_pod(drill)
    refused = run_on(drill, "kubectl delete pod <pod>", {"pod": pod}, context=READONLY_CONTEXT)
    assert refused.exit_code != 0
    assert "forbidden" in refused.output.lower()
    still_there = drill.kubectl("get", "pod", pod, "-n", WEB, check=False)
    assert still_there.returncode == 0


def test_cancelling_a_watch(start_drill: Callable[..., Drill]) -> None:
    drill = start_drill("site-down", speed=40)
    cancel = threading.Event()
    lines: list[str] = []

    def on_output(line: str) -> None:
        lines.append(line)
        if len(lines) >= 2:
            cancel.set()

    result = run_on(drill, "kubectl get pods -w", {}, on_output=on_output, cancel=cancel)
    assert result.cancelled and not result.timed_out
    assert lines[0].startswith("NAME")
