"""Imports of remaining source code that resolve to deleted files or folders.

Only imports whose target is known from the repository itself are resolved: Go import paths
inside a module of the tree (the `module` line of a go.mod plus the package folder), Python
relative imports (`from .video import player`, `from .. import video`), absolute ones whose first
name is a module or package of the tree (found from the importing file's folder up to the
root, as a script's own folder is first on its path: `from utils import video`), and relative
JavaScript/TypeScript specifiers (`import x from "../video/player"`, `require("./video")`,
`export * from "./video"`, `import("./video")`). A package from a registry is never judged.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from itertools import islice
from typing import Iterable

from gitops_bot.domain.pathrefs import Gone

_GO_MODULE = re.compile(r"(?m)^module[ \t]+\"?([^\s\"]+)")
_GO_SINGLE = re.compile(r"^\s*import\s+(?:[\w.]+\s+)?\"([^\"]+)\"")
_GO_IN_BLOCK = re.compile(r"^\s*(?:[\w.]+\s+)?\"([^\"]+)\"")
_PY_FROM = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?\s*([\w\s,]*)")
_PY_IMPORT = re.compile(r"^\s*import\s+([A-Za-z_][\w.]*)")
_JS_SPEC = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}/[^'"]*)\1""")
_JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".json", ".d.ts")
JS_FILES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts", ".vue", ".svelte")


@dataclass(frozen=True)
class Import:
    """A line of a source file (1-based) that imports `target`, a deleted path."""

    line: int
    text: str
    target: str


def go_modules(go_mods: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The module path each go.mod declares, to its folder: {`example.com/app`: `services/app`}."""
    found = {}
    for path, text in go_mods:
        match = _GO_MODULE.search(text)
        if match:
            found[match.group(1)] = posixpath.dirname(path)
    return found


def go_import_prefixes(modules: dict[str, str], gone: Gone) -> set[str]:
    """The import paths under which a deleted Go package is imported (a byte prefilter): the
    module's path and the folder below the module, or the module itself when it went whole."""
    prefixes = set()
    for module, folder in modules.items():
        for deleted in gone.tops:
            if not folder or deleted.startswith(folder + "/"):
                prefixes.add(f"{module}/{deleted[len(folder):].lstrip('/')}")
            elif deleted == folder or folder.startswith(deleted + "/"):
                prefixes.add(module)
    return prefixes


def imports_of_deleted(path: str, text: str, gone: Gone, modules: dict[str, str]) -> list[Import]:
    """The imports of the source file `path` that resolve to a deleted file or folder."""
    folder = posixpath.dirname(path)
    if path.endswith(".go"):
        pairs = ((n, _go_target(spec, modules, gone)) for n, spec in _go_imports(text))
    elif path.endswith(".py"):
        pairs = ((n, _python_target(spec, folder, gone)) for n, spec in _python_imports(text))
    elif path.endswith(JS_FILES):
        pairs = ((n, _js_target(spec, folder, gone)) for n, spec in _js_imports(text))
    else:
        return []
    lines = text.splitlines()
    return [Import(n, lines[n - 1].strip(), target) for n, targets in pairs for target in islice(targets, 1)]


def _numbered(text: str) -> Iterable[tuple[int, str]]:
    return enumerate(text.splitlines(), start=1)


def _js_imports(text: str) -> Iterable[tuple[int, str]]:
    for number, line in _numbered(text):
        for match in _JS_SPEC.finditer(line):
            yield number, match.group(2)


def _go_imports(text: str) -> Iterable[tuple[int, str]]:
    in_block = False
    for number, line in _numbered(text):
        stripped = line.strip()
        if in_block:
            if stripped.startswith(")"):
                in_block = False
            elif match := _GO_IN_BLOCK.match(line):
                yield number, match.group(1)
        elif re.match(r"import\s*\($", stripped):
            in_block = True
        elif match := _GO_SINGLE.match(line):
            yield number, match.group(1)


def _go_target(spec: str, modules: dict[str, str], gone: Gone) -> Iterable[str]:
    for module, folder in modules.items():
        if spec == module or spec.startswith(module + "/"):
            target = posixpath.normpath(posixpath.join(folder, spec[len(module):].lstrip("/")))
            if target in gone.deleted:
                yield target


def _python_imports(text: str) -> Iterable[tuple[int, str]]:
    """(line, `DOTS:module:names`) of each `from` import (DOTS empty when it is absolute) and
    (line, `:module:`) of each `import module`."""
    for number, line in _numbered(text):
        match = _PY_FROM.match(line)
        if match:
            yield number, f"{match.group(1)}:{match.group(2)}:{match.group(3)}"
        elif match := _PY_IMPORT.match(line):
            yield number, f":{match.group(1)}:"


def _python_target(spec: str, folder: str, gone: Gone) -> Iterable[str]:
    dots, module, names = spec.split(":", 2)
    parts = [p for p in module.split(".") if p]
    if dots:
        base = folder
        for _ in range(len(dots) - 1):
            base = posixpath.dirname(base)
    else:
        base = _python_root(parts[0], folder, gone)
        if base is None:
            return  # not a module of this repository (the standard library, a package)
    subs = [n for n in re.split(r"[\s,]+", names) if n]
    modules = [parts + [n] for n in subs] + [parts] if parts else [[n] for n in subs]
    for mod in modules:
        # `from .video.player import X` with the whole `video` package gone: the first gone part
        for i in range(1, len(mod) + 1):
            target = posixpath.join(base, *mod[:i])
            gone_here = [c for c in (target + ".py", target) if c in gone.deleted]
            if gone_here:
                yield gone_here[0]
                return


def _python_root(top: str, folder: str, gone: Gone) -> str | None:
    """Where an absolute import's first name is found: the nearest folder, from the importing
    file's up to the repository root, that had a module or package of that name."""
    base = folder
    while True:
        if gone.existed(posixpath.join(base, top + ".py")) or gone.existed(posixpath.join(base, top)):
            return base
        if not base:
            return None
        base = posixpath.dirname(base)


def _js_target(spec: str, folder: str, gone: Gone) -> Iterable[str]:
    """The deleted file or folder a relative specifier resolved to, unless some file it may
    resolve to (the path itself, with an extension, a folder's index) is still there."""
    base = posixpath.normpath(posixpath.join(folder, spec))
    files = [base, *(base + s for s in _JS_SUFFIXES), *(f"{base}/index{s}" for s in _JS_SUFFIXES)]
    if any(f in gone.files and f not in gone.deleted for f in files):
        return
    for candidate in files:
        if candidate in gone.deleted:
            yield base if base in gone.deleted else candidate
            return
