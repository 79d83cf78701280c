"""What the command line asked of Kubernetes (kubectl's flags), as a plain value.

Kept apart from tui.kube_session so the command line can build it without loading
the Kubernetes model and client before the console's first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class KubeOptions:
    """What the command line asked for (kubectl's flags)."""

    kubeconfig: Path | None = None
    contexts: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    all_namespaces: bool = False
