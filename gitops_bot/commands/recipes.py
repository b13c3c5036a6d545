"""`gitops-bot recipes`: the built-in recipes and the repository's own, with their parameters."""

from __future__ import annotations

import argparse

from gitops_bot.commands.common import repo_dir


def add_parser(sub) -> None:
    p = sub.add_parser("recipes", help="list the recipes and their parameters")
    p.add_argument("--repo", default=".", help="repository whose .gitops-bot/recipes/ to include")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.engine.recipe import available_recipes

    for recipe in available_recipes(repo_dir(args.repo)).values():
        where = "" if recipe.source.startswith("recipes/") else f"  [{recipe.source}]"
        print(f"{recipe.name}{where}\n    {recipe.description}")
        for p in recipe.parameters:
            need = "required" if p.required else f"default {p.default!r}" if p.default else "optional"
            need += "; the bare VALUE" if p.positional else ""
            print(f"    {p.name}=  {p.description} ({need}; pattern {p.pattern})")
    return 0
