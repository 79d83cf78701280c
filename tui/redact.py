"""Masking secrets in text that is about to be shown (or, by option, exported).

The console is shown to a room over a screen share: a bearer token in a log
line, a password in a process's command line or the `data:` of a Secret must
not reach the screen. `Redactor.redact` replaces the secret part of each match
with MASK and keeps what is around it readable:

    password=hunter2                    ->  password=‹redacted›
    https://deploy:s3cr3t@git.example   ->  https://deploy:‹redacted›@git.example
    Authorization: Bearer eyJhbGciOi…   ->  Authorization: Bearer ‹redacted›

Redaction is a view concern: the incident file keeps the truth, and text is
never redacted before it is recorded. tui/screen_redaction.py holds the redactor
the console uses while redaction is on (None while off); the display helpers in
tui/safetext.py consult it, so every pane follows one switch.

Placeholders are left alone, because masking them hides nothing and makes a
runbook harder to read: an empty value, `<PASSWORD>`, `${VAR}`, `$VAR`,
`{{ .Values.x }}`, `%(name)s`, runs of `*`, `x` or `•`, and words such as
`null`, `none`, `redacted` or `changeme`.

Speed: this runs on every visible log line, so every pattern is compiled once,
the built-in ones are one combined regex applied in a single pass (plus the
passes that need a whole object, a Secret or a container's environment, only when
their words are there), and a line with none of the trigger substrings (checked
on a lower-cased copy) skips them all. Extra patterns from the configuration run
after, on every text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

MASK = "‹redacted›"

# Key names whose value is a secret. A prefix is allowed (DB_PASSWORD, x-api-key,
# client_secret); the suffix is limited so that secretName, tokens or
# password_policy, which are not secrets, are left alone.
_SECRET_WORD = r"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)"
_KEY = r"[A-Za-z0-9_.-]*?" + _SECRET_WORD + r"(?:[_-]?(?:access[_-]?key|key|value|b64|base64))?"

# Each alternative names its groups with a prefix; `_replace` dispatches on which
# alternative matched. Order matters where two could start at the same place.
# @KEY@ stands for _KEY.
_BUILTIN = r"""
(?P<pem>
    -----BEGIN\ (?P<pem_kind>[A-Z0-9 ]*PRIVATE\ KEY(?:\ BLOCK)?)-----
    (?P<pem_body>(?s:.*?))
    (?P<pem_end>-----END\ (?P=pem_kind)-----|\Z)
)
|(?P<jwt>\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*)
|(?P<akid>\b(?P<akid_prefix>AKIA|ASIA)[A-Z0-9]{16}\b)
|(?P<known>                           # tokens whose prefix says what they are
    \b(?P<known_prefix>gh[pousr]_|github_pat_|glpat-|xox[abposr]-|sk_live_|rk_live_)
    [A-Za-z0-9_-]{16,}
)
|(?P<url>
    (?P<url_head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@'"]*:)
    (?P<url_pass>[^\s/@'"]+)
    (?=@)
)
|(?P<auth>
    (?P<auth_head>(?i:\b(?:proxy-)?authorization)\\?["']?[ \t]*[:=][ \t]*\\?["']?
        (?:(?P<auth_scheme>(?i:bearer|basic|token|digest|negotiate|apikey|sso-key))[ \t]+)?)
    (?P<auth_value>[^\s"'\\,;]+)
)
|(?P<bearer>
    (?P<bearer_head>(?i:\bbearer)[ \t]+)
    (?P<bearer_value>[A-Za-z0-9\-._~+/]+=*)
)
|(?P<awssecret>
    (?P<awssecret_head>(?i:(?:aws)?[_-]?secret[_-]?access[_-]?key)\\?["']?
        (?:[ \t]*[:=][ \t]*|[ \t]+)\\?["']?)
    (?P<awssecret_value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])
)
|(?P<kv>
    (?P<kv_head>(?<![A-Za-z0-9_.-])(?i:@KEY@)(?![A-Za-z0-9])
        \\?["']?[ \t]*(?::|=>|=)[ \t]*)
    (?:
        \\"(?P<kv_eqv>[^"\\\n]*)        # \"value\" inside a JSON string
        |"(?P<kv_dqv>(?:[^"\\\n]|\\.)*)
        |'(?P<kv_sqv>[^'\n]*)
        |(?P<kv_value>[^\s"'\\,;&]+)
    )
)
|(?P<flag>
    (?P<flag_head>(?<!\S)--?(?i:@KEY@)[ \t]+)
    (?P<flag_value>[^\s\-"'][^\s"']*)
)
"""

# Lower-case substrings at least one of which every built-in match contains.
_TRIGGERS = (
    "private key", "eyj", "akia", "asia", "://", "authorization", "bearer",
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "_live_",
    "pass", "pwd", "secret", "token", "key", "mysql", "mariadb",
)  # fmt: skip

# A line of a PEM or OpenSSH key body, arriving alone (logs come one line at a time).
_KEY_BODY_LINE = re.compile(r"[A-Za-z0-9+/]{63,64}=?|[A-Za-z0-9+/]{69,70}=?")

# `mysql -pSECRET` (no space): only after a MySQL client name, as `-p` means
# something else to other commands (mkdir -p, ssh -p2222).
_MYSQL = re.compile(r"(?i:\b(?:mysql\w*|mariadb\w*))\b[^\n]*?(?<=\s)-p(?P<value>[^\s\-][^\s]*)")

# The kind and the data sections of a Kubernetes Secret, as YAML or JSON.
_SECRET_KIND = re.compile(r"""(?m)^\s*kind:\s*["']?Secret["']?\s*$|"kind"\s*:\s*"Secret\"""")
_YAML_DATA = re.compile(r"(?m)^(?P<indent>[ \t]*)(?:data|stringData):[ \t]*$")
_YAML_ENTRY = re.compile(r"^(?P<head>[ \t]*[^:\s][^:]*:[ \t]*)(?P<value>\S.*)$")
_JSON_DATA = re.compile(r'"(?:data|stringData)"\s*:\s*\{(?P<body>[^{}]*)\}')
_JSON_ENTRY = re.compile(r'(?P<head>"(?:[^"\\]|\\.)*"\s*:\s*")(?P<value>(?:[^"\\]|\\.)*)"')

# A key whose value is a secret, whatever the value looks like (structured data).
_SECRET_KEY = re.compile(_KEY, re.IGNORECASE)

# A container's environment in a manifest: `- name: DB_PASSWORD` then `value: ...`
# (YAML), or {"name": "DB_PASSWORD", "value": "..."} (JSON).
_YAML_ENV = re.compile(
    r"""(?m)^[ \t]*(?:-[ \t]*)?name:[ \t]*["']?(?P<key>[\w.-]+)["']?[ \t]*\n"""
    r"""(?P<head>[ \t]+value:[ \t]*)(?P<value>\S.*)$"""
)
_JSON_ENV = re.compile(
    r'"name"\s*:\s*"(?P<key>[\w.-]+)"\s*,\s*(?P<head>"value"\s*:\s*")(?P<value>(?:[^"\\]|\\.)*)"'
)

_PLACEHOLDER = re.compile(
    r"""
    \A(?:
        <.*|\$\{.*|\$\(.*|\{\{.*    # <PASSWORD>, ${VAR}, $(cat f), {{ .Values.x }}
        |\$[A-Za-z_]\w*                # $VAR
        |%\([^)]*\)s|%s               # %(password)s
        |[*x•X.]+                     # ***, xxxx
        |\[?(?i:redacted|masked|hidden|filtered)\]?
        |(?i:null|none|nil|true|false|changeme|example|placeholder|required|optional)
        |‹redacted›
    )\Z
    """,
    re.VERBOSE,
)


class RedactionError(ValueError):
    """An extra pattern that cannot be used, worded for the operator."""


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    """Compile extra patterns from the configuration, naming the first bad one."""
    compiled = []
    for pattern in patterns:
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise RedactionError(
                f"{pattern!r} is not a valid regular expression: {error}"
            ) from None
        if regex.match(""):
            raise RedactionError(f"{pattern!r} matches empty text, so it would mask nothing useful")
        compiled.append(regex)
    return tuple(compiled)


def is_placeholder(value: str) -> bool:
    """A value that stands for a secret without being one: nothing to hide."""
    return not value.strip() or _PLACEHOLDER.match(value.strip()) is not None


@cache
def _combined() -> re.Pattern[str]:
    # Compiled on first use, not at import: the console imports this module before
    # its first frame, and most consoles never redact.
    return re.compile(_BUILTIN.replace("@KEY@", _KEY), re.VERBOSE)


class Redactor:
    """Masks secrets in text; `extra` are regexes from configuration.

    An extra pattern with groups masks only what its first group matched (so the
    key in front can stay readable); without groups it masks the whole match.
    """

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.extra = compile_patterns(extra)

    def redact(self, text: str) -> str:
        """`text` with every secret it holds replaced by MASK."""
        if not text:
            return text
        lowered = text.lower()
        if any(trigger in lowered for trigger in _TRIGGERS):
            text = _combined().sub(_replace, text)
            if "mysql" in lowered or "mariadb" in lowered:
                text = _MYSQL.sub(_replace_mysql, text)
            if "secret" in lowered and _SECRET_KIND.search(text):
                text = _secret_data(text)
            if "value" in lowered and "name" in lowered:
                text = _YAML_ENV.sub(_replace_env, text)
                text = _JSON_ENV.sub(_replace_env, text)
        text = _key_body_lines(text)
        for pattern in self.extra:
            text = pattern.sub(_replace_extra, text)
        return text

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact_value(self, value: Any, key: str = "") -> Any:
        """A JSON-like value (an event's data) with secrets masked, its shape kept.

        Under a secret-named key (password, token...) any value but a placeholder is
        masked; other strings are redacted as text; a Secret object's data values
        are masked whole."""
        secret_key = bool(key) and _SECRET_KEY.fullmatch(key) is not None
        if isinstance(value, str):
            if secret_key and not is_placeholder(value):
                return MASK
            return self.redact(value)
        if isinstance(value, dict):
            if value.get("kind") == "Secret":
                value = {
                    name: _masked_values(item) if name in ("data", "stringData") else item
                    for name, item in value.items()
                }
            return {name: self.redact_value(item, str(name)) for name, item in value.items()}
        if isinstance(value, list):
            return [self.redact_value(item, key) for item in value]
        if secret_key and isinstance(value, int | float) and not isinstance(value, bool):
            return MASK
        return value


def _masked_values(data: Any) -> Any:
    if not isinstance(data, dict):
        return data
    return {name: value if is_placeholder(str(value)) else MASK for name, value in data.items()}


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind == "pem":
        if not match["pem_end"] and not match["pem_body"].strip():
            return match.group()  # a header line alone: nothing secret on it yet
        return f"-----BEGIN {match['pem_kind']}-----{MASK}{match['pem_end']}"
    if kind == "jwt":
        return MASK
    if kind in ("akid", "known"):
        return match[f"{kind}_prefix"] + MASK
    if kind == "kv":
        for group in ("kv_eqv", "kv_dqv", "kv_sqv", "kv_value"):
            if match[group] is not None:
                return _mask_group(match, group)
    if kind == "bearer" and not _looks_like_token(match["bearer_value"]):
        return match.group()
    if (
        kind == "auth"
        and match["auth_scheme"] is None
        and not _looks_like_token(match["auth_value"])
    ):
        return match.group()
    if kind in _VALUE_GROUPS:
        return _mask_group(match, _VALUE_GROUPS[kind])
    return match.group()


_VALUE_GROUPS = {
    "url": "url_pass",
    "auth": "auth_value",
    "bearer": "bearer_value",
    "awssecret": "awssecret_value",
    "flag": "flag_value",
}


def _mask_group(match: re.Match[str], group: str) -> str:
    """The whole match with what `group` matched masked, unless it is a placeholder."""
    whole, value = match.group(), match[group]
    if is_placeholder(value):
        return whole
    start, end = match.start(group) - match.start(), match.end(group) - match.start()
    return whole[:start] + MASK + whole[end:]


def _looks_like_token(value: str) -> bool:
    """A credential rather than a word: 'Bearer realm' or 'bearer of bad news' stay."""
    if is_placeholder(value):
        return False
    if len(value) >= 20:
        return True
    return len(value) >= 8 and any(not ch.isalpha() for ch in value)


def _replace_env(match: re.Match[str]) -> str:
    """An environment variable with a secret's name: its value is masked."""
    value = match["value"].strip().strip("\"'")
    if _SECRET_KEY.fullmatch(match["key"]) is None or is_placeholder(value):
        return match.group()
    whole = match.group()
    start, end = match.start("value") - match.start(), match.end("value") - match.start()
    return whole[:start] + MASK + whole[end:]


def _replace_mysql(match: re.Match[str]) -> str:
    value = match["value"]
    if is_placeholder(value):
        return match.group()
    return match.group()[: match.start("value") - match.start()] + MASK


def _replace_extra(match: re.Match[str]) -> str:
    if match.re.groups and match.start(1) >= 0:
        whole, start = match.group(), match.start()
        return whole[: match.start(1) - start] + MASK + whole[match.end(1) - start :]
    return MASK


def _key_body_lines(text: str) -> str:
    """Mask lines that are nothing but a key's base64 body (64 or 70 characters)."""
    if "\n" not in text:
        stripped = text.strip()
        if _is_key_body(stripped):
            return text.replace(stripped, MASK)
        return text
    lines = text.split("\n")
    changed = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if _is_key_body(stripped):
            lines[index] = line.replace(stripped, MASK)
            changed = True
    return "\n".join(lines) if changed else text


def _is_key_body(stripped: str) -> bool:
    # Mixed case and a digit: a sha256 hex digest (64 characters) is all lower case.
    return (
        len(stripped) in (63, 64, 65, 69, 70, 71)
        and _KEY_BODY_LINE.fullmatch(stripped) is not None
        and not stripped.islower()
        and not stripped.isupper()
        and any(ch.isdigit() for ch in stripped)
    )


def _secret_data(text: str) -> str:
    """Mask the values under `data:` and `stringData:` of a Secret (YAML and JSON)."""
    text = _JSON_DATA.sub(
        lambda block: block.group().replace(
            block["body"], _JSON_ENTRY.sub(_replace_json_entry, block["body"])
        ),
        text,
    )
    if _YAML_DATA.search(text) is None:
        return text
    lines = text.split("\n")
    inside: int | None = None  # the indentation of the data: line we are under
    entry_indent: int | None = None  # the indentation of its entries
    for index, line in enumerate(lines):
        header = _YAML_DATA.match(line)
        if header is not None:
            inside, entry_indent = len(header["indent"].expandtabs()), None
            continue
        if inside is None or not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= inside:
            inside = None
            continue
        if entry_indent is None:
            entry_indent = indent
        entry = _YAML_ENTRY.match(line) if indent == entry_indent else None
        if entry is not None:
            value = entry["value"].strip()
            if value[:1] in ("|", ">") and len(value) <= 3:
                continue  # a block scalar's indicator: its lines below are masked
            if not is_placeholder(value):
                lines[index] = entry["head"] + MASK
        elif indent > entry_indent:
            # The body of a block scalar (key: |): every line of it is the value.
            lines[index] = line[:indent] + MASK
    return "\n".join(lines)


def _replace_json_entry(entry: re.Match[str]) -> str:
    if is_placeholder(entry["value"]):
        return entry.group()
    return entry["head"] + MASK + '"'
