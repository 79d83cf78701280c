"""How keys are written for people: '?' rather than 'question_mark'."""

from __future__ import annotations

from textual.keys import key_to_character

KEY_NAMES = {
    "question_mark": "?", "shift+tab": "shift-tab", "ctrl+p": "ctrl-p", "ctrl+q": "ctrl-q",
    "ctrl+d": "ctrl-d", "ctrl+s": "ctrl-s", "enter": "Enter", "escape": "Esc", "space": "space",
    "slash": "/", "plus": "+", "minus": "-", "equals_sign": "=",
}  # fmt: skip

# Modifiers are written with a dash, as the key bar and the help show them.
MODIFIER_PREFIXES = ("ctrl+", "shift+", "alt+", "meta+", "super+", "hyper+")


def key_name(key: str) -> str:
    """One key, or a comma-separated list (a binding's keys, remapped ones too)."""
    if "," in key and key != ",":
        return ",".join(key_name(part) for part in key.split(","))
    if key in KEY_NAMES:
        return KEY_NAMES[key]
    if key.startswith(MODIFIER_PREFIXES):
        modifiers, _, base = key.rpartition("+")
        return f"{modifiers.replace('+', '-')}-{key_name(base)}"
    character = key_to_character(key) if len(key) > 1 else None
    # A named character ("exclamation_mark") reads better as itself; a comma would
    # be taken for the list separator, so it keeps its name.
    if character and character.isprintable() and character not in " ,":
        return character
    return key
