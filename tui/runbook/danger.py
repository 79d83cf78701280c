"""How risky a runbook command is, before anyone runs it.

`classify("kubectl rollout undo deployment/app")` says "dangerous" and why. A
command line is split the way bash reads it (pipes, lists, loops, `$(...)`); each
part is looked up through its wrappers (`sudo`, `env`, `timeout`, `xargs`) and
into what it runs elsewhere (`kubectl exec -- ...`, `docker exec ...`,
`ssh host "..."`, `bash -c "..."`, `watch '...'`), and the riskiest part sets
the level. Unknown programs count as changes: only what is known to read, reads.

`interactive` means the command wants a terminal (a shell, an editor, `-it`, a
full-screen tool, a session with no query); `streaming` means it runs until
stopped (`logs -f`, `get -w`, `port-forward`, `while true`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.runbook.invocation import Invocation, unwrap
from tui.runbook.rules import Context, Verdict, rule_for
from tui.runbook.rules.base import Level, is_system_path
from tui.runbook.shell import Simple, Word, parse

MAX_DEPTH = 6
_ENDLESS = re.compile(r"\b(?:while|until)\s+(?:true|:|\[\s*1\s*\])\s*;?\s*do\b")


@dataclass(frozen=True, slots=True)
class Danger:
    level: Level  # "read" | "change" | "dangerous"
    reasons: list[str]  # why, one line each; empty for a plain read
    interactive: bool  # needs a terminal: hand it over rather than capture output
    streaming: bool = False  # runs until stopped: show output live, offer to stop it

    @property
    def dangerous(self) -> bool:
        return self.level == "dangerous"

    @property
    def changes(self) -> bool:
        return self.level != "read"


def classify(command_line: str) -> Danger:
    verdict = _script(command_line, 0)
    return Danger(verdict.level, list(verdict.reasons), verdict.interactive, verdict.streaming)


def _script(text: str, depth: int) -> Verdict:
    verdict = Verdict()
    if depth > MAX_DEPTH:
        verdict.at_least("change", "nested too deeply to read")
        return verdict
    for simple in parse(text).commands:
        verdict.merge(_simple(simple, depth))
    if _ENDLESS.search(text):
        verdict.streaming = True
    return verdict


def _simple(simple: Simple, depth: int) -> Verdict:
    verdict = Verdict()
    stdin = simple.pipe_in
    for op, target in simple.redirects:
        if "<" in op and ">" not in op:
            stdin = True
        elif target is not None:
            _redirect(op, target.text, verdict)
    invocation = unwrap(simple.words)
    if invocation is None:
        return verdict
    verdict.merge(_invocation(invocation, depth, stdin=stdin))
    if simple.background:
        verdict.at_least("change", f"{invocation.program} &: keeps running in the background")
        verdict.streaming = True
    return verdict


def _words(words: list[str], depth: int, stdin: bool) -> Verdict:
    """Classify a command given as argument words (what `kubectl exec -- ...` runs)."""
    if depth > MAX_DEPTH or not words:
        return Verdict()
    invocation = unwrap([Word(text, 0, 0) for text in words])
    return _invocation(invocation, depth, stdin=stdin) if invocation else Verdict()


def _invocation(invocation: Invocation, depth: int, *, stdin: bool) -> Verdict:
    verdict = Verdict()
    if "watch" in invocation.wrappers or invocation.program == "watch":
        verdict.interactive = True  # watch redraws the whole screen
    if invocation.script is not None:
        verdict.merge(_script(invocation.script.text, depth + 1))
        return verdict
    if invocation.program == "watch":
        return verdict
    context = Context(
        inner=lambda words, stdin: _words(words, depth + 1, stdin),
        script=lambda text: _script(text, depth + 1),
        stdin=stdin,
    )
    rule_for(invocation.program)(invocation.program, invocation.args, verdict, context)
    if "xargs" in invocation.wrappers and verdict.level != "read":
        verdict.at_least(verdict.level, "xargs: once for every line piped in")
    return verdict


def _redirect(op: str, target: str, verdict: Verdict) -> None:
    """`> file` truncates, `>> file` appends; duplicating a descriptor (2>&1) writes nothing."""
    if op.endswith(">&") and (target.isdigit() or target == "-"):
        return
    if target in ("/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty"):
        return
    appends = ">>" in op
    if is_system_path(target):
        what = "appends to" if appends else "overwrites"
        verdict.at_least("dangerous", f"{op} {target}: {what} a system file")
    else:
        verdict.at_least("change", f"{op} {target}: {'appends to' if appends else 'writes'} a file")
