"""How keys are written for people: '?' rather than 'question_mark'."""

from __future__ import annotations

KEY_NAMES = {
    "question_mark": "?", "shift+tab": "shift-tab", "ctrl+p": "ctrl-p", "ctrl+q": "ctrl-q",
    "ctrl+d": "ctrl-d", "ctrl+s": "ctrl-s", "enter": "Enter", "escape": "Esc", "space": "space",
    "slash": "/", "plus": "+", "minus": "-", "equals_sign": "=",
}  # fmt: skip


def key_name(key: str) -> str:
    return KEY_NAMES.get(key, key)
