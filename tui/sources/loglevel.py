"""The severity a log line states about itself, read from its header, never guessed.

Runs on every line at the source (tens of thousands a second), so it looks only
where formats put the level: after a short header of timestamps, numbers,
bracketed fields and separators at the start of the line; in `level=` of a
logfmt line; in a JSON record's level field; in klog's and syslog's prefixes.
A word like "error" in the middle of a message is not a level: "sshd[42]:
authentication failure" has none.
"""

from __future__ import annotations

import json
import re

from tui.sources.log_model import Level

# Level words as formats write them (log4j, logrus's four letters, zerolog's three,
# log15's "eror" and "dbug", java.util.logging's SEVERE/FINE, PostgreSQL's LOG).
_SPELLINGS = {
    Level.TRACE: "trace trc trac verbose finest finer",
    Level.DEBUG: "debug dbg debu dbug fine debug1 debug2 debug3 debug4 debug5",
    Level.INFO: "info inf information informational log",
    Level.NOTICE: "notice ntc",
    Level.WARN: "warn warning wrn",
    Level.ERROR: "error err erro eror severe",
    Level.FATAL: "fatal fata ftl crit critical crt panic pani alert emerg emergency",
}
_WORDS = {word: level for level, words in _SPELLINGS.items() for word in words.split()}
# Syslog severities 0..7 (RFC 5424), as <PRI> & 7 or a numeric JSON level.
_SYSLOG = (
    Level.FATAL,  # emerg
    Level.FATAL,  # alert
    Level.FATAL,  # crit
    Level.ERROR,
    Level.WARN,
    Level.NOTICE,
    Level.INFO,
    Level.DEBUG,
)
_LETTERS = {"T": Level.TRACE, "D": Level.DEBUG, "I": Level.INFO, "N": Level.NOTICE,
            "W": Level.WARN, "E": Level.ERROR, "F": Level.FATAL, "C": Level.FATAL}  # fmt: skip
# Redis: "1:M 01 Jan 2024 10:00:00.123 * Ready to accept connections".
_REDIS_MARKS = {".": Level.DEBUG, "-": Level.DEBUG, "*": Level.INFO, "#": Level.WARN}

_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_MONTH = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_DAY = "Mon|Tue|Wed|Thu|Fri|Sat|Sun"

# A header: up to 8 tokens that are not words of a message, then the level word,
# bare or bracketed, then a separator. Tokens are atomic so a failing line costs
# one pass, not a backtracking search.
_HEADER = re.compile(
    rf"""
    ^\s{{0,8}}(?:\[(?=\d))?                 # "[10:00:00 INF] ..." (Serilog): skip the "["
    (?P<prefix>(?:(?>
          \[[^\]]{{0,80}}\]                 # [Sun Dec 04 04:47:44 2005]  [main]  [1]
        | \d[\w\-/:.,+]*                    # 2015-07-29  17:41:44,747  081109  17/06/09
        | (?:{_DAY})[a-z]{{0,6}},?          # Sun  Monday,
        | (?:{_MONTH})[a-z]{{0,6}}\.?       # Dec  December
        | (?:UTC|GMT|Z|CES?T|[ECMP][SD]T|BST|IST|JST)(?![\w])
        | [-|:]                             # " - " and "|" between fields
    )\s*){{0,8}}?)
    (?P<open>[\[(<]\s?)?
    (?P<word>{_WORD})
    (?P<close>\s?[\])>])?
    (?P<sep>[:\s|,;]|$)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_TIMESTAMPED = re.compile(r"\d[:/\-]\d|\]")
_KLOG = re.compile(r"^([IWEF])\d{4} \d\d:\d\d:\d\d\.\d+ ")
_PRI = re.compile(r"^<(\d{1,3})>")
_REDIS = re.compile(r"^\d+:[XCSM] \d{1,2} [A-Z][a-z]{2} \d{4} [\d:.]+ ([.\-*#]) ")
_LOGFMT = re.compile(
    r"""^(?:[\w.\-@]+=(?>"(?:[^"\\]|\\.)*"|[^\s"]*)\s+){0,12}?
    (?:level|lvl|severity|loglevel|log\.level)="?(\w+)""",
    re.VERBOSE | re.IGNORECASE,
)
# When a JSON record is cut or broken: its level field found by eye.
_JSON_FIELD = re.compile(
    r'"(?:level|severity|lvl|loglevel|levelname|log\.level|@l)"\s*:\s*(?:"(\w+)"|(\d+))',
    re.IGNORECASE,
)
_JSON_KEYS = ("level", "severity", "lvl", "log.level", "loglevel", "levelname", "@l")
_JSON_MAX = 64 * 1024


