"""Imports left pointing at deleted source files: the corpus's own check, written apart from the
bot's (gitops_bot/domain/imports.py) so that the bot is not judged by its own reading.

A remove-service run must never delete a file that a remaining file still imports (issue 12:
"0 deleted files that a remaining file imports"). This counts the import lines of live files
that resolve to a deleted file, in the languages the corpus's repositories hold:

- JavaScript / TypeScript: relative specifiers (`from './x'`, `import('../x')`, `require('./x')`),
  resolved like a bundler does (the path, the path plus an extension, `index.*` inside it);
- Python: `import a.b`, `from a.b import c`, `from .x import y` (relative to the importer), an
  absolute module found by its path suffix (`a/b.py`, `a/b/__init__.py`, `a/b/c.py`);
- Go: import paths under a module of the tree (`go.mod`), resolved to a package folder whose
  `.go` files were all deleted;
- Protocol Buffers: `import "a/b.proto"`, found by path suffix.

An absolute Python module or a proto file still present elsewhere in the tree (the same suffix
under another root) is not counted: the import may resolve there.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Callable, Iterable

JS_SUFFIXES = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".cjs", ".mts", ".cts")
JS_IMPORT = re.compile(r"""(?:\bfrom\s+|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"](\.{1,2}/[^'"]*|\.{1,2})['"]""")
PY_FROM = re.compile(r"^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?\s*([\w\s,]+)")
PY_IMPORT = re.compile(r"^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)\s*(?:#.*)?$")
GO_SPEC = re.compile(r'^\s*(?:import\s+)?(?:[\w.]+\s+)?"([^"\s]+)"')
PROTO_IMPORT = re.compile(r'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+\.proto)"\s*;')

Lines = Callable[[str], "list[str] | None"]


def imports_of_deleted(live: Iterable[str], deleted: set[str], lines: Lines) -> int:
    """Import lines of the `live` files that resolve to a file in `deleted`.

    `lines(path)` gives any file's lines (live or deleted, as it was before the change), or
    None for a binary file."""
    live = set(live)
    if not deleted:
        return 0
    go_modules = _go_modules(live | deleted, lines)
    count = 0
    for path in sorted(live):
        reader = _reader(path)
        if reader is None:
            continue
        text = lines(path)
        if text:
            count += reader(path, text, live, deleted, go_modules)
    return count


def _reader(path: str):
    if path.endswith(JS_SUFFIXES):
        return _javascript
    if path.endswith(".py"):
        return _python
    if path.endswith(".go"):
        return _go
    if path.endswith(".proto"):
        return _proto
    return None


def _javascript(path: str, text: list[str], live: set[str], deleted: set[str], _modules) -> int:
    folder = posixpath.dirname(path)
    count = 0
    for line in text:
        for spec in JS_IMPORT.findall(line):
            target = posixpath.normpath(posixpath.join(folder, spec))
            candidates = [target] + [target + s for s in JS_SUFFIXES] + [f"{target}/index{s}" for s in JS_SUFFIXES]
            if any(c in deleted for c in candidates) and not any(c in live for c in candidates):
                count += 1
                break
    return count


def _python(path: str, text: list[str], live: set[str], deleted: set[str], _modules) -> int:
    count = 0
    for line in text:
        modules = _python_modules(path, line)
        if any(_python_gone(m, relative, live, deleted) for m, relative in modules):
            count += 1
    return count


def _python_modules(path: str, line: str) -> list[tuple[str, bool]]:
    """The module paths (`a/b`) a line imports, each with whether it is relative to `path`."""
    found = PY_FROM.match(line)
    if found:
        dots, module, names = found.groups()
        if dots:
            folder = posixpath.dirname(path)
            for _ in range(len(dots) - 1):
                folder = posixpath.dirname(folder)
            base = posixpath.join(folder, module.replace(".", "/")) if module else folder
            return [(base, True)] + [(f"{base}/{n.strip()}", True) for n in names.split(",") if n.strip()]
        base = module.replace(".", "/")
        return [(base, False)] + [(f"{base}/{n.strip()}", False) for n in names.split(",") if n.strip()]
    found = PY_IMPORT.match(line)
    if found:
        return [(part.split()[0].replace(".", "/"), False) for part in found.group(1).split(",")]
    return []


def _python_gone(module: str, relative: bool, live: set[str], deleted: set[str]) -> bool:
    files = (f"{module}.py", f"{module}/__init__.py")
    if relative:
        return any(f in deleted for f in files) and not any(f in live for f in files)
    gone = any(p == f or p.endswith("/" + f) for p in deleted for f in files)
    return gone and not any(p == f or p.endswith("/" + f) for p in live for f in files)


def _go_modules(paths: set[str], lines: Lines) -> dict[str, str]:
    """Module path -> its folder ("" for the root), from every go.mod of the tree."""
    modules = {}
    for path in paths:
        if posixpath.basename(path) != "go.mod":
            continue
        for line in lines(path) or []:
            found = re.match(r"^\s*module\s+(\S+)", line)
            if found:
                modules[found.group(1).strip('"')] = posixpath.dirname(path)
                break
    return modules


def _go(path: str, text: list[str], live: set[str], deleted: set[str], modules: dict[str, str]) -> int:
    count, in_block = 0, False
    for line in text:
        stripped = line.strip()
        if stripped.startswith("import ("):
            in_block = True
            continue
        if in_block and stripped.startswith(")"):
            in_block = False
            continue
        if not (in_block or stripped.startswith("import ")):
            continue
        found = GO_SPEC.match(line)
        if found and _go_package_gone(found.group(1), live, deleted, modules):
            count += 1
    return count


def _go_package_gone(spec: str, live: set[str], deleted: set[str], modules: dict[str, str]) -> bool:
    for module, folder in modules.items():
        if spec != module and not spec.startswith(module + "/"):
            continue
        package = posixpath.join(folder, spec[len(module):].lstrip("/")).strip("/")
        def in_package(p: str) -> bool:
            return p.endswith(".go") and posixpath.dirname(p) == package
        if any(in_package(p) for p in deleted) and not any(in_package(p) for p in live):
            return True
    return False


def _proto(path: str, text: list[str], live: set[str], deleted: set[str], _modules) -> int:
    count = 0
    for line in text:
        found = PROTO_IMPORT.match(line)
        if not found:
            continue
        name = found.group(1)
        def named(p: str) -> bool:
            return p == name or p.endswith("/" + name)
        if any(named(p) for p in deleted) and not any(named(p) for p in live):
            count += 1
    return count


def line_reader(trees: Iterable[dict[str, Path]], text_lines: Callable[[Path | None], "list[str] | None"]) -> Lines:
    """`lines(path)` over several trees, the first that holds the path (after-tree, then base)."""
    trees = list(trees)

    def lines(path: str) -> list[str] | None:
        for tree in trees:
            if path in tree:
                return text_lines(tree[path])
        return None
    return lines
