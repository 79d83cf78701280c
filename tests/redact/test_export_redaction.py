"""`warroom export --redact`: secrets masked in event texts and data, in every format;
without the flag the export is the file's truth."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import run_coroutine
from tests.helpers.cli import assert_one_line_error, warroom
from tui.redact import MASK
from tui.timeline.model import EventKind, Severity
from tui.timeline.store import TimelineStore

PASSWORD = "Mms3BPEMeKinbL8WYs"
TOKEN = "9f8Kq2LmZx7Rt4Vb1Nc6Yp3Hs0Jd5Wg"
AWS_KEY = "AKIAO6DR99M89OW3J2JW"
SECRET_DATA = "WnE4IXZSMiNtTHAw"
SECRETS = (PASSWORD, TOKEN, AWS_KEY, SECRET_DATA)


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    path = tmp_path / "incident.db"

    async def write() -> None:
        store = await TimelineStore.create(
            path,
            title=f"Checkout 502 after api_key={TOKEN} leaked",
            severity=Severity.P1,
            actor="alice@bastion-1",
        )
        await store.append(
            EventKind.NOTE, f"db password={PASSWORD} leaked in the deploy log", actor="alice"
        )
        await store.append(
            EventKind.RUNBOOK_RUN,
            "ran: curl the health endpoint",
            data={
                "command": f"curl -H 'Authorization: Bearer {TOKEN}' https://api/health",
                "output": f"using {AWS_KEY}\nok",
                "exit_code": 0,
                "token": TOKEN,
                "object": {"kind": "Secret", "data": {"password": SECRET_DATA}},
            },
            actor="bob",
        )
        await store.append(EventKind.NOTE, "rolled back to v41; error rate normal", actor="bob")
        await store.close()

    run_coroutine(write())
    return path


def export(incident: Path, env: dict[str, str], *args: str) -> str:
    result = warroom("export", str(incident), *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("format", ["md", "json", "csv"])
def test_export_without_redact_keeps_the_truth(
    incident: Path, env: dict[str, str], format: str
) -> None:
    out = export(incident, env, "--format", format)
    assert PASSWORD in out
    if format != "md":  # the draft quotes texts, not data
        assert all(secret in out for secret in SECRETS)


@pytest.mark.parametrize("format", ["md", "json", "csv"])
def test_export_with_redact_masks_every_secret(
    incident: Path, env: dict[str, str], format: str
) -> None:
    out = export(incident, env, "--format", format, "--redact")
    if format == "json":  # read as text: the mask is written as \u escapes
        out = json.dumps(json.loads(out), ensure_ascii=False)
    for secret in SECRETS:
        assert secret not in out, f"{format}: {secret} survived"
    assert f"password={MASK} leaked in the deploy log" in out
    assert "rolled back to v41; error rate normal" in out  # ordinary text untouched


def test_redacted_json_keeps_its_shape(incident: Path, env: dict[str, str]) -> None:
    document = json.loads(export(incident, env, "--format", "json", "--redact"))
    assert document["redacted"] is True
    run = next(event for event in document["events"] if event["kind"] == EventKind.RUNBOOK_RUN)
    data = run["data"]
    assert data["command"] == f"curl -H 'Authorization: Bearer {MASK}' https://api/health"
    assert data["output"] == f"using AKIA{MASK}\nok"
    assert data["exit_code"] == 0
    assert data["token"] == MASK
    assert data["object"] == {"kind": "Secret", "data": {"password": MASK}}
    assert "data_raw" not in run


def test_redacted_csv_has_a_row_per_event(incident: Path, env: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(export(incident, env, "--format", "csv", "--redact"))))
    assert [row["kind"] for row in rows] == [
        EventKind.DECLARED,
        EventKind.NOTE,
        EventKind.RUNBOOK_RUN,
        EventKind.NOTE,
    ]
    assert rows[1]["text"] == f"db password={MASK} leaked in the deploy log"


def test_a_bad_extra_pattern_is_one_clear_error(incident: Path, env: dict[str, str]) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "warroom" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[redaction]\npatterns = ["([unclosed"]\n')
    result = warroom("export", str(incident), "--redact", env=env)
    assert_one_line_error(result, "redaction.patterns")
    assert "not a valid regular expression" in result.stderr


def test_extra_patterns_from_the_configuration_apply_to_exports(
    incident: Path, env: dict[str, str]
) -> None:
    config = Path(env["XDG_CONFIG_HOME"]) / "warroom" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('[redaction]\npatterns = ["rolled back to (v\\\\d+)"]\n')
    out = export(incident, env, "--format", "csv", "--redact")
    assert f"rolled back to {MASK}; error rate normal" in out
