"""Reading shell text: where commands end, which words they have, what runs nested."""

from __future__ import annotations

import pytest

from tui.runbook.invocation import unwrap
from tui.runbook.shell import is_complete, parse


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("kubectl get pods", True),
        ("kubectl get pods \\", False),
        ("kubectl get pods |", False),
        ("kubectl get pods |\n  grep app", True),
        ("a &&", False),
        ('echo "open', False),
        ("echo 'it''s'", True),
        ("echo $(date", False),
        ("echo `date", False),
        ("for s in a b; do", False),
        ("for s in a b; do\n  echo $s\ndone", True),
        ("if true; then\n  echo\nfi", True),
        ("while true; do curl x; done &", True),
        ("case $x in\n  a) echo a;;\nesac", True),
        ("case $x in\n  a) echo a;;", False),
        ("cat <<EOF\nbody", False),
        ("cat <<EOF\nbody\nEOF", True),
        ("cat <<-'EOF' > f\n\tbody $(not run)\n\tEOF", True),
        ("cat <<< 'here string'", True),
        ("{ echo a; echo b; }", True),
        ("( cd /tmp && ls", False),
        ("kubectl get pods # trailing comment with 'quote", True),
        ("echo ${HOME:-x} $((1 + 2))", True),
    ],
)
def test_completeness(text: str, complete: bool) -> None:
    assert is_complete(text) is complete


def test_simple_commands_pipes_redirections_and_nesting() -> None:
    parsed = parse("FOO=1 sudo kubectl logs $(kubectl get pods -o name | head -1) 2>&1 > out &")
    texts = [[w.text for w in c.words] for c in parsed.commands]
    assert texts[0][:3] == ["FOO=1", "sudo", "kubectl"]
    assert texts[1:] == [["kubectl", "get", "pods", "-o", "name"], ["head", "-1"]]
    first = parsed.commands[0]
    assert [(op, w.text if w else None) for op, w in first.redirects] == [
        ("2>&", "1"),
        (">", "out"),
    ]
    assert first.background and not first.nested
    assert parsed.commands[1].nested and parsed.commands[1].pipe_out
    assert parsed.commands[2].pipe_in


def test_placeholders_are_words_not_redirections() -> None:
    command = parse("kubectl logs <pod-name> -n <namespace> > /tmp/x").commands[0]
    assert [w.text for w in command.words] == ["kubectl", "logs", "<pod-name>", "-n", "<namespace>"]
    assert [op for op, _ in command.redirects] == [">"]
    ssh = parse("ssh ubuntu@<instance-ip>").commands[0]
    assert [w.text for w in ssh.words] == ["ssh", "ubuntu@<instance-ip>"]


def test_word_spans_and_quote_kinds() -> None:
    text = "watch 'kubectl get hpa' \"a\"b plain"
    words = parse(text).commands[0].words
    assert [(w.text, w.quote, text[w.start : w.end]) for w in words] == [
        ("watch", "", "watch"),
        ("kubectl get hpa", "'", "'kubectl get hpa'"),
        ("ab", "mixed", '"a"b'),
        ("plain", "", "plain"),
    ]


@pytest.mark.parametrize(
    ("text", "program", "wrappers", "script"),
    [
        ("sudo -u root -E kubectl get pods", "kubectl", ["sudo"], None),
        (
            "A=1 B=2 env -i C=3 timeout 30 nice -n 5 docker ps",
            "docker",
            ["env", "timeout", "nice"],
            None,
        ),
        ("xargs -I{} kubectl delete pod {}", "kubectl", ["xargs"], None),
        ("watch -n 5 'kubectl get hpa'", "watch", [], "kubectl get hpa"),
        ("watch kubectl get hpa", "kubectl", ["watch"], None),
        ('bash -lc "kubectl get pods"', "bash", [], "kubectl get pods"),
        ("/usr/local/bin/kubectl version", "kubectl", [], None),
        ("./db-backup.sh restore x", "./db-backup.sh", [], None),
        ("sudo -i", "sudo", [], None),
    ],
)
def test_unwrap(text: str, program: str, wrappers: list[str], script: str | None) -> None:
    invocation = unwrap(parse(text).commands[0].words)
    assert invocation is not None
    assert invocation.program == program
    assert invocation.wrappers == wrappers
    assert (invocation.script.text if invocation.script else None) == script
