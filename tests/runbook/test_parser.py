"""Markdown -> Runbook: the seeds as written in the wild, and every tricky construct."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runbook.helpers import all_text, commands_of, md, words
from tui.readfile import UnreadableFile
from tui.runbook.model import Command, Step, Text
from tui.runbook.parser import parse_runbook, read_runbook
from tui.runbook.source import decode


def test_every_seed_parses_and_loses_no_word(seeds: list[Path]) -> None:
    for path in seeds:
        runbook = read_runbook(path)
        source = decode(path.read_bytes())
        lost = words(source) - words(all_text(runbook))
        assert not lost, f"{path.name} lost {sorted(lost)[:20]}"
        assert runbook.warnings == []
        assert sum(1 for _ in runbook.steps()) > 10
        assert len(commands_of(runbook)) >= 5


def test_seed_000_structure(seeds: list[Path]) -> None:
    path = next(p for p in seeds if p.name.startswith("000"))
    runbook = read_runbook(path)
    first_line = decode(path.read_bytes()).split("\n", 1)[0]
    assert runbook.title == first_line.removeprefix("# ").strip()  # mojibake and all
    assert runbook.title.endswith("Production Incident Runbook")
    scenario = next(s for s in runbook.walk_sections() if "Scenario A" in s.title)
    assert scenario.level == 2
    steps_section = scenario.children[1]
    assert steps_section.title == "Steps" and steps_section.level == 3
    steps = [b for b in steps_section.blocks if isinstance(b, Step)]
    assert [s.text for s in steps] == [
        "Check pods:",
        "If pods are CrashLoopBackOff:",
        "Restart deployment:",
    ]
    assert steps[1].id == f"{steps_section.slug}/2"
    assert [line.text for c in steps[1].commands for line in c.lines] == [
        "kubectl logs <pod> -n wilkenweb-prod"
    ]
    # The post-incident template is a fenced block of markdown: kept, not run.
    template = next(c for _, _, c in runbook.commands() if "## Root Cause" in c.code)
    assert not template.runnable and template.lines == []


def test_seed_004_nested_comment_heavy_blocks(seeds: list[Path]) -> None:
    runbook = read_runbook(next(p for p in seeds if p.name.startswith("004")))
    crash = next(s for s in runbook.walk_sections() if "CrashLoopBackOff" in s.title)
    step = next(b for b in crash.blocks if isinstance(b, Step) and b.text == "Get detailed error")
    lines = [line for c in step.commands for line in c.lines]
    assert [(line.kind, line.text, line.comment) for line in lines] == [
        ("command", "kubectl logs <pod-name> --tail=50", ""),
        ("command", "kubectl logs <pod-name> --previous", "Previous crash logs"),
        ("command", "kubectl describe pod <pod-name>", "Events section shows errors"),
    ]
    causes = next(b for b in crash.blocks if isinstance(b, Step) and b.path == "3")
    texts = [b.text for b in causes.blocks if isinstance(b, Text)]
    assert texts[0] == "Issue: OOMKilled (Out of Memory)"
    oom = causes.commands[0].lines
    assert [line.kind for line in oom] == ["comment", "command", "comment", "comment", "command"]
    assert oom[1].explanation == "Solution 1: Increase memory limit"


def test_setext_and_atx_headings_nest_by_level() -> None:
    runbook = md("""
        Outage
        ======

        Diagnose
        --------

        ### Pods

        - look

        ## Fix

        # Appendix
        """)
    top = runbook.sections
    assert [(s.title, s.level) for s in top] == [("Outage", 1), ("Appendix", 1)]
    assert [(s.title, s.level) for s in top[0].children] == [("Diagnose", 2), ("Fix", 2)]
    assert top[0].children[0].children[0].title == "Pods"
    assert runbook.title == "Outage"


def test_text_before_the_first_heading_gets_its_own_section() -> None:
    runbook = md("""
        Read this first.

        # Steps
        1. go
        """)
    assert [(s.title, s.level, s.slug) for s in runbook.sections] == [
        ("", 0, "top"),
        ("Steps", 1, "steps"),
    ]
    assert runbook.title == "Steps"


def test_fences_with_tildes_and_backticks_and_indented_code() -> None:
    runbook = md("""
        # Fix

        ~~~sh
        kubectl get pods
        ~~~

        ````bash title="x"
        echo "```"
        ````

        Paragraph:

            kubectl top nodes
        """)
    blocks = [b for b in runbook.sections[0].blocks if isinstance(b, Command)]
    assert [(b.language, [line.text for line in b.lines]) for b in blocks] == [
        ("sh", ["kubectl get pods"]),
        ("bash", ['echo "```"']),
        ("", ["kubectl top nodes"]),
    ]
    assert [b.line for b in blocks] == [4, 8, 13]


def test_nested_lists_give_path_ids_and_task_state() -> None:
    runbook = md("""
        # Check pods

        1. First
           - [x] sub one
           - [ ] sub two
             1. deeper
        2. Second

        More text.

        - third, in another list
        """)
    steps = [(s.id, s.text, s.task, s.checked_in_file) for _, s in runbook.steps()]
    assert steps == [
        ("check-pods/1", "First", False, False),
        ("check-pods/1.1", "sub one", True, True),
        ("check-pods/1.2", "sub two", True, False),
        ("check-pods/1.2.1", "deeper", False, False),
        ("check-pods/2", "Second", False, False),
        ("check-pods/3", "third, in another list", False, False),
    ]
    first = runbook.step("check-pods/1")
    assert first is not None and first.number == 1 and first.ordered
    assert [s.path for s in first.substeps] == ["1.1", "1.2"]


def test_step_ids_are_unique_and_survive_a_reparse(seeds: list[Path]) -> None:
    for path in seeds:
        ids = [step.id for _, step in read_runbook(path).steps()]
        assert len(ids) == len(set(ids)), path.name
        assert ids == [step.id for _, step in read_runbook(path).steps()]


def test_repeated_headings_get_distinct_slugs() -> None:
    runbook = md("""
        # Steps
        - a
        # Steps
        - b
        # Fix: `kubectl` & co!
        """)
    assert [s.slug for s in runbook.sections] == ["steps", "steps-1", "fix-kubectl--co"]
    assert [s.id for _, s in runbook.steps()] == ["steps/1", "steps-1/1"]


def test_a_fence_right_after_a_list_belongs_to_its_last_step() -> None:
    runbook = md("""
        # Restart

        1. Check pods:
        ```
        kubectl get pods
        ```
        2. Restart:
        ```
        kubectl rollout restart deployment app
        ```

        Then:

        ```
        kubectl get events
        ```
        """)
    section = runbook.sections[0]
    steps = [b for b in section.blocks if isinstance(b, Step)]
    assert [[line.text for c in s.commands for line in c.lines] for s in steps] == [
        ["kubectl get pods"],
        ["kubectl rollout restart deployment app"],
    ]
    assert [s.number for s in steps] == [1, 2]
    loose = [b for b in section.blocks if isinstance(b, Command)]
    assert [line.text for line in loose[0].lines] == ["kubectl get events"]


def test_html_comments_tables_quotes_and_links_are_kept_as_text() -> None:
    runbook = md("""
        # Notes

        <!-- owner: team-sre, do not run step 3 on Fridays -->

        | Symptom | Command | Why |
        |:--------|--------:|-----|
        | 5xx | `kubectl logs <pod>` | see [docs](https://example.com/a%20b) |
        | OOM 🚨 | `top` | x | surplus cell |

        > **Warning:** never `kubectl delete ns`
        > - really

        ~~Old way~~ and <br> inline html.
        """)
    texts = [b for b in runbook.sections[0].blocks if isinstance(b, Text)]
    kinds = [t.kind for t in texts]
    assert kinds == ["html", "table", "quote", "paragraph"]
    assert texts[0].text == "<!-- owner: team-sre, do not run step 3 on Fridays -->"
    table = texts[1].text.split("\n")
    assert table[0].startswith("Symptom") and set(table[1]) <= {"-", " "}
    assert "`kubectl logs <pod>`" in table[2]
    assert "docs (https://example.com/a b)" in table[2]
    assert "surplus cell" in table[3]
    widths = {len(line.rstrip()) for line in table[:3]}
    assert len(widths) <= 2  # columns line up
    assert texts[2].text == "Warning: never `kubectl delete ns`\n\n- really"
    assert texts[3].text == "~~Old way~~ and <br> inline html."


def test_crlf_file_parses_like_lf(tmp_path: Path) -> None:
    source = "---\ntitle: T\n---\n# A\n\n1. one\n   ```bash\n   ls \\\n     -l\n   ```\n"
    lf = tmp_path / "lf.md"
    crlf = tmp_path / "crlf.md"
    lf.write_bytes(source.encode())
    crlf.write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode())
    a, b = read_runbook(lf), read_runbook(crlf)
    assert a.sha256 == b.sha256
    assert commands_of(a) == commands_of(b) == ["ls \\\n  -l"]
    assert a.title == b.title == "T"


def test_a_binary_file_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "runbook.md"
    path.write_bytes(b"# Title\n\x00\x01\x02")
    with pytest.raises(UnreadableFile, match=r"runbook\.md: contains NUL bytes"):
        read_runbook(path)


def test_only_front_matter() -> None:
    runbook = parse_runbook("---\ntitle: Placeholder\nseverity: p2\n---\n", Path("x.md"))
    assert (runbook.title, runbook.severity, runbook.sections) == ("Placeholder", "P2", [])
    assert runbook.warnings == []


def test_invalid_front_matter_is_a_warning_and_the_body_still_parses() -> None:
    runbook = parse_runbook("---\ntitle: [unclosed\n---\n# Real title\n- step\n", Path("r.md"))
    assert len(runbook.warnings) == 1
    assert "front matter is not valid YAML" in runbook.warnings[0].message
    assert runbook.title == "Real title"
    assert [s.text for _, s in runbook.steps()] == ["step"]


def test_unclosed_front_matter_is_reported_and_read_as_text() -> None:
    runbook = parse_runbook("---\ntitle: x\n# Heading\n- a\n")
    assert "never closed" in runbook.warnings[0].message
    assert [s.text for _, s in runbook.steps()] == ["a"]


def test_title_falls_back_to_heading_then_file_name() -> None:
    assert parse_runbook("---\ntitle: FM\n---\n# H\n").title == "FM"
    assert parse_runbook("text\n\n## Sub heading\n").title == "Sub heading"
    assert parse_runbook("just text\n", Path("/x/db-pool.md")).title == "db-pool"
    assert parse_runbook("").title == "untitled"


def test_untagged_blocks_run_only_when_they_read_like_commands() -> None:
    runbook = md("""
        # T

        ```
        Subject: [Action Required] Service Interruption
        Dear Customers,
        ```

        ```
        1. Identify the symptom
        2. Check Kubernetes health
        ```

        ```
        cert-manager.io/cluster-issuer: letsencrypt-prod
        ```

        ```
        kubectl get pods -n prod
        ./db-backup.sh list-backups
        ```

        ```yaml
        apiVersion: v1
        ```
        """)
    blocks = [b for b in runbook.sections[0].blocks if isinstance(b, Command)]
    assert [b.runnable for b in blocks] == [False, False, False, True, False]
    assert blocks[4].language == "yaml"


def test_shell_blocks_split_into_whole_commands() -> None:
    runbook = md("""
        # T

        ```bash
        #!/bin/bash
        # Scale up
        kubectl scale deploy/app \\
          --replicas=10   # more
        cat <<'EOF' > /tmp/x.yaml
        # not a comment: part of the document
        kind: Pod
        EOF
        for s in a b; do
          curl -f https://$s.example.com/health || echo "FAILED: $s"
        done
        echo "it's
        two lines"
        psql -c "SELECT 1" |
          tail -1
        ```
        """)
    lines = runbook.sections[0].blocks[0].lines  # type: ignore[union-attr]
    assert [(line.kind, line.line) for line in lines] == [
        ("comment", 4),
        ("comment", 5),
        ("command", 6),
        ("command", 8),
        ("command", 12),
        ("command", 15),
        ("command", 17),
    ]
    assert lines[2].text == "kubectl scale deploy/app \\\n  --replicas=10"
    assert lines[2].comment == "more" and lines[2].explanation == "Scale up"
    assert lines[2].one_line == "kubectl scale deploy/app --replicas=10"
    assert lines[3].text.endswith("kind: Pod\nEOF")
    assert lines[4].text.endswith("done")
    assert lines[6].text == 'psql -c "SELECT 1" |\n  tail -1'


def test_console_transcripts_separate_commands_from_output() -> None:
    runbook = md("""
        # T

        ```console
        $ kubectl get pods
        NAME   READY
        app-1  1/1
        $ kubectl logs app-1 \\
        > --tail=5
        ```
        """)
    lines = runbook.sections[0].blocks[0].lines  # type: ignore[union-attr]
    assert [(line.kind, line.text) for line in lines] == [
        ("command", "kubectl get pods"),
        ("output", "NAME   READY"),
        ("output", "app-1  1/1"),
        ("command", "kubectl logs app-1 \\\n--tail=5"),
    ]


def test_an_unclosed_quote_does_not_swallow_more_than_its_block() -> None:
    runbook = md("""
        # T

        ```bash
        echo "oops
        ```

        ```bash
        kubectl get pods
        ```
        """)
    assert commands_of(runbook) == ['echo "oops', "kubectl get pods"]


def test_front_matter_in_the_agreed_format() -> None:
    runbook = md("""
        ---
        title: Pod in CrashLoopBackOff
        severity: P1
        tags: [kubernetes, pods]
        triggers:
          pod_status: [CrashLoopBackOff]
          event_reason: [BackOff]
        ---
        # Pod in CrashLoopBackOff
        1. Find it:
           ```bash
           kubectl get pods -n <namespace>
           ```
        """)
    assert runbook.warnings == []
    assert runbook.title == "Pod in CrashLoopBackOff"
    assert runbook.severity == "P1"
    assert runbook.tags == ("kubernetes", "pods")
    assert runbook.triggers.pod_status == ("CrashLoopBackOff",)
    assert runbook.triggers.event_reason == ("BackOff",)
    assert runbook.triggers.extra == {}
    assert runbook.meta["severity"] == "P1"
