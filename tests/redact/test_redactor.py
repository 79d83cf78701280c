"""The redactor on its own: every fake secret is masked, ordinary text is untouched."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tui.redact import MASK, RedactionError, Redactor, is_placeholder

HERE = Path(__file__).parent
PROJECT = HERE.parent.parent
SHARED = PROJECT.parent / "shared"
CASES: list[dict[str, Any]] = tomllib.loads((HERE / "secrets.toml").read_text("utf-8"))["case"]

# Lines of the shared corpora that hold a real secret-shaped value, with what the
# redactor must make of them: a seed runbook types a MariaDB root password inline.
_MARIADB = "docker exec -{} codex-db mariadb -u root -p{} "
EXPECTED_CHANGES: dict[str, str] = {
    _MARIADB.format(flags, "root_pass") + tail: _MARIADB.format(flags, MASK) + tail
    for flags, tail in [
        ("i", "codex_db < backups/codex_db_2025-12-06_10-00-00.sql"),
        ("it", '-e "SHOW PROCESSLIST;"'),
        ("it", "-e \"SHOW STATUS LIKE 'Threads_connected';\""),
        ("it", '-e "USE codex_db; REPAIR TABLE wp_posts;"'),
        ("it", '-e "USE codex_db; SELECT COUNT(*) FROM wp_posts;"'),
    ]
}


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor()


@pytest.mark.parametrize("case", CASES, ids=[case["label"] for case in CASES])
def test_no_secret_survives(redactor: Redactor, case: dict[str, Any]) -> None:
    shown = redactor.redact(case["text"])
    assert MASK in shown
    for secret in case["secrets"]:
        assert secret not in shown, f"{case['label']}: {secret!r} survived in {shown!r}"
    for kept in case.get("keep", []):
        assert kept in shown, f"{case['label']}: {kept!r} was lost from {shown!r}"


@pytest.mark.parametrize("case", CASES, ids=[case["label"] for case in CASES])
def test_secrets_are_masked_line_by_line_too(redactor: Redactor, case: dict[str, Any]) -> None:
    """Logs arrive a line at a time: no line of a case may carry a whole secret through.

    A Secret's `data:` values need the object around them, and the short last line
    of a key's body looks like any word, so those (`whole_only`) are only covered
    when the text arrives whole (the YAML view, command output).
    """
    if "kind" in case["text"] and "Secret" in case["text"]:
        pytest.skip("a Secret's data values are recognised in the whole object only")
    shown = "\n".join(redactor.redact(line) for line in case["text"].split("\n"))
    for secret in set(case["secrets"]) - set(case.get("whole_only", [])):
        assert secret not in shown, f"{case['label']}: {secret!r} survived in {shown!r}"


ORDINARY = [
    "2026-11-22T10:14:13.123Z INFO  orders-7d9f8c6b5-x2k4q started in 1.2s",
    "commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39 merged by alice",
    "request 123e4567-e89b-12d3-a456-426614174000 took 35ms",
    "pulled registry.example.com/orders@sha256:"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 in 3s",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "connection from 10.0.3.7:53122 to 192.168.1.20:5432 refused",
    "Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2",
    "The password must be rotated every 90 days; ask the secret keeper for the token policy.",
    "reset your password at the portal, then run `kubectl get secret db-creds -o yaml`",
    "secretName: orders-tls",
    "secretKeyRef: {name: orders-db, key: password}",
    "password: <PASSWORD>",
    "export DB_PASSWORD=${DB_PASSWORD}",
    "token: ${{ secrets.GITHUB_TOKEN }}",
    "api_key: ***",
    "password=",
    'password: ""',
    'WWW-Authenticate: Bearer realm="orders"',
    "Authorization: denied for user bob",
    "the bearer of bad news is never the culprit",
    "mkdir -p /var/lib/orders && ssh -p 2222 bastion",
    "https://grafana.example.com:3000/d/abc?orgId=1&from=now-1h",
    "git@github.com:platform/deploy.git",
    "-----BEGIN CERTIFICATE-----",
    "kind: ConfigMap",
    "password_policy: strict",
    "tokens consumed: 1200, keys rotated: 3",
]


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_text_is_untouched(redactor: Redactor, line: str) -> None:
    assert redactor.redact(line) == line


def _assert_lines_unchanged(redactor: Redactor, paths: list[Path]) -> set[str]:
    assert paths, "no files to check"
    changed = {}
    expected_seen = set()
    for path in paths:
        for line in path.read_text("utf-8", errors="replace").splitlines():
            shown = redactor.redact(line)
            if line in EXPECTED_CHANGES:
                assert shown == EXPECTED_CHANGES[line]
                expected_seen.add(line)
            elif shown != line:
                changed[line] = shown
    assert not changed, f"{len(changed)} ordinary lines changed, e.g. {list(changed.items())[:5]}"
    return expected_seen


def test_bundled_runbooks_are_untouched(redactor: Redactor) -> None:
    _assert_lines_unchanged(redactor, sorted((PROJECT / "runbooks").glob("*.md")))


def test_seed_runbooks_are_untouched(redactor: Redactor) -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"{seeds} is not here (a clone without ../shared)")
    expected_seen = _assert_lines_unchanged(redactor, sorted(seeds.iterdir()))
    assert expected_seen == set(EXPECTED_CHANGES), "an expected secret line is not in the seeds"


def test_log_corpora_are_untouched(redactor: Redactor) -> None:
    corpora = SHARED / "corpora" / "logs"
    if not corpora.is_dir():
        pytest.skip(f"{corpora} is not here (a clone without ../shared)")
    _assert_lines_unchanged(redactor, sorted(corpora.glob("*.log")))


def test_whole_runbook_files_are_untouched(redactor: Redactor) -> None:
    """Runbooks are shown whole too: multi-line rules must not fire across lines."""
    for path in sorted((PROJECT / "runbooks").glob("*.md")):
        text = path.read_text("utf-8")
        assert redactor.redact(text) == text, path.name


def test_extra_pattern_masks_its_first_group() -> None:
    redactor = Redactor([r"ticket-(\d{6})", r"INTERNAL-[A-Z]{4}"])
    shown = redactor.redact("see ticket-123456 and INTERNAL-ABCD, not ticket-12")
    assert shown == f"see ticket-{MASK} and {MASK}, not ticket-12"


def test_extra_patterns_run_on_text_without_builtin_triggers() -> None:
    assert Redactor([r"\bcustomer-\d+"]).redact("order for customer-42") == f"order for {MASK}"


@pytest.mark.parametrize(
    ("pattern", "complaint"),
    [("([unclosed", "not a valid regular expression"), ("x*", "matches empty text")],
)
def test_bad_extra_pattern_is_refused(pattern: str, complaint: str) -> None:
    with pytest.raises(RedactionError, match=complaint):
        Redactor([pattern])


PLACEHOLDERS = ["", "<PASSWORD>", "${DB_PASS}", "$TOKEN", "{{ .Values.pw }}",
                "***", "xxxx", "REDACTED", "[redacted]", "null", MASK]  # fmt: skip


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)
    assert Redactor().redact(f"password={value}") == f"password={value}"


def test_redacting_twice_changes_nothing_more(redactor: Redactor) -> None:
    for case in CASES:
        once = redactor.redact(case["text"])
        assert redactor.redact(once) == once, case["label"]
