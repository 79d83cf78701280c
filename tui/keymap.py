"""The key-map file: the operator's own keys for any binding, by the binding's id.

The file is TOML, `keys.toml` in the config directory (or `--keys PATH`). Each
entry names a binding id (`warroom keys` lists them) and the key or keys it
takes from now on:

    incident.note = "N"                 # a dotted key is a table in TOML; both work
    "pods.logs" = "f2,ctrl+l"           # several keys: commas, or a list
    [logs]
    filter = ["f", "slash"]

Keys are written as Textual names them (`ctrl+n`, `f2`, `pageup`, `question_mark`)
or as the character itself (`?`, `/`, `N`); `ctrl-n` and `Esc`, as the help
screen shows them, are taken too. Everything is checked before the console
opens: an unknown id, a key that is not a key, or two bindings on one key in
one place stops the start with one line naming the file, because a remap that
silently does nothing is found only in the middle of an incident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from tui.config import APP_NAME, ConfigError
from tui.readfile import UnreadableFile, read_bytes

MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")

# Spellings people use (and the help screen shows) for keys Textual names otherwise.
KEY_ALIASES = {
    "esc": "escape",
    "return": "enter",
    "pgup": "pageup",
    "pgdn": "pagedown",
    "del": "delete",
    "ins": "insert",
    "bksp": "backspace",
}

NAMED_KEYS = frozenset(
    {"escape", "enter", "tab", "space", "backspace", "insert", "delete", "home", "end"}
    | {"pageup", "pagedown", "up", "down", "left", "right"}
    | {f"f{number}" for number in range(1, 25)}
)


class KeyMapError(ConfigError):
    """A key-map file that cannot be used, worded for the operator."""


def default_keys_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "keys.toml"


@dataclass(frozen=True, slots=True)
class KeyMap:
    """Binding id -> its keys, comma-separated as Textual takes them."""

    remaps: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None

    def keys_for(self, binding_id: str, default: str) -> str:
        return self.remaps.get(binding_id, default)


def normalize_key(text: str) -> str:
    """One key as Textual names it; ValueError (with the reason) when it is not a key."""
    key = text.strip()
    if not key:
        raise ValueError("an empty key")
    if len(key) == 1:
        return _character_key(key)
    # "ctrl-n", as the help screen writes it; a lone "-" is the minus key, handled above.
    key = re.sub(r"^((?:(?:ctrl|shift|alt|meta|super|hyper)-)+)", _dashes_to_plus, key, flags=re.I)
    *modifiers, base = key.split("+")
    for modifier in modifiers:
        if modifier.lower() not in MODIFIERS:
            raise ValueError(f"'{text}': '{modifier}' is not a modifier ({', '.join(MODIFIERS)})")
    if not base:
        raise ValueError(f"'{text}': no key after the modifier")
    prefix = "".join(f"{modifier.lower()}+" for modifier in modifiers)
    if len(base) == 1 and base.isalpha() and [m.lower() for m in modifiers] == ["shift"]:
        return base.upper()  # the terminal sends shift+n as N, and Textual names it so
    if len(base) == 1:
        # Textual names ctrl+N as ctrl+n: the terminal cannot tell them apart.
        return prefix + _character_key(base.lower() if modifiers else base)
    name = KEY_ALIASES.get(base.lower(), base.lower())
    if name in NAMED_KEYS or _names_a_character(name):
        return prefix + name
    raise ValueError(f"'{text}' is not a key (e.g. n, N, ?, f2, ctrl+n, pageup, escape)")


def _dashes_to_plus(match: re.Match[str]) -> str:
    return match.group(1).replace("-", "+")


def _character_key(character: str) -> str:
    from textual.keys import _character_to_key

    if not character.isprintable() or character == " ":
        return "space" if character == " " else _bad_character(character)
    return _character_to_key(character)


def _bad_character(character: str) -> str:
    raise ValueError(f"{character!r} is not a key")


def _names_a_character(name: str) -> bool:
    from textual.keys import key_to_character

    return key_to_character(name) is not None


def parse_keymap_text(text: str, origin: str) -> dict[str, str]:
    """Binding id -> normalized keys, from the file's TOML text (ids not yet checked)."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KeyMapError(f"{origin}: invalid TOML ({error})") from None
    remaps: dict[str, str] = {}
    for binding_id, value in _flatten(data):
        remaps[binding_id] = _keys_value(value, f"{origin}: {binding_id}")
    return remaps


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    # `incident.note = "N"` and `[incident] note = "N"` are the same table in TOML.
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value


def _keys_value(value: Any, where: str) -> str:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise KeyMapError(f"{where}: expected a key or a list of keys, not {value!r}")
    if not any(item.strip() for item in items):
        raise KeyMapError(f"{where}: no key given (every binding keeps at least one key)")
    keys: list[str] = []
    for item in items:
        try:
            key = normalize_key(item)
        except ValueError as error:
            raise KeyMapError(f"{where}: {error}") from None
        if key not in keys:
            keys.append(key)
    return ",".join(keys)


def read_keymap(path: Path | None = None) -> KeyMap:
    """Read and check the key map; no file at the default place means no remaps.

    An explicit path (`--keys`) must exist. Checking against every binding
    imports the screens, so it happens only when there is a file.
    """
    explicit = path is not None
    path = path.expanduser() if path is not None else default_keys_path()
    try:
        raw = read_bytes(path, what="key-map file")
    except UnreadableFile as error:
        if error.missing and not explicit:
            return KeyMap()
        raise KeyMapError(str(error)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KeyMapError(f"{path}: not UTF-8 text") from None
    remaps = parse_keymap_text(text, str(path))
    from tui.key_catalogue import catalogue

    check_keymap(remaps, catalogue(), str(path))
    return KeyMap(remaps=remaps, path=path)


def check_keymap(remaps: Mapping[str, str], scopes: Iterable[Any], origin: str) -> None:
    """Refuse unknown ids and keys taken twice in one place, naming both bindings.

    `scopes` are key_catalogue.Scope: every place keys work, with all the
    bindings that answer there (priority bindings of the console included).
    """
    scopes = list(scopes)
    known = {binding.id for scope in scopes for binding in scope.bindings if binding.id}
    for binding_id in remaps:
        if binding_id not in known:
            from difflib import get_close_matches  # only to suggest a fix

            close = get_close_matches(binding_id, sorted(known), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise KeyMapError(
                f"{origin}: unknown binding id '{binding_id}'{hint} ('warroom keys' lists them)"
            )
    for scope in scopes:
        taken: dict[str, Any] = {}
        for binding in scope.bindings:
            keys = remaps.get(binding.id, binding.key) if binding.id else binding.key
            for key in keys.split(","):
                other = taken.get(key)
                if other is None or _same_binding(other, binding):
                    taken[key] = binding
                    continue
                if binding.id in remaps or other.id in remaps:
                    raise KeyMapError(
                        f"{origin}: key '{key}' is taken twice in {scope.name}:"
                        f" {_label(other)} and {_label(binding)}"
                    )


def _same_binding(one: Any, other: Any) -> bool:
    if one.id or other.id:
        return bool(one.id == other.id)
    return bool(one.action == other.action)


def _label(binding: Any) -> str:
    return binding.id or f"the built-in '{binding.action}'"
