"""`gitops-bot check`: run the rules (gitops_bot.checks) read-only on a repository."""

from __future__ import annotations

from pathlib import Path

from gitops_bot.checks import CHECKS, run_checks
from gitops_bot.checks.model import Problem, RepoIndex
from gitops_bot.domain.config import RepoConfig, load_config
from gitops_bot.domain.worktree import Worktree
from gitops_bot.engine.recipe import builtin_recipes
from gitops_bot.errors import UserError
from gitops_bot.parse import cache as parse_cache


def check_repo(root: Path, rules: list[str] | None = None, config: RepoConfig | None = None) -> list[Problem]:
    """Problems in the repository at `root` (only `rules` when given). `config` is the
    repository's configuration as the caller loaded it (its `tools:` extend the catalogue);
    without one, the tree's own `.gitops-bot.yaml` is read here, once."""
    unknown = [r for r in rules or [] if r not in CHECKS]
    if unknown:
        raise UserError(f"unknown rule {unknown[0]!r} (rules: {', '.join(CHECKS)})")
    config = config if config is not None else load_config(root)
    defaults = {name: recipe.check_params for name, recipe in builtin_recipes().items()}
    with parse_cache.scope():  # each text is parsed once per parser for all rules
        return run_checks(RepoIndex(Worktree(root, keep=RepoIndex.read_by_path), config, recipe_defaults=defaults),
                          rules)
