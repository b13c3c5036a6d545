"""Flux post-build substitution: where a `${var}` written in a manifest gets its value.

A Flux Kustomization (`kustomize.toolkit.fluxcd.io`) builds the folder of its `spec.path` and
replaces `${var}` in what it builds by `spec.postBuild.substitute[var]`, or by the key `var` of a
ConfigMap of `spec.postBuild.substituteFrom`. stefanprodan/gitops-istio keeps the Istio version
so: its HelmReleases say `version: "${version}"` and the ConfigMap `istio-version` says
`data.version: 1.13.3`; its version bumps edit that one line.

Locate-only: the values as written, for set-version to move. A Secret's value is encrypted or
encoded, never a place to write a version: not followed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any, Iterator

from ruamel.yaml.error import YAMLError

from gitops_bot.domain.images import value_span
from gitops_bot.domain.worktree import Literals, Worktree
from gitops_bot.parse.yaml import load_rt
from gitops_bot.text.splice import Lines

# A whole value that is one variable: `${version}`, `${version:=1.2.3}`, `${version:-1.2.3}`.
_VARIABLE_RE = re.compile(r"\$\{(?P<name>[A-Za-z_]\w*)(?::?[-=][^}]*)?\}")


@dataclass(frozen=True)
class Value:
    """Where a substitution variable's value is written: `start:end` spans it (inside quotes)."""

    path: str
    line: int  # 1-based
    start: int
    end: int
    value: str
    form: str


def variable(value: Any) -> str | None:
    """The variable a whole value substitutes (`${version}` -> `version`), or None."""
    m = _VARIABLE_RE.fullmatch(value.strip()) if isinstance(value, str) else None
    return m.group("name") if m else None


def values_of(tree: Worktree, path: str, name: str) -> list[Value]:
    """Where the Flux Kustomizations building `path` take variable `name` from: their inline
    `substitute` entry, or the ConfigMaps of their `substituteFrom` holding the key."""
    found: dict[tuple[str, int], Value] = {}
    for kustomization, spec in _kustomizations(tree):
        folder = _folder(spec.get("path"))
        if folder is None or not (folder == "" or path.startswith(folder + "/")):
            continue
        post = spec.get("postBuild") if hasattr(spec.get("postBuild"), "get") else {}
        inline = post.get("substitute")
        if hasattr(inline, "get") and name in inline:
            value = _at(tree, kustomization, inline, name, "Flux postBuild substitute")
            if value is not None:
                found.setdefault((value.path, value.start), value)
        sources = post.get("substituteFrom")
        for source in sources if isinstance(sources, list) else ():
            if hasattr(source, "get") and source.get("kind") == "ConfigMap" and isinstance(source.get("name"), str):
                for value in _config_map_values(tree, source["name"], name):
                    found.setdefault((value.path, value.start), value)
    return list(found.values())


def _folder(path: Any) -> str | None:
    """A Kustomization's `spec.path` as a folder of the tree (`./istio/system` -> `istio/system`)."""
    if not isinstance(path, str):
        return None
    normal = posixpath.normpath(path.strip().lstrip("/"))
    return "" if normal == "." else None if normal.startswith("..") else normal


def _docs(tree: Worktree, path: str) -> list[Any]:
    try:
        return [d for d in load_rt(tree.read(path) or "") if hasattr(d, "get")]
    except (YAMLError, RecursionError, ValueError):
        return []


def _kustomizations(tree: Worktree) -> Iterator[tuple[str, Any]]:
    """(path, spec) of each Flux Kustomization with a `postBuild`."""
    for path in tree.grep(Literals([b"postBuild"])):
        if path.endswith((".yaml", ".yml")):
            for doc in _docs(tree, path):
                spec = doc.get("spec")
                if doc.get("kind") == "Kustomization" and str(doc.get("apiVersion", "")).startswith(
                        "kustomize.toolkit.fluxcd.io") and hasattr(spec, "get"):
                    yield path, spec


def _config_map_values(tree: Worktree, config_map: str, name: str) -> list[Value]:
    found = []
    for path in tree.grep(Literals([config_map.encode()])):
        if not path.endswith((".yaml", ".yml")):
            continue
        for doc in _docs(tree, path):
            meta, data = doc.get("metadata"), doc.get("data")
            if doc.get("kind") == "ConfigMap" and hasattr(meta, "get") and meta.get("name") == config_map \
                    and hasattr(data, "get") and name in data:
                form = f"ConfigMap {config_map} data.{name} (Flux postBuild substituteFrom)"
                value = _at(tree, path, data, name, form)
                if value is not None:
                    found.append(value)
    return found


def _at(tree: Worktree, path: str, mapping: Any, key: str, form: str) -> Value | None:
    text = tree.read(path) or ""
    lines = Lines(text)
    span = value_span(mapping, key, lines)
    if span is None:
        return None
    return Value(path, lines.line_of(span[0]) + 1, span[0], span[1], text[span[0]:span[1]], form)
