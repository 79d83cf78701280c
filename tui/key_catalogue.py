"""Every binding of the console and the review screen, found in the classes themselves.

The key-map file is checked against this, and `warroom keys` prints it, so a
binding added anywhere (a new pane, a new dialog) is remappable and listed
without a list kept by hand. Importing every screen takes a moment, which is
why only `warroom keys` and a present key-map file pay for it.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from textual.binding import Binding
from textual.dom import DOMNode

# The console's own modules first, so the listing reads from the console outwards.
FIRST_MODULES = (
    "tui.app",
    "tui.screens.console",
    "widgets.pods_pane",
    "widgets.containers_pane",
    "widgets.ingress_pane",
    "widgets.ingress_view",
    "widgets.logs_pane",
    "widgets.log_view",
    "widgets.runbook_pane",
    "widgets.timeline_pane",
    "tui.screens.review_app",
)
PACKAGES = ("tui.screens", "widgets")
PROJECT_MODULES = ("tui.", "widgets.")


@dataclass(frozen=True, slots=True)
class Scope:
    """One place keys work (a screen, a pane, a dialog) and every binding that answers there."""

    name: str
    bindings: tuple[Binding, ...]


@dataclass(frozen=True, slots=True)
class BindingEntry:
    """One binding id as the operator remaps it."""

    id: str
    keys: str
    description: str
    places: tuple[str, ...]


@cache
def _import_everything() -> None:
    for name in FIRST_MODULES:
        importlib.import_module(name)
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package_name}.{module.name}")


def _project_classes() -> list[type[DOMNode]]:
    """Project classes with bindings, in import order (subclass walk, deduplicated)."""
    _import_everything()

    def walk(cls: type[DOMNode]) -> Iterator[type[DOMNode]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    found: dict[type[DOMNode], None] = {}
    for cls in walk(DOMNode):
        if cls.__module__.startswith(PROJECT_MODULES) and cls.__dict__.get("BINDINGS"):
            found[cls] = None
    order = {name: index for index, name in enumerate(FIRST_MODULES)}
    return sorted(found, key=lambda cls: order.get(cls.__module__, len(order)))


def _merged(cls: type[DOMNode]) -> list[Binding]:
    # What Textual itself uses: the class's bindings with those it inherits.
    merged = cls._merged_bindings
    if merged is None:
        return []
    return [binding for bindings in merged.key_to_bindings.values() for binding in bindings]


def _in_console(cls: type[DOMNode]) -> bool:
    from tui.app import WarRoomApp
    from tui.screens.console import ConsoleScreen

    return cls.__module__.startswith("widgets.") or cls in (ConsoleScreen, WarRoomApp)


@cache
def catalogue() -> tuple[Scope, ...]:
    """Every place keys work. The console's panes also hear its priority bindings
    (tab, shift+tab, ctrl+q), which win over any pane key."""
    from tui.app import WarRoomApp
    from tui.screens.console import ConsoleScreen

    everywhere = tuple(
        binding
        for owner in (WarRoomApp, ConsoleScreen)
        for binding in _merged(owner)
        if binding.priority
    )
    scopes: list[Scope] = []
    for cls in _project_classes():
        own = _merged(cls)
        extra = [b for b in everywhere if b not in own] if _in_console(cls) else []
        scopes.append(Scope(cls.__name__, (*own, *extra)))
    return tuple(scopes)


def entries() -> list[BindingEntry]:
    """Every binding id once, grouped by area (the part before the dot)."""
    by_id: dict[str, tuple[list[str], str, list[str]]] = {}
    for cls in _project_classes():
        for binding in _declared(cls):
            if not binding.id:
                continue
            keys, _description, places = by_id.setdefault(
                binding.id, ([], binding.tooltip or binding.description, [])
            )
            for key in binding.key.split(","):
                if key.strip() and key.strip() not in keys:
                    keys.append(key.strip())
            if cls.__name__ not in places:
                places.append(cls.__name__)
    areas: dict[str, int] = {}
    for binding_id in by_id:
        areas.setdefault(binding_id.partition(".")[0], len(areas))
    ordered = sorted(by_id, key=lambda binding_id: areas[binding_id.partition(".")[0]])
    return [
        BindingEntry(binding_id, ",".join(keys), description, tuple(places))
        for binding_id in ordered
        for keys, description, places in [by_id[binding_id]]
    ]


def _declared(cls: type[DOMNode]) -> list[Binding]:
    return [
        item if isinstance(item, Binding) else Binding(*item)
        for item in cls.__dict__.get("BINDINGS", [])
    ]
