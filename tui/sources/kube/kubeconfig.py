"""Finding kubeconfig files and their contexts, as kubectl does.

Order: `--kubeconfig`, then $KUBECONFIG (a colon-separated list, merged), then
~/.kube/config. Contexts are read with PyYAML here (cheap) so the console can
name them before the kubernetes client is loaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class KubeconfigError(Exception):
    """No usable kubeconfig: the message says where we looked and what was wrong."""


@dataclass(frozen=True, slots=True)
class KubeconfigInfo:
    files: tuple[Path, ...]
    contexts: tuple[str, ...]
    current: str | None
    # context -> its namespace setting (kubectl's default namespace), if any
    namespaces: dict[str, str]

    @property
    def config_file(self) -> str:
        """The value the kubernetes client takes: colon-joined like $KUBECONFIG."""
        return os.pathsep.join(str(f) for f in self.files)


def kubeconfig_files(
    explicit: Path | None = None, environ: dict[str, str] | None = None
) -> list[Path]:
    environ = dict(os.environ) if environ is None else environ
    if explicit is not None:
        return [explicit.expanduser()]
    if environ.get("KUBECONFIG"):
        return [Path(p).expanduser() for p in environ["KUBECONFIG"].split(os.pathsep) if p]
    home = Path(environ.get("HOME") or Path.home())
    return [home / ".kube" / "config"]


def read_kubeconfig(
    explicit: Path | None = None, environ: dict[str, str] | None = None
) -> KubeconfigInfo:
    """Contexts of the merged kubeconfig; KubeconfigError if there is none usable."""
    candidates = kubeconfig_files(explicit, environ)
    found: list[Path] = []
    contexts: list[str] = []
    namespaces: dict[str, str] = {}
    current: str | None = None
    problems: list[str] = []
    import yaml  # here, not at import time: the console's first frame does not need it

    for path in candidates:
        if not path.is_file():
            if explicit is not None:
                problems.append(f"{path}: no such file")
            continue
        try:
            data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            problems.append(f"{path}: {_short(error)}")
            continue
        if not isinstance(data, dict):
            problems.append(f"{path}: not a kubeconfig")
            continue
        found.append(path)
        # As kubectl merges: the first file to set a value wins.
        current = current or data.get("current-context") or None
        for entry in data.get("contexts") or []:
            if isinstance(entry, dict) and entry.get("name") and entry["name"] not in contexts:
                contexts.append(str(entry["name"]))
                namespace = (entry.get("context") or {}).get("namespace")
                if namespace:
                    namespaces[str(entry["name"])] = str(namespace)
    if problems and not found:
        raise KubeconfigError("; ".join(problems))
    if not found:
        where = ", ".join(str(p) for p in candidates)
        raise KubeconfigError(
            f"no kubeconfig found (looked at {where}; set KUBECONFIG or --kubeconfig)"
        )
    if not contexts:
        raise KubeconfigError(f"{found[0]}: no contexts defined")
    return KubeconfigInfo(tuple(found), tuple(contexts), current, namespaces)


def _short(error: Exception) -> str:
    return str(error).splitlines()[0][:200]
