"""`warroom runbook lint PATH...`: check runbooks before an incident needs them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.errors import EXIT_USAGE
from tui.readfile import UnreadableFile
from tui.runbook.library import SUFFIXES, runbook_files
from tui.safetext import one_line

if TYPE_CHECKING:
    from tui.runbook.lint import LintReport

_COMMAND_WIDTH = 160


def register(commands: argparse._SubParsersAction) -> None:
    runbook = commands.add_parser(
        "runbook",
        help="work with markdown runbooks (lint)",
        description="Work with markdown runbooks.",
    )
    actions = runbook.add_subparsers(
        dest="runbook_action", metavar="ACTION", required=True, parser_class=type(runbook)
    )
    check = actions.add_parser(
        "lint",
        help="show what the console will make of runbooks, and what to fix",
        description=(
            "Parse runbooks as the console does and report, per file: title, sections, steps,"
            " commands, placeholders, dangerous commands with the reasons, and warnings (bad"
            " front matter, unknown trigger keys, code blocks not under a step). Exit status"
            f" 2 if a file cannot be read. Directories are searched for {', '.join(SUFFIXES)}."
        ),
    )
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories")
    check.add_argument("--json", action="store_true", help="print one JSON object per file")
    check.set_defaults(run=lint_paths)


def lint_paths(args: argparse.Namespace) -> int:
    # The parser and its markdown library load only when a lint really runs.
    from tui.runbook.lint import lint
    from tui.runbook.parser import read_runbook

    files, problems = _expand(args.paths)
    first = True
    for path in files:
        try:
            runbook = read_runbook(path)
        except UnreadableFile as error:
            problems.append(str(error))
            continue
        report = lint(runbook)
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False))
        else:
            if not first:
                print()
            _print_report(path, report)
        first = False
    for problem in problems:
        print(f"warroom: {one_line(problem)}", file=sys.stderr)
    return EXIT_USAGE if problems else 0


def _expand(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for path in paths:
        path = path.expanduser()
        if path.is_dir():
            try:
                found = runbook_files(path)
            except OSError as error:
                problems.append(f"{path}: cannot list ({error.strerror or error})")
                continue
            if not found:
                problems.append(f"{path}: no runbooks ({', '.join(SUFFIXES)}) in this directory")
            files.extend(found)
        else:
            files.append(path)  # reading it says whether it is missing or unreadable
    return files, problems


def _print_report(path: Path, report: LintReport) -> None:
    runbook = report.runbook
    print(one_line(str(path)))
    print(f"  title: {one_line(runbook.title, max_chars=200)}")
    details = []
    if runbook.severity:
        details.append(f"severity: {one_line(runbook.severity)}")
    if runbook.tags:
        details.append(f"tags: {one_line(', '.join(runbook.tags))}")
    triggers = [f"{k}={','.join(v)}" for k, v in runbook.triggers.by_key().items() if v]
    if triggers:
        details.append(f"triggers: {one_line(' '.join(triggers))}")
    if details:
        print("  " + "  ".join(details))
    print(
        f"  sections: {report.sections}  steps: {report.steps}  commands: {report.commands}"
        f"  placeholders: {len(report.placeholders)}  dangerous: {len(report.dangerous)}"
        f"  warnings: {len(report.warnings)}"
    )
    if report.placeholders:
        print(f"  placeholders: {one_line(', '.join(report.placeholders))}")
    if report.dangerous:
        print("  dangerous commands:")
        for flagged in report.dangerous:
            notes = ["interactive"] if flagged.interactive else []
            notes += ["streams"] if flagged.streaming else []
            suffix = f"  [{', '.join(notes)}]" if notes else ""
            command = one_line(flagged.command, max_chars=_COMMAND_WIDTH)
            print(f"    line {flagged.line}: {command}{suffix}")
            for reason in flagged.reasons:
                print(f"      - {one_line(reason, max_chars=_COMMAND_WIDTH)}")
    if report.warnings:
        print("  warnings:")
        for warning in report.warnings:
            print(f"    {one_line(str(warning), max_chars=300)}")
