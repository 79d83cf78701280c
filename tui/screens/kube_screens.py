"""The Kubernetes screens, in one place for the app: detail and YAML views, and the
dialogs before a cluster changes (confirm, revision, replicas, contexts/namespace).

    PodDetailScreen(pod, events, owners, context)            -> None
    YamlScreen(title, text)                                   -> None
    ConfirmActionScreen(ref, title, consequence, typed=, production=)  -> bool
    RevisionPickerScreen(ref, revisions)                      -> int | None
    ScaleScreen(ref, current)                                 -> int | None
    ChoiceListScreen(title, options, selected, multiple=, marker="(current)")
                                   -> list[str] (multiple) | str | None
                                      (ALL_NAMESPACES: the "every namespace" option value)
"""

from __future__ import annotations

from tui.screens.kube_detail import PodDetailScreen, YamlScreen
from tui.screens.kube_dialogs import (
    ALL_NAMESPACES,
    MAX_REPLICAS,
    ChoiceListScreen,
    ConfirmActionScreen,
    RevisionPickerScreen,
    ScaleScreen,
)

__all__ = [
    "ALL_NAMESPACES",
    "MAX_REPLICAS",
    "ChoiceListScreen",
    "ConfirmActionScreen",
    "PodDetailScreen",
    "RevisionPickerScreen",
    "ScaleScreen",
    "YamlScreen",
]
