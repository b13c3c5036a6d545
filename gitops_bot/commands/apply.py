"""`gitops-bot apply`: write a recipe's change to the working tree (no commit), atomically; or
the change a saved plan holds (`apply FILE`, from `plan --out FILE`), if the tree is as it was."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gitops_bot.commands.common import add_recipe_arguments, repo_dir, run_from_args
from gitops_bot.errors import UserError


def add_parser(sub) -> None:
    p = sub.add_parser("apply", help="write the change to the working tree (no commit)")
    add_recipe_arguments(p, "repository root (default: current directory)",
                         recipe_help="recipe name (see `gitops-bot recipes`), or a plan saved by `plan --out`")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the applied change as plan --format json prints it")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.engine.journal import apply_lock

    # One lock around read, compute and write: a second apply on the tree refuses instead of
    # computing from the same old files and overwriting this one's edits.
    saved = Path(args.recipe)
    with apply_lock(repo_dir(args.repo)):
        if saved.is_file():
            changes = _from_saved(saved, args)
            root = repo_dir(args.repo)
        else:
            root, changes = run_from_args(args)
        changes.write(root)
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(changes.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(changes.summary())
    return 1 if changes.incomplete else 0


def _from_saved(path: Path, args: argparse.Namespace):
    """The change of the plan saved at `path`, checked against the tree (under the apply lock)."""
    from gitops_bot.engine import saved_plan

    if args.params:
        raise UserError(f"apply {path}: a saved plan takes no parameters (it holds them)")
    return saved_plan.changes_to_apply(saved_plan.load(path), repo_dir(args.repo), path)
