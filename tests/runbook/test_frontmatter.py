"""Front matter: the agreed format, lenient forms, and every mistake as a warning."""

from __future__ import annotations

from tui.runbook.frontmatter import parse_front_matter


def test_lenient_forms_are_accepted() -> None:
    front = parse_front_matter(
        "title: 42\nseverity: p0\ntags: kubernetes, pods\ntriggers:\n"
        "  pod_status: CrashLoopBackOff\n  host_alert: [disk, 3]\nowner: sre\n"
        "reviewed: 2025-01-02\n"
    )
    assert front.warnings == []
    assert (front.title, front.severity, front.tags) == ("42", "P0", ("kubernetes", "pods"))
    assert front.triggers.pod_status == ("CrashLoopBackOff",)
    assert front.triggers.host_alert == ("disk", "3")
    assert front.meta["owner"] == "sre" and str(front.meta["reviewed"]) == "2025-01-02"


def test_mistakes_become_warnings_with_the_line_of_the_key() -> None:
    front = parse_front_matter(
        "title: [a, b]\nseverity: urgent\ntags: {a: 1}\ntriggers:\n  pod_state: [x]\n"
        "  probe: {a: b}\n",
        line=1,
    )
    messages = [(w.line, w.message) for w in front.warnings]
    assert messages == [
        (2, "front matter 'title' should be text; ignored"),
        (3, "front matter severity 'urgent' is not one of P0, P1, P2, P3"),
        (4, "front matter 'tags' should be a list of words; ignored"),
        (
            5,
            "unknown trigger key 'pod_state' (known: pod_status, event_reason, probe,"
            " host_alert); kept, but nothing matches on it",
        ),
        (5, "front matter 'triggers.probe' should be a list of words; ignored"),
    ]
    assert front.title is None and front.severity == "urgent"
    assert front.triggers.extra == {"pod_state": ("x",)}


def test_not_a_mapping_or_not_yaml() -> None:
    listed = parse_front_matter("- a\n- b\n")
    assert "should be a mapping of keys, not a list" in listed.warnings[0].message
    broken = parse_front_matter("title: x\ntags: [a\n", line=1)
    assert broken.warnings[0].message.startswith("front matter is not valid YAML")
    assert broken.warnings[0].line is not None and broken.warnings[0].line >= 3
    assert parse_front_matter("").warnings == []
    triggers = parse_front_matter("triggers: [CrashLoopBackOff]\n")
    assert "should map keys" in triggers.warnings[0].message
