"""Run a recipe against a working tree in memory and produce a ChangeSet.

The engine never touches git or the network, and never writes: `ChangeSet.write` does that.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Mapping

from gitops_bot.console import progress
from gitops_bot.domain.config import RepoConfig, load_config
from gitops_bot.domain.encryption import REFUSAL, sops_encrypted
from gitops_bot.domain.findings import Finding, Kind
from gitops_bot.domain.lookups import NoLookups, ReleaseLookup
from gitops_bot.domain.worktree import Worktree
from gitops_bot.edit import classify
from gitops_bot.engine.changeset import ChangeSet, FileChange
from gitops_bot.engine.recipe import Recipe
from gitops_bot.engine.residue import residue
from gitops_bot.ops import OPERATIONS
from gitops_bot.ops.state import RunState
from gitops_bot.parse import cache as parse_cache


def run_recipe(root: Path, recipe: Recipe, params: Mapping[str, str],
               config: RepoConfig | None = None, releases: ReleaseLookup | None = None) -> ChangeSet:
    """Run `recipe` with already-checked `params` on the tree at `root`. `config` is the
    repository's configuration as the caller loaded it (its `tools:` extend the catalogue the
    operations use); without one, the tree's own `.gitops-bot.yaml` is read here, once.
    `releases` looks up latest releases for pin-versions; without one nothing is looked up."""
    state = RunState(Worktree(root), config if config is not None else load_config(root),
                     releases=releases if releases is not None else NoLookups())
    steps = list(recipe.rendered_steps(params))
    with parse_cache.scope():  # each text is parsed once per parser during the run
        for i, step in enumerate(steps, 1):
            progress().begin(step.op, i, len(steps))
            OPERATIONS[step.op].run(state, step.args)
    tree = state.tree
    changes = ChangeSet(recipe.name, dict(params))
    for path in [p for p in tree.touched() if not tree.is_deleted(p) and sops_encrypted(tree.original(p))]:
        _refuse_encrypted(state, path, tree.original(path) or "", tree.read(path) or "")
        tree.revert(path)
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


def _refuse_encrypted(state: RunState, path: str, before: str, after: str) -> None:
    """An edit planned in a SOPS-encrypted file is not made: each line it would change is
    refused (domain/encryption.py says why), and what validated the edit no longer applies."""
    old = before.splitlines()
    changed: list[int] = []
    matcher = difflib.SequenceMatcher(None, old, after.splitlines(), autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag != "equal":
            changed.extend(range(i1, i2) if i2 > i1 else [max(i1 - 1, 0)])
    for index in dict.fromkeys(changed):
        text = old[index].strip() if index < len(old) else ""
        state.refused.append(Finding(path, index + 1, text, REFUSAL, Kind.KEPT))
    state.validation = [v for v in state.validation if v.path != path]
