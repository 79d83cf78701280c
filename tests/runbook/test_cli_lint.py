"""`warroom runbook lint` as a user runs it: the real command in a child process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import assert_one_line_error, warroom


def test_lint_the_seeds(seeds: list[Path], env: dict[str, str]) -> None:
    result = warroom("runbook", "lint", *map(str, seeds), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    for path in seeds:
        assert f"{path}\n  title: " in out
    assert out.count("  sections: ") == len(seeds)
    assert "title: DhakaCart Operations Runbook" in out
    assert "placeholders: pod, node, backend-pod" in out
    assert "kubectl rollout undo deployment/dhakacart-backend" in out
    assert (
        "      - kubectl rollout undo deployment/dhakacart-backend: rolls the workload back" in out
    )
    assert "docker exec -it codex-redis redis-cli FLUSHALL  [interactive]" in out
    assert "      - redis-cli FLUSHALL: deletes data or stops the server" in out
    assert "commands in section 'Get pods' are not under a step" in out


def test_lint_json(seeds: list[Path], env: dict[str, str]) -> None:
    result = warroom("runbook", "lint", "--json", *map(str, seeds), env=env)
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["path"] for r in reports] == [str(p) for p in seeds]
    dhaka = next(r for r in reports if r["title"] == "DhakaCart Operations Runbook")
    assert dhaka["steps"] > 40 and dhaka["commands"] > 80
    assert "backend-pod" in dhaka["placeholders"]
    drain = next(d for d in dhaka["dangerous"] if d["command"].startswith("kubectl drain"))
    assert drain["reasons"] == ["kubectl drain <node-name>: evicts every pod from the node"]
    assert all({"line", "message"} == set(w) for w in dhaka["warnings"])


def test_front_matter_problems_are_warnings_not_failures(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "crash.md"
    path.write_text(
        "---\nseverity: P9\ntriggers:\n  pod_phase: [Failed]\n---\n"
        "# Crash \x1b[31mloop\n\n```bash\nkubectl delete pod <pod>\n```\n"
    )
    result = warroom("runbook", "lint", str(path), env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "title: Crash ␛[31mloop" in out
    assert "front matter severity 'P9' is not one of P0, P1, P2, P3" in out
    assert "unknown trigger key 'pod_phase'" in out
    assert "line 9: commands in section 'Crash ␛[31mloop' are not under a step" in out
    assert (
        "    line 9: kubectl delete pod <pod>\n      - kubectl delete pod <pod>: deletes objects"
        in out
    )
    data = json.loads(warroom("runbook", "lint", "--json", str(path), env=env).stdout)
    assert data["triggers"]["pod_phase"] == ["Failed"]
    assert len(data["warnings"]) == 3


def test_unreadable_files_exit_2_after_the_rest_is_linted(
    tmp_path: Path, env: dict[str, str]
) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Good\n\n1. Check\n   ```\n   kubectl get pods\n   ```\n")
    binary = tmp_path / "logo.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    missing = tmp_path / "missing.md"
    result = warroom("runbook", "lint", str(binary), str(missing), str(good), env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"warroom: {binary}: contains NUL bytes: a binary file, not a runbook",
        f"warroom: {missing}: no such runbook",
    ]
    assert result.stdout.startswith(f"{good}\n  title: Good\n")
    assert "steps: 1  commands: 1" in result.stdout


def test_directories_are_searched_for_markdown(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "b.md").write_text("# B\n- x\n")
    (tmp_path / "a.markdown").write_text("# A\n- x\n")
    (tmp_path / "notes.txt").write_text("# not me\n")
    result = warroom("runbook", "lint", str(tmp_path), env=env)
    assert result.returncode == 0, result.stderr
    titles = [line for line in result.stdout.splitlines() if line.startswith("  title: ")]
    assert titles == ["  title: A", "  title: B"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(warroom("runbook", "lint", str(empty), env=env), "no runbooks")


def test_usage_errors_are_one_line(env: dict[str, str]) -> None:
    assert_one_line_error(warroom("runbook", env=env), "required")
    assert_one_line_error(warroom("runbook", "lint", env=env), "required: PATH")
    assert_one_line_error(warroom("runbook", "frobnicate", env=env), "invalid choice")
    helped = warroom("runbook", "lint", "--help", env=env)
    assert helped.returncode == 0 and "usage: warroom runbook lint" in helped.stdout
    assert "runbook" in warroom("--help", env=env).stdout
