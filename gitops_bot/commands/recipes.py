"""`gitops-bot recipes`: the built-in recipes and the repository's own, with their parameters."""

from __future__ import annotations

import argparse

from gitops_bot.commands.common import repo_dir


def add_parser(sub) -> None:
    p = sub.add_parser("recipes", help="list the recipes and their parameters")
    p.add_argument("--repo", default=".", help="repository whose .gitops-bot/recipes/ to include")
    p.add_argument("--format", choices=("text", "json"), default="text", help="json: with a format_version")
    p.add_argument("--json", action="store_true", help="the same as --format json")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.engine.recipe import available_recipes

    recipes = available_recipes(repo_dir(args.repo)).values()
    if args.json or args.format == "json":
        import json

        from gitops_bot import FORMAT_VERSION

        print(json.dumps({"format_version": FORMAT_VERSION, "recipes": [_json(r) for r in recipes]}, indent=2))
        return 0
    for recipe in recipes:
        where = "" if recipe.source.startswith("recipes/") else f"  [{recipe.source}]"
        print(f"{recipe.name}{where}\n    {recipe.description}")
        for p in recipe.parameters:
            need = "required" if p.required else f"default {p.default!r}" if p.default else "optional"
            need += "; the bare VALUE" if p.positional else ""
            print(f"    {p.name}=  {p.description} ({need}; pattern {p.pattern})")
    return 0


def _json(recipe) -> dict:
    return {"name": recipe.name, "description": recipe.description, "source": recipe.source,
            "parameters": [{"name": p.name, "description": p.description, "required": p.required,
                            "default": p.default, "pattern": p.pattern, "positional": p.positional}
                           for p in recipe.parameters]}
