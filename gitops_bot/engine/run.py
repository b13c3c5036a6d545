"""Run a recipe against a working tree in memory and produce a ChangeSet.

The engine never touches git or the network, and never writes: `ChangeSet.write` does that.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from gitops_bot.domain.config import RepoConfig, load_config
from gitops_bot.domain.findings import Finding
from gitops_bot.domain.lookups import NoLookups, ReleaseLookup
from gitops_bot.domain.worktree import Worktree
from gitops_bot.edit import classify
from gitops_bot.engine.changeset import ChangeSet, FileChange
from gitops_bot.engine.recipe import Recipe
from gitops_bot.ops import OPERATIONS
from gitops_bot.ops.state import RunState
from gitops_bot.parse import cache as parse_cache
from gitops_bot.text.diff import opcodes

# Residue reason per file kind (a refused edit's own reason wins).
_RESIDUE_REASONS = {
    "markdown": "prose",
    "source": "source code",
    "generated": "generated or binary",
    "binary": "generated or binary",
}


def run_recipe(root: Path, recipe: Recipe, params: Mapping[str, str],
               config: RepoConfig | None = None, releases: ReleaseLookup | None = None) -> ChangeSet:
    """Run `recipe` with already-checked `params` on the tree at `root`. `config` is the
    repository's configuration as the caller loaded it (its `tools:` extend the catalogue the
    operations use); without one, the tree's own `.gitops-bot.yaml` is read here, once.
    `releases` looks up latest releases for pin-versions; without one nothing is looked up."""
    state = RunState(Worktree(root), config if config is not None else load_config(root),
                     releases=releases if releases is not None else NoLookups())
    with parse_cache.scope():  # each text is parsed once per parser during the run
        for step in recipe.rendered_steps(params):
            OPERATIONS[step.op](state, step.args)
    tree = state.tree
    changes = ChangeSet(recipe.name, dict(params))
    for path in tree.touched():
        before = tree.original(path)
        if tree.is_deleted(path):
            changes.files.append(FileChange(path, "deleted", before, None, classify(path, before)))
        else:
            changes.files.append(FileChange(path, "modified", before, tree.read(path), classify(path, before)))
    changes.refused = state.refused
    changes.validation = state.validation
    changes.conflicts = state.conflicts
    changes.found = state.found
    changes.residue = residue(state)
    return changes


def residue(state: RunState) -> list[Finding]:
    """Every mention of the run's names left in live files, with the reason it was left."""
    tree = state.tree
    # Keyed by line text: a refusal's line number is in the original, residue's in the result.
    refused = {(f.path, f.text.strip()): f.reason for f in state.refused}
    found: list[Finding] = []
    for name in state.residue_names:
        regex = name.mention_regex()
        for path in sorted(set(state.candidates(name)) | set(tree.touched())):
            if tree.is_deleted(path):
                continue
            text = tree.read(path)
            if text is None:
                if re.search(regex.pattern.encode(), (tree.root / path).read_bytes()):
                    found.append(Finding(path, 0, "(binary file)", "generated or binary"))
                continue
            if not regex.search(text):
                continue
            kind = classify(path, text)
            for number, line in enumerate(text.splitlines(), start=1):
                if name.mentions(line):
                    found.append(Finding(path, number, line.strip(),
                                         _reason(kind, line, refused.get((path, line.strip())))))
    found.extend(_in_result(tree, note) for note in state.notes)
    found.extend(Finding(path, 0, "(unreadable file)", f"could not be read ({why}): check it by hand")
                 for path, why in tree.unreadable.items())
    found.sort(key=lambda f: (f.path, f.line))
    return found


def _reason(kind: str, line: str, refusal: str | None) -> str:
    """Why a mention is left: its refused edit, else what kind of text holds it."""
    if refusal:
        return refusal if refusal.startswith(("edit refused", "withheld")) else f"edit refused: {refusal}"
    if kind in _RESIDUE_REASONS:
        return _RESIDUE_REASONS[kind]
    return "comment" if line.lstrip().startswith(("#", "//")) else "unrecognised structure"


def _in_result(tree, note: Finding) -> Finding:
    """Operations note lines of the original text; the report speaks of the result, so map an
    unchanged line to where it now stands."""
    before, after = tree.original(note.path), tree.read(note.path)
    if before is None or after is None or before == after:
        return note
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for tag, a1, a2, b1, _ in opcodes(a, b):
        if tag == "equal" and a1 < note.line <= a2:
            return Finding(note.path, b1 + note.line - a1, note.text, note.reason)
    return note
