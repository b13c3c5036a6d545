"""Format-preserving editors, one module per file type, and the registry that picks one.

Every editor exposes `remove_service(text, ctx) -> EditResult`: it locates spans with a parser,
splices the original text, and verifies the result by re-parsing; an edit it cannot verify is
refused (the text comes back unchanged with a Refusal).
"""

from __future__ import annotations

import posixpath
from types import ModuleType

from . import gowork, hcl, helm, make, markdown, shell, yaml_file

# File kind -> editor module. Kinds missing here are never edited (their mentions are residue).
EDITORS: dict[str, ModuleType] = {
    "yaml": yaml_file,
    "helm": helm,
    "hcl": hcl,
    "make": make,
    "gowork": gowork,
    "shell": shell,
    "markdown": markdown,
}

SOURCE_SUFFIXES = frozenset({".go", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".java", ".kt", ".py", ".rb",
                             ".rs", ".c", ".h", ".cpp", ".cs", ".php", ".swift", ".scala", ".vue",
                             ".mod", ".sum", ".gradle", ".xml", ".proto", ".sql", ".css", ".html"})
_GENERATED_NAMES = frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.sum",
                              "Chart.lock", "poetry.lock", "Cargo.lock"})


def classify(path: str, text: str | None) -> str:
    """The kind of a file: an editor kind, or source, generated, binary, other."""
    base = posixpath.basename(path)
    suffix = posixpath.splitext(base)[1].lower()
    if text is None:
        return "binary"
    if base in _GENERATED_NAMES:
        return "generated"
    if base == "go.work":
        return "gowork"
    if base in ("Makefile", "makefile", "GNUmakefile") or suffix == ".mk":
        return "make"
    if suffix in (".tf", ".tfvars", ".hcl"):
        return "hcl"
    if suffix in (".yaml", ".yml"):
        # Any YAML with template actions is a template: chart templates, ApplicationSet
        # templates (`{{name}}`), values rendered by another tool.
        return "helm" if "/templates/" in "/" + path or "{{" in text else "yaml"
    if suffix == ".tpl":
        return "helm"
    if suffix in (".sh", ".bash") or text.startswith(("#!/bin/bash", "#!/usr/bin/env bash", "#!/bin/sh")):
        return "shell"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix in SOURCE_SUFFIXES or base == "Dockerfile":
        return "source"
    return "other"
