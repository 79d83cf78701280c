"""The chain's canonical form is exactly the compact, sorted, ASCII JSON it documents."""

from __future__ import annotations

import hashlib
import json
import random

from tui.timeline.chain import event_hash

SAMPLES = [
    "",
    "plain",
    'quote " and \\ backslash',
    "tab\tnew\nline\r",
    "\x00\x1b[31m\x7f",
    "café ☕ 漢字 𝄞",
    "\u202eevil",
    "[red]x[/]",
    '{"a":1}',
]


def reference(previous: str, **fields: object) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(f"{previous}\n{body}".encode()).hexdigest()


def test_event_hash_matches_json_dumps() -> None:
    rnd = random.Random(3)
    for _ in range(500):
        fields = {
            name: rnd.choice(SAMPLES) + rnd.choice(SAMPLES)
            for name in ("uuid", "ts", "kind", "actor", "source", "text", "data")
        }
        subject = rnd.choice([None, *SAMPLES])
        pinned = rnd.choice([0, 1])
        previous = rnd.choice(["0" * 64, "abc"])
        assert event_hash(previous, pinned=pinned, subject=subject, **fields) == reference(
            previous, pinned=pinned, subject=subject, **fields
        )
