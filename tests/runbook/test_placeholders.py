"""Placeholders: found where the shell would see them, mapped to the selection, filled safely."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from tui.runbook import placeholders
from tui.runbook.parser import read_runbook
from tui.runbook.placeholders import describe_name, fill, find, keys, missing

EVIL = [
    "x; rm -rf / #",
    "$(reboot)",
    "`reboot`",
    "a'b\"c\\d",
    "line1\nline2",
    "  spaced  ",
    "",
    "*",
    "-n kube-system",
    "ok-name.1",
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pod", ("pod", "pod", "")),
        ("pod-name", ("pod", "pod", "")),
        ("failing-pod", ("pod", "pod", "")),
        ("backend-pod", ("backend-pod", "pod", "backend")),
        ("node-name", ("node", "node", "")),
        ("namespace", ("namespace", "namespace", "")),
        ("NAMESPACE", ("namespace", "namespace", "")),
        ("NS", ("namespace", "namespace", "")),
        ("authoritative-ns", ("authoritative-ns", None, "")),
        ("deployment", ("deployment", "deployment", "")),
        ("container", ("container", "container", "")),
        ("ingress", ("ingress", "ingress", "")),
        ("context", ("context", "context", "")),
        ("kube-context", ("context", "context", "")),
        ("service-name", ("service", "service", "")),
        ("instance-ip", ("instance-ip", "host", "instance")),
        ("DB_HOST", ("db-host", "host", "db")),
        ("DB_NAME", ("db-name", None, "")),
        ("resource-type", ("resource-type", None, "")),
        ("PID", ("pid", None, "")),
    ],
)
def test_names_map_to_selection_fields(name: str, expected: tuple[str, str | None, str]) -> None:
    assert describe_name(name) == expected


def test_found_in_commands_but_not_shell_syntax() -> None:
    command = (
        "kubectl exec -it <backend-pod> -n $NAMESPACE -- sh -c "
        '"psql -h ${DB_HOST} -c \\"SELECT 1 WHERE pid = <PID>\\"" < in.sql 2> err'
        " | grep '<title>' | awk '{print $1}' > out; cat <<EOF; echo $HOME $PATH $? $1 $@"
        " $(date) ${X:-d} \\$ESCAPED $lower"
    )
    found = [(p.token, p.key, p.context) for p in find(command)]
    assert found == [
        ("<backend-pod>", "backend-pod", "plain"),
        ("$NAMESPACE", "namespace", "plain"),
        ("${DB_HOST}", "db-host", "double"),
        ("<PID>", "pid", "double"),
    ]


def test_variables_the_command_sets_itself_are_not_asked_for() -> None:
    loop = "for POD in $(kubectl get pods -o name); do kubectl logs $POD -n $NAMESPACE; done"
    assert keys(loop) == ["namespace"]
    assert keys("NS=prod; kubectl get pods -n $NS") == []
    assert keys("read -r NODE; kubectl describe node $NODE") == []


def test_comments_single_quotes_and_quoted_heredocs_keep_dollars() -> None:
    assert keys("kubectl get pods  # then use $NAMESPACE") == []
    assert keys("echo '$NAMESPACE' '<pod>'") == ["pod"]
    assert keys("awk '{print $NF}'; kubectl patch hpa x -p '{\"max\":${MAX_REPLICAS}}'") == [
        "max-replicas"
    ]
    assert keys("cat <<'EOF'\n$NAMESPACE <node>\nEOF") == ["node"]
    assert keys("cat <<EOF\n$NAMESPACE\nEOF") == ["namespace"]


def test_secrets_are_flagged() -> None:
    found = {p.key: p.secret for p in find("mysql -u $DB_USER -p$DB_PASSWORD -h $DB_HOST")}
    assert found == {"db-user": False, "db-password": True, "db-host": False}


def test_missing_lists_each_key_once_across_commands() -> None:
    commands = [
        "kubectl logs <pod> -n <namespace>",
        "kubectl describe pod <pod-name> -n $NAMESPACE",
    ]
    assert missing(commands, {}) == ["pod", "namespace"]
    assert missing(commands, {"namespace": "prod"}) == ["pod"]
    assert missing(commands[0], {"pod": "a", "namespace": "b"}) == []


def test_fill_quotes_and_leaves_missing_ones_alone() -> None:
    command = "kubectl logs <pod-name> -n $NAMESPACE --previous && kubectl get pods -n <namespace>"
    assert fill(command, {"pod": "app-7d9f", "namespace": "wilkenweb-prod"}) == (
        "kubectl logs app-7d9f -n wilkenweb-prod --previous && kubectl get pods -n wilkenweb-prod"
    )
    assert fill(command, {"namespace": "ns"}) == (
        "kubectl logs <pod-name> -n ns --previous && kubectl get pods -n ns"
    )


@pytest.mark.parametrize("value", EVIL)
def test_a_hostile_value_stays_one_argument(value: str) -> None:
    filled = fill("kubectl logs <pod> --previous", {"pod": value})
    assert shlex.split(filled) == ["kubectl", "logs", value, "--previous"]


@pytest.mark.parametrize("value", EVIL)
@pytest.mark.parametrize(
    "template",
    [
        "printf '%s\\0' <pod>",
        "printf '%s\\0' pre<pod>post",
        'printf "%s\\0" "<pod>"',
        "sh -c \"printf '%s\\\\0' <pod>\"",
        "sh -c 'printf \"%s\\\\0\" <pod>'",
        "printf '%s\\0' $POD",
        "sh -c \"printf '%s\\\\0' ${POD}\"",
        "eval printf \"'%s\\0'\" <pod>",
    ],
)
def test_real_bash_reads_back_exactly_the_value(template: str, value: str, tmp_path: Path) -> None:
    """Nothing in the value runs, whatever quotes (or nested shell) it sits in."""
    marker = tmp_path / "ran"
    hostile = value.replace("reboot", f"touch {marker}")
    filled = fill(template, {"pod": hostile})
    result = subprocess.run(["bash", "-c", filled], capture_output=True, timeout=10, check=True)
    printed = result.stdout.decode().split("\0")[0]
    expected = f"pre{hostile}post" if "pre<pod>post" in template else hostile
    assert printed == expected
    assert not marker.exists()


@pytest.mark.parametrize("value", EVIL)
@pytest.mark.parametrize(
    "template",
    ["watch -n 2 kubectl logs <pod>", "ssh -i key admin@bastion kubectl logs <pod>"],
)
def test_words_a_second_shell_joins_and_reads_keep_the_value_whole(
    template: str, value: str
) -> None:
    """watch and ssh join their words with spaces and hand the line to another shell."""
    outer = shlex.split(fill(template, {"pod": value}))
    remote = outer[outer.index("kubectl") :]
    assert shlex.split(" ".join(remote)) == ["kubectl", "logs", value]


def test_a_line_break_cannot_enter_a_heredoc() -> None:
    for template in ("cat <<EOF\n<pod>\nEOF", "cat <<'EOF'\n<pod>\nEOF"):
        with pytest.raises(ValueError, match="line break"):
            fill(template, {"pod": "a\nEOF\nreboot"})
    assert fill("cat <<EOF\n<pod> $NS\nEOF", {"pod": "$(x)", "namespace": "a`b"}) == (
        "cat <<EOF\n\\$(x) a\\`b\nEOF"
    )


def test_every_seed_placeholder_maps_somewhere_sensible(seeds: list[Path]) -> None:
    found: dict[str, str | None] = {}
    for path in seeds:
        for _, _, block in read_runbook(path).commands():
            for line in block.commands:
                found.update({p.key: p.field for p in placeholders.find(line.text)})
    assert found["pod"] == "pod"
    assert found["backend-pod"] == "pod"
    assert found["node"] == "node"
    assert found["instance-ip"] == "host"
    assert "db-password" in found
    assert not any(key.startswith(("home", "path", "1")) for key in found)
