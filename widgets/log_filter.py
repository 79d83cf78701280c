"""The Logs pane's filter and highlight: what the operator types, as tests on a line.

After `/`, space-separated terms, all of which a shown line must satisfy::

    timeout db        lines matching both regular expressions
    -health !debug    ... and neither of these (`-` or `!` excludes)
    @api-7f8          lines from a source whose label matches (`-@api` excludes)
    "conn refused"    double quotes keep spaces inside one term
    Error             smart case: a term with an uppercase letter matches case exactly

A minimum level (`L`) hides quieter lines; lines whose level is unknown count as
INFO. The highlight (`h`) is one regular expression that marks matches and never
hides anything. A bad pattern is reported as a message, never raised: the
operator is mid-incident and a typo must not take the pane down.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from tui.sources.log_model import Level, LogLine

# The minimum levels `L` cycles through: everything, then ever louder.
LEVEL_STEPS: tuple[Level | None, ...] = (None, Level.INFO, Level.WARN, Level.ERROR)
LEVEL_NAMES = {None: "all", Level.INFO: "info", Level.WARN: "warn", Level.ERROR: "error"}

# A term: an optional negation, then a quoted phrase or a run of non-spaces.
_TERM = re.compile(r'([-!]?)(?:"([^"]*)"|(\S+))')
# Escapes such as \S or \W hold an uppercase letter that says nothing about case.
_ESCAPE = re.compile(r"\\.")
# Continuation lines (stack frames, "Caused by", indented detail) carry no level of
# their own; they belong to the line before them from the same source.
CONTINUATION_PREFIXES = (" ", "\t", "at ", "Caused by", "Traceback", "... ", 'File "')


def inherits_level(text: str) -> bool:
    """Whether a line without a level continues the previous line of its source."""
    return text.startswith(CONTINUATION_PREFIXES)


def next_level(current: Level | None) -> Level | None:
    """The minimum level after `current` in the `L` cycle."""
    try:
        index = LEVEL_STEPS.index(current)
    except ValueError:
        index = 0
    return LEVEL_STEPS[(index + 1) % len(LEVEL_STEPS)]


def smart_case_sensitive(pattern: str) -> bool:
    """Whether `pattern` holds an uppercase letter of its own (escapes such as \\S do not count)."""
    return any(c.isupper() for c in _ESCAPE.sub("", pattern))


def compile_term(pattern: str) -> re.Pattern[str]:
    """A regular expression with smart case; raises re.error (or OverflowError) if bad."""
    return re.compile(pattern, 0 if smart_case_sensitive(pattern) else re.IGNORECASE)


# A filter term: the pattern, and whether it is matched against the lowercased text.
# Python's IGNORECASE search is three to four times slower than a plain search of
# lowercased text, and a term with no uppercase letter is all lowercase already.
Term = tuple[re.Pattern[str], bool]


def compile_filter_term(pattern: str) -> Term:
    """A term for filtering: smart case by lowercasing the text, not by IGNORECASE."""
    return re.compile(pattern), not smart_case_sensitive(pattern)


@dataclass(frozen=True, slots=True)
class FilterError:
    """Why what was typed is not a filter; the previous filter stays in force."""

    message: str


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Which lines are shown. Called with a line and its effective level (0: unknown)."""

    text: str = ""
    include: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    include_sources: tuple[re.Pattern[str], ...] = ()
    exclude_sources: tuple[re.Pattern[str], ...] = ()
    min_level: Level | None = None
    # Whether any term is matched against the lowercased text (worked out once, not per line).
    folds: bool = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        folds = any(folded for _, folded in (*self.include, *self.exclude))
        object.__setattr__(self, "folds", folds)

    @property
    def active(self) -> bool:
        """Whether anything can be hidden (else the buffer keeps no index work)."""
        return self.min_level is not None or self.has_terms

    @property
    def has_terms(self) -> bool:
        return bool(self.include or self.exclude or self.include_sources or self.exclude_sources)

    def with_level(self, level: Level | None) -> LogFilter:
        return dataclasses.replace(self, min_level=level)

    def __call__(self, line: LogLine, level: int) -> bool:
        if self.min_level is not None and (level or Level.INFO) < self.min_level:
            return False
        text = line.text
        # Lowercased once per line, and only when a term needs it.
        lowered = text.lower() if self.folds else text
        for pattern, folded in self.include:
            if pattern.search(lowered if folded else text) is None:
                return False
        for pattern, folded in self.exclude:
            if pattern.search(lowered if folded else text) is not None:
                return False
        if self.include_sources or self.exclude_sources:
            return _source_matches(self, line.origin.label)
        return True

    def describe(self) -> str:
        """A short account for the status line: the terms as typed and the level."""
        parts = []
        if self.has_terms:
            parts.append(f"filter: {self.text}")
        if self.min_level is not None:
            parts.append(f"level ≥ {LEVEL_NAMES.get(self.min_level, self.min_level.name)}")
        return " · ".join(parts)


def _source_matches(spec: LogFilter, label: str) -> bool:
    if any(p.search(label) is None for p in spec.include_sources):
        return False
    return all(p.search(label) is None for p in spec.exclude_sources)


def parse_filter(text: str, min_level: Level | None = None) -> LogFilter | FilterError:
    """The filter for `text` (an empty one when nothing is typed), or why it is not one."""
    terms: dict[str, list[Term]] = {"+": [], "-": []}
    sources: dict[str, list[re.Pattern[str]]] = {"+": [], "-": []}
    for negation, quoted, bare in _TERM.findall(text):
        term = bare or quoted
        if not term:
            continue  # "" typed on its own: nothing to match
        sign = "-" if negation else "+"
        try:
            if term.startswith("@") and len(term) > 1:
                sources[sign].append(compile_term(term[1:]))
            else:
                terms[sign].append(compile_filter_term(term))
        except (re.error, OverflowError, RecursionError) as error:
            return FilterError(_describe_error(term, error))
    return LogFilter(text.strip(), tuple(terms["+"]), tuple(terms["-"]), tuple(sources["+"]),
                     tuple(sources["-"]), min_level)  # fmt: skip


def parse_highlight(text: str) -> re.Pattern[str] | FilterError | None:
    """The highlight pattern for `text`, None for no highlight, or why it is not one."""
    if not text.strip():
        return None
    try:
        return compile_term(text)
    except (re.error, OverflowError, RecursionError) as error:
        return FilterError(_describe_error(text, error))


def _describe_error(term: str, error: Exception) -> str:
    if isinstance(error, re.error):
        where = f" at position {error.pos}" if error.pos is not None else ""
        return f"not a valid pattern: {term!r}: {error.msg}{where}"
    return f"not a valid pattern: {term!r}: {error}"


def highlight_spans(pattern: re.Pattern[str] | None, text: str) -> Sequence[tuple[int, int]]:
    """Where `pattern` matches in `text` (empty matches skipped: they mark nothing)."""
    if pattern is None:
        return ()
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]
