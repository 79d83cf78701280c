"""Loading a folder of real Kubernetes YAML into the drill cluster.

Every *.yaml / *.yml file (multi-document, `kind: List` too), in name order,
namespaces first. Objects get the API server's defaults and are then run by
the controllers like anything else. An object that already exists is
replaced (spec and data), as `kubectl apply` would. A file that is not YAML,
a document that is not an object, or a kind the drill does not serve is
refused with a message naming the file and the document.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tui.sim.resources import NAMESPACES, RESOURCES, ResourceType, for_kind

Obj = dict[str, Any]


class ManifestError(ValueError):
    """A manifest folder that cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class Manifest:
    path: Path
    document: int  # 1-based, within the file
    rtype: ResourceType
    obj: Obj


def served_kinds() -> str:
    kinds = sorted(
        {
            f"{r.api_version} {r.kind}"
            for r in RESOURCES
            if not r.virtual and r.group != "metrics.k8s.io"
        }
    )
    return ", ".join(kinds)


def read_folder(folder: Path) -> list[Manifest]:
    if not folder.is_dir():
        raise ManifestError(f"{folder}: not a directory of manifests")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    found: list[Manifest] = []
    for path in files:
        found.extend(read_file(path))
    # Namespaces first, as `kubectl apply -f folder` needs them before their contents.
    found.sort(key=lambda m: m.rtype is not NAMESPACES)
    return found


def read_file(path: Path) -> list[Manifest]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(f"{path}: cannot read: {error}") from None
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ManifestError(f"{path}: not valid YAML{line}: {problem}") from None
    found: list[Manifest] = []
    for number, document in enumerate(documents, start=1):
        if document is None:
            continue
        items = [document]
        if isinstance(document, dict) and document.get("kind") == "List":
            items = document.get("items") or []
        for item in items:
            found.append(_manifest(path, number, item))
    return found


def _manifest(path: Path, number: int, doc: Any) -> Manifest:
    where = f"{path}: document {number}"
    if not isinstance(doc, dict):
        raise ManifestError(f"{where}: expected a Kubernetes object, got {type(doc).__name__}")
    api_version, kind = doc.get("apiVersion"), doc.get("kind")
    if not api_version or not kind:
        raise ManifestError(f"{where}: an object needs apiVersion and kind")
    rtype = for_kind(str(api_version), str(kind))
    if rtype is None or rtype.virtual or rtype.group == "metrics.k8s.io":
        raise ManifestError(
            f"{where}: unknown kind {api_version} {kind};"
            f" the drill cluster serves: {served_kinds()}"
        )
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise ManifestError(f"{where}: {kind} needs metadata.name")
    return Manifest(path, number, rtype, doc)
