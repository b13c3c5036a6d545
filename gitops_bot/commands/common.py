"""What several commands share: the `--repo` folder, the configuration, a recipe run."""

from __future__ import annotations

import argparse
from pathlib import Path

from gitops_bot import console

from gitops_bot.errors import UserError


def repo_dir(path: str) -> Path:
    """The `--repo` folder, resolved; UserError when it is not a directory."""
    root = Path(path)
    if not root.is_dir():
        raise UserError(f"--repo {path}: not a directory")
    return root.resolve()


def load_config(root: Path):
    """The checkout's `.gitops-bot.yaml`, parsed once per command and passed on (parameter
    defaults, PR settings, and the `tools:` the catalogue is built from)."""
    from gitops_bot.domain.config import load_config as load

    return load(root)


def run_from_args(args: argparse.Namespace):
    """Run the recipe `args` name on `--repo` in memory: (root, ChangeSet)."""
    from gitops_bot.delivery.lookups import Lookups
    from gitops_bot.engine.journal import pending
    from gitops_bot.engine.recipe import find_recipe, parse_params
    from gitops_bot.engine.run import run_recipe

    root = repo_dir(args.repo)
    recipe = find_recipe(args.recipe, root)
    config = load_config(root)
    params = recipe.check_params(parse_params(args.params, recipe.positional), config.recipe_defaults.get(recipe.name))
    note = pending(root)  # plan only reports it; apply has completed it under its lock by now
    if note:
        console.note(f"note: {note}")
    return root, run_recipe(root, recipe, params, config=config, releases=Lookups())


def add_recipe_arguments(p: argparse.ArgumentParser, repo_help: str,
                         recipe_help: str = "recipe name (see `gitops-bot recipes`)") -> None:
    """The recipe name, its key=value parameters and --repo."""
    p.add_argument("recipe", help=recipe_help)
    p.add_argument("params", nargs="*", metavar="key=value", help="recipe parameters")
    p.add_argument("--repo", default=".", help=repo_help)