def detect_level(text: str) -> Level | None:
    """The line's own level, or None when its format states none."""
    if not text:
        return None
    first = text[0]
    if first == "{":
        return _from_json(text)
    if first == "<" and (pri := _PRI.match(text)):
        value = int(pri.group(1))
        return _SYSLOG[value & 7] if value <= 191 else None
    if first in "IWEF" and (klog := _KLOG.match(text)):
        return _LETTERS[klog.group(1)]
    if first.isdigit() and (redis := _REDIS.match(text)):
        return _REDIS_MARKS[redis.group(1)]
    header = _HEADER.match(text)
    if header is not None and (level := _header_level(header)) is not None:
        return level
    if "=" in text[:400] and (logfmt := _LOGFMT.match(text)):
        return _WORDS.get(logfmt.group(1).lower())
    return None


def _header_level(match: re.Match[str]) -> Level | None:
    """Accept the word only where a format would put it.

    Upper case ("ERROR x"), bracketed ("[error]"), followed by a colon ("info:",
    "Error: connect ECONNREFUSED") or after a header of timestamps ("081109 203615
    148 info x") are levels; "error connecting" opening a sentence is not.
    """
    word = match.group("word")
    level = _WORDS[word.lower()]
    if word.upper() == "LOG" and word != "LOG":
        return None  # PostgreSQL's "LOG:" only, not the English word
    if word.isupper() or match.group("open") or match.group("close"):
        return level
    if match.group("sep") == ":":
        return level
    if _TIMESTAMPED.search(match.group("prefix")) and (word.islower() or word.istitle()):
        return level  # after a timestamp, formats write "info" too; after "1 " it is prose
    return None


def _from_json(text: str) -> Level | None:
    record = None
    if len(text) <= _JSON_MAX:
        try:
            record = json.loads(text)
        except ValueError:
            record = None
    if not isinstance(record, dict):
        found = _JSON_FIELD.search(text, 0, 2000)
        if found is None:
            return None
        return _level_value(found.group(1) if found.group(1) is not None else int(found.group(2)))
    for key in _JSON_KEYS:
        if key in record:
            return _level_value(record[key])
    nested = record.get("log")
    if isinstance(nested, dict) and "level" in nested:
        return _level_value(nested["level"])  # ECS: {"log": {"level": "warn"}}
    severity = record.get("s")
    if isinstance(severity, str) and severity[:1] in _LETTERS and len(severity) <= 2:
        return _LETTERS[severity[0]]  # MongoDB: "s": "I" / "W" / "E" / "F" / "D1".."D5"
    return None


def _level_value(value: object) -> Level | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _numeric(int(value))
    if isinstance(value, str):
        word = value.strip().lower()
        if word.isdigit():
            return _numeric(int(word))
        return _WORDS.get(word)
    return None


def _numeric(value: int) -> Level | None:
    """pino/bunyan levels (10 trace .. 60 fatal); 0..7 are syslog severities (GELF)."""
    if 0 <= value <= 7:
        return _SYSLOG[value]
    if value < 10:
        return None
    for floor, level in ((60, Level.FATAL), (50, Level.ERROR), (40, Level.WARN),
                         (30, Level.INFO), (20, Level.DEBUG)):  # fmt: skip
        if value >= floor:
            return level
    return Level.TRACE
