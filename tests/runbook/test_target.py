"""Aiming kubectl commands at the chosen context and namespace, and nothing else."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tui.runbook.target import target_command

CTX, NS = "warroom-drill", "wilkenweb-prod"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("kubectl get pods", f"kubectl --context={CTX} -n {NS} get pods"),
        ("kubectl get pods -n other", f"kubectl --context={CTX} get pods -n other"),
        ("kubectl get pods -nother", f"kubectl --context={CTX} get pods -nother"),
        ("kubectl get pods --namespace=x", f"kubectl --context={CTX} get pods --namespace=x"),
        ("kubectl get pods -A", f"kubectl --context={CTX} get pods -A"),
        (
            "kubectl --context=b get pods --all-namespaces",
            "kubectl --context=b get pods --all-namespaces",
        ),
        ("kubectl --context b -n c get pods", "kubectl --context b -n c get pods"),
        (
            "kubectl get pods | grep app && kubectl top pods",
            f"kubectl --context={CTX} -n {NS} get pods | grep app"
            f" && kubectl --context={CTX} -n {NS} top pods",
        ),
        (
            "kubectl logs $(kubectl get pods -o name | head -1)",
            f"kubectl --context={CTX} -n {NS} logs"
            f" $(kubectl --context={CTX} -n {NS} get pods -o name | head -1)",
        ),
        ("watch 'kubectl get hpa'", f"watch 'kubectl --context={CTX} -n {NS} get hpa'"),
        ('bash -c "kubectl get svc"', f'bash -c "kubectl --context={CTX} -n {NS} get svc"'),
        ("sudo -E kubectl get nodes", f"sudo -E kubectl --context={CTX} -n {NS} get nodes"),
        (
            "kubectl exec -it app -- kubectl get pods -n x",
            f"kubectl --context={CTX} -n {NS} exec -it app -- kubectl get pods -n x",
        ),
        ("kubectl config get-contexts", "kubectl config get-contexts"),
        ("kubectl version", f"kubectl --context={CTX} version"),
        ("ssh bastion 'kubectl get pods'", "ssh bastion 'kubectl get pods'"),
        ("which kubectl && echo kubectl", "which kubectl && echo kubectl"),
        ("docker ps  # kubectl get pods", "docker ps  # kubectl get pods"),
    ],
)
def test_targeting(command: str, expected: str) -> None:
    assert target_command(command, CTX, NS) == expected


def test_only_what_is_known_is_added() -> None:
    assert target_command("kubectl get pods", None, None) == "kubectl get pods"
    assert target_command("kubectl get pods", "c", None) == "kubectl --context=c get pods"
    assert target_command("kubectl get pods", None, "n") == "kubectl -n n get pods"


@pytest.mark.parametrize("context", ["my ctx", "a'b", "$(reboot)", "x;y"])
def test_odd_context_names_stay_one_argument(context: str) -> None:
    plain = shlex.split(target_command("kubectl get pods", context, NS))
    assert plain[:2] == ["kubectl", f"--context={context}"]
    nested = target_command("watch 'kubectl get pods'", context, NS)
    inner = shlex.split(shlex.split(nested)[1])
    assert inner[:2] == ["kubectl", f"--context={context}"]


@pytest.mark.parametrize("context", ["my ctx", "a'b", "$(touch ran)", "x;y", "`id`"])
@pytest.mark.parametrize(
    "command", ["kubectl get pods", 'bash -c "kubectl get pods"', "sh -c 'kubectl get pods'"]
)
def test_real_bash_passes_the_context_through_unchanged(
    command: str, context: str, tmp_path: Path
) -> None:
    # A stand-in kubectl that prints its arguments, visible to nested shells too.
    fake = tmp_path / "bin" / "kubectl"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nprintf "%s\\0" "$@"\n')
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:/usr/bin:/bin"}
    targeted = target_command(command, context, "ns 1")
    result = subprocess.run(
        ["bash", "-c", targeted], capture_output=True, env=env, cwd=tmp_path, timeout=10
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().split("\0")[:4] == [f"--context={context}", "-n", "ns 1", "get"]
    assert not (tmp_path / "ran").exists()
