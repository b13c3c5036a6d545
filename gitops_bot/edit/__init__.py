"""Format-preserving editors, one module per file type, and the registry that picks one.

Every editor is an `Editor` (edit/base.py): `claims(path, text)`, `remove(text, ctx)` and
`still_valid(before, after)`, with its KIND and CHECK. It locates spans with a parser, splices the
original text and verifies the result (`finish`); an edit it cannot verify is refused (the text
comes back unchanged with a Refusal). A new file type is one module, one line in EDITORS, and
its tests.
"""

from __future__ import annotations

import posixpath

from gitops_bot.edit import (dockerfile, env_file, gowork, hcl, helm, json_file, make, markdown, rst, shell,
                             source_list, yaml_file)
from gitops_bot.edit.base import Editor

# In order: the first editor that claims a file edits it (Helm before YAML: a YAML file with
# template actions is a template). Files no editor claims are never edited (residue only).
EDITORS: tuple[Editor, ...] = (gowork, env_file, make, hcl, helm, yaml_file, shell, markdown, json_file,
                               dockerfile, source_list, rst)
BY_KIND: dict[str, Editor] = {editor.KIND: editor for editor in EDITORS}

SOURCE_SUFFIXES = frozenset({".go", ".ts", ".tsx", ".js", ".jsx", ".mjs", ".java", ".kt", ".py", ".rb",
                             ".rs", ".c", ".h", ".cpp", ".cs", ".php", ".swift", ".scala", ".vue",
                             ".mod", ".sum", ".gradle", ".xml", ".proto", ".sql", ".css", ".html"})
_GENERATED_NAMES = frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml", "go.sum",
                              "Chart.lock", "poetry.lock", "Cargo.lock"})


def classify(path: str, text: str | None) -> str:
    """The kind of a file: the KIND of the editor that claims it, or source, generated, binary,
    other (kinds no editor edits)."""
    base = posixpath.basename(path)
    if text is None:
        return "binary"
    if base in _GENERATED_NAMES:
        return "generated"
    for editor in EDITORS:
        if editor.claims(path, text):
            return editor.KIND
    if posixpath.splitext(base)[1].lower() in SOURCE_SUFFIXES or base == "Dockerfile":
        return "source"
    return "other"


def editor_for(kind: str) -> Editor | None:
    """The editor of a file kind, or None for kinds that are never edited."""
    return BY_KIND.get(kind)


def still_valid(kind: str, before: str, after: str) -> str | None:
    """None unless `after` fails its file type's parse or lint where `before` passed (kinds
    without an editor are not judged)."""
    editor = BY_KIND.get(kind)
    return editor.still_valid(before, after) if editor is not None else None
