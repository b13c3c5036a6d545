"""`gitops-bot apply`: write a recipe's change to the working tree (no commit), atomically."""

from __future__ import annotations

import argparse
import sys

from gitops_bot.commands.common import add_recipe_arguments, repo_dir, run_from_args


def add_parser(sub) -> None:
    p = sub.add_parser("apply", help="write the change to the working tree (no commit)")
    add_recipe_arguments(p, "repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="json: the applied change as plan --format json prints it")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.engine.journal import apply_lock

    # One lock around read, compute and write: a second apply on the tree refuses instead of
    # computing from the same old files and overwriting this one's edits.
    with apply_lock(repo_dir(args.repo)):
        root, changes = run_from_args(args)
        changes.write(root)
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(changes.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(changes.summary())
    return 1 if changes.incomplete else 0
