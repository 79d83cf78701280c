"""`warroom review` on a million events: open to first frame, search, jump, summary.

The file is built through the real schema and hash chain (tui/timeline/bulk.py)
with a mix like a long incident's: mostly automatic transitions, some notes,
actions, log evidence with data, milestones and status changes. The review app
runs headless (`run_test`); each figure is the time until the list on screen
is drawn from events (not placeholders), measured from the moment before the
file is opened (first frame) or the key that starts the query.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.targets import target
from tui.timeline.bulk import write_new_file
from tui.timeline.model import format_ts
from tui.timeline.rows import StoredRow

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 22, 14, 35, tzinfo=UTC)
VOCABULARY = (
    "pod crash loop backoff checkout payments ingress tls certificate timeout db pool connection"
    " refused restart rollout deploy api gateway latency error rate spike node memory pressure"
    " oom killed readiness probe failed upstream reset"
)
WORDS = tuple(VOCABULARY.split())
ACTORS = ("alice@bastion-1", "bob@bastion-2", "carol@bastion-1", "dan@laptop")
RARE = "zebracorn"  # in exactly one event, deep in the file


def synthetic_rows(count: int, seed: int = 7) -> Iterator[StoredRow]:
    """`count` events, 10 ms apart; texts and data drawn from pools (fast to make)."""
    rnd = random.Random(seed)
    rare_at = count * 3 // 4

    def words(low: int, high: int) -> str:
        return " ".join(rnd.choices(WORDS, k=rnd.randint(low, high)))

    def dumped(data: dict[str, Any]) -> str:
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    states = ("CrashLoopBackOff", "Running", "Pending", "OOMKilled")
    # (kind, source, weight, make text and data)
    pools: list[tuple[str, str, list[tuple[str, str]]]] = [
        (
            "k8s_transition",
            "kubernetes",
            [
                (
                    f"pod payments-{rnd.randrange(500):03d}: {rnd.choice(states)}",
                    dumped({"state": "bad", "reason": words(3, 5), "restarts": rnd.randrange(40)}),
                )
                for _ in range(4000)
            ],
        ),
        (
            "host_alert",
            "host",
            [
                (
                    f"disk /: {words(2, 4)}",
                    dumped({"metric": "disk", "value": rnd.randrange(50, 99)}),
                )
                for _ in range(1000)
            ],
        ),
        ("note", "operator", [(words(5, 20), "{}") for _ in range(4000)]),
        (
            "log_evidence",
            "logs",
            [
                (
                    f"3 log lines from payments: {words(4, 6)}",
                    dumped(
                        {"lines": [{"origin": "payments", "text": words(10, 14)} for _ in range(3)]}
                    ),
                )
                for _ in range(2000)
            ],
        ),
        (
            "runbook_run",
            "runbook",
            [
                (
                    f"Ran kubectl get pods -n shop: exit 0 ({words(2, 4)})",
                    dumped(
                        {
                            "command": "kubectl get pods -n shop",
                            "exit_code": 0,
                            "result": "ran",
                            "output": "\n".join(words(6, 10) for _ in range(6)),
                        }
                    ),
                )
                for _ in range(500)
            ],
        ),
    ]
    weights = (60, 20, 12, 5, 3)
    picks = rnd.choices(range(len(pools)), weights=weights, k=count)
    second, prefix = -1, ""
    for index, pick in enumerate(picks):
        millis = 10 * index
        if millis // 1000 != second:
            second = millis // 1000
            prefix = format_ts(T0 + timedelta(seconds=second))[:-4]
        ts = f"{prefix}{millis % 1000:03d}Z"
        kind, source, pool = pools[pick]
        text, data = pool[rnd.randrange(len(pool))]
        if index == 0:
            kind, source, text = "declared", "warroom", "Incident declared: bench (P1)"
            data = dumped({"title": "bench", "severity": "P1"})
        if index == rare_at:
            text += f" {RARE}"
        uuid = f"{rnd.getrandbits(128):032x}"
        uuid = f"{uuid[:8]}-{uuid[8:12]}-4{uuid[13:16]}-8{uuid[17:20]}-{uuid[20:]}"
        pinned = int(index % 5000 == 1)
        yield StoredRow(
            0, uuid, ts, kind, ACTORS[index % len(ACTORS)], source, text, data, pinned, None
        )


def build(path: Path, count: int) -> dict[str, float]:
    started = time.perf_counter()
    header = ("bench-incident", "Review bench", "P1", format_ts(T0), "alice@bastion-1")
    write_new_file(path, header, synthetic_rows(count), durable=False)
    return {
        "build_s": round(time.perf_counter() - started, 1),
        "file_mb": round(path.stat().st_size / 1024**2, 1),
    }


async def _measure(path: Path, searches: list[str]) -> dict[str, Any]:
    # Imported here: building the file needs no Textual.
    from tui.screens.review import ReviewScreen
    from tui.screens.review_app import ReviewApp
    from tui.timeline.reader import TimelineReader
    from widgets.review_list import ReviewList

    started = time.perf_counter()
    reader = TimelineReader(path)
    app = ReviewApp(reader)
    figures: dict[str, Any] = {}
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        view = screen.query_one(ReviewList)

        async def drawn(deadline: float = 60.0) -> float:
            begin = time.perf_counter()
            while not (screen._cancel is None and view.total and view.loaded):
                if time.perf_counter() - begin > deadline:
                    raise RuntimeError("the review did not draw in time")
                await asyncio.sleep(0.002)
            return time.perf_counter()

        figures["first_frame_s"] = round(await drawn() - started, 3)
        figures["events"] = view.total
        for term in searches:
            begin = time.perf_counter()
            screen.apply_filter(screen.filter.__class__(text=term))
            await pilot.pause(0)
            done = await drawn()
            figures[f"search_{term}_s"] = round(done - begin, 3)
            figures[f"search_{term}_matches"] = view.total
        begin = time.perf_counter()
        screen.apply_filter(screen.filter.__class__(kind="note"))
        await pilot.pause(0)
        figures["filter_kind_s"] = round(await drawn() - begin, 3)
        begin = time.perf_counter()
        screen.apply_filter(screen.filter.__class__())
        await pilot.pause(0)
        await drawn()
        view.move_to(view.total // 2)
        await pilot.pause(0)
        figures["scroll_to_middle_s"] = round(await drawn() - begin, 3)
        begin = time.perf_counter()
        summary = await asyncio.to_thread(screen.queries.summary)
        figures["summary_s"] = round(time.perf_counter() - begin, 3)
        figures["summary_events"] = summary.events
    reader.close()
    return figures


def export(path: Path, form: str) -> dict[str, float]:
    """`warroom export` of the whole file to a new file, as a user runs it (process start
    to exit, so the figure includes starting Python and the export's imports)."""
    out = path.with_suffix(f".export.{form}")
    argv = [sys.executable, "-m", "tui", "export", str(path), "--format", form, "-o", str(out)]
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    size = out.stat().st_size
    out.unlink()
    return {f"export_{form}_s": round(seconds, 2), f"export_{form}_mb": round(size / 1024**2, 1)}


def million(count: int = 1_000_000, runs: int = 3) -> dict[str, object]:
    searches = [RARE, "refused"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        result: dict[str, object] = {"events": count, **build(path, count)}
        samples = [asyncio.run(_measure(path, searches)) for _ in range(runs)]
        exports = {**export(path, "md"), **export(path, "json")}
    keys = [k for k in samples[0] if k.endswith("_s")]
    for key in keys:
        result[key] = round(statistics.median(s[key] for s in samples), 3)
    for key in samples[0]:
        if key.endswith("_matches"):
            result[key] = samples[0][key]
    result["runs"] = runs
    result.update(exports)
    limit = target("review_s")
    result["target_s"] = limit.limit
    result["meets_target"] = all(
        limit.met(float(result[key]))  # type: ignore[arg-type]
        for key in ("first_frame_s", f"search_{RARE}_s", "search_refused_s")
    )
    return result


if __name__ == "__main__":
    print(json.dumps(million(runs=1), indent=2))
