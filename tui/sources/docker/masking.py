"""Hiding secrets in what a container's inspect shows: environment, labels, arguments.

An incident screen is shared in a call and screenshots end up in postmortems.
Values whose name looks secret are masked, and so is the password part of any
URL (`postgres://app:hunter2@db/app`). Masking errs on the side of hiding: an
operator who needs the value has `docker inspect`.
"""

from __future__ import annotations

import re

MASK = "••••••"
_SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"credential|auth|cookie|signature|salt|dsn|_key$|^key$|pwd",
    re.IGNORECASE,
)
# scheme://user:password@host -> scheme://user:••••••@host
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@/\s]+)(?=@)",
                           re.IGNORECASE)  # fmt: skip
# --password=x, --db-token=x, PASSWORD=x inside a command's arguments
_ASSIGNMENT = re.compile(r"^(?P<name>-{0,2}[A-Za-z0-9_.-]+)=(?P<value>.+)$")


def secret_name(name: str) -> bool:
    return bool(_SECRET_NAME.search(name))


def mask_urls(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m["head"] + MASK, text)


def mask_value(name: str, value: str) -> str:
    return MASK if value and secret_name(name) else mask_urls(value)


def mask_env(entries: list[str]) -> list[tuple[str, str]]:
    """Docker's ["NAME=value", ...] as (name, shown value) pairs."""
    pairs: list[tuple[str, str]] = []
    for entry in entries:
        name, _, value = str(entry).partition("=")
        pairs.append((name, mask_value(name, value)))
    return pairs


def mask_args(args: list[str]) -> list[str]:
    """A command's arguments with secret-looking options' values masked."""
    shown: list[str] = []
    hide_next = False
    for arg in (str(a) for a in args):
        if hide_next:
            shown.append(MASK)
            hide_next = False
            continue
        match = _ASSIGNMENT.match(arg)
        if match and secret_name(match["name"]):
            shown.append(f"{match['name']}={MASK}")
        elif arg.startswith("--") and secret_name(arg) and "=" not in arg:
            shown.append(arg)
            hide_next = True  # --password hunter2
        else:
            shown.append(mask_urls(arg))
    return shown
