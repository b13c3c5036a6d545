"""`gitops-bot config`: validate the repository's `.gitops-bot.yaml` and recipe files against their
JSON Schemas (with the file and line of each problem), or print a schema for an editor."""

from __future__ import annotations

import argparse
import sys

from gitops_bot.commands.common import repo_dir
from gitops_bot.errors import UserError

CONFIG = ".gitops-bot.yaml"
RECIPES_DIR = ".gitops-bot/recipes"
SCHEMA_NAMES = {"config": "gitops-bot", "recipe": "recipe"}

HELP = """\
validate [FILE ...]   check .gitops-bot.yaml and every .gitops-bot/recipes/*.yaml (or the FILEs,
                      paths inside --repo) against their JSON Schemas and what the loader checks;
                      each problem is one line FILE:LINE: message. A FILE under .gitops-bot/recipes/
                      is a recipe, any other a configuration (--kind overrides).
schema config|recipe  print the JSON Schema (for editors: yaml-language-server, VS Code).

Exit codes: 0 valid; 1 problems found; 2 bad input (a FILE that does not exist)."""


def add_parser(sub) -> None:
    p = sub.add_parser("config", help="validate .gitops-bot.yaml and recipe files, or print their JSON Schemas",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    validate = actions.add_parser("validate", help="check the configuration and recipe files")
    validate.add_argument("files", nargs="*", metavar="FILE", help="files to check, relative to --repo "
                          f"(default: {CONFIG} and {RECIPES_DIR}/*.yaml)")
    validate.add_argument("--repo", default=".", help="the repository (default: current directory)")
    validate.add_argument("--kind", choices=("config", "recipe"), help="what the FILEs are (default: by path)")
    schema = actions.add_parser("schema", help="print a JSON Schema")
    schema.add_argument("name", choices=sorted(SCHEMA_NAMES), help="which file's schema")


def run(args: argparse.Namespace) -> int:
    if args.config_action == "schema":
        from gitops_bot.domain.schema import schema_text

        sys.stdout.write(schema_text(SCHEMA_NAMES[args.name]))
        return 0
    return _validate(args)


def _validate(args: argparse.Namespace) -> int:
    from gitops_bot.domain.config import config_problems
    from gitops_bot.domain.worktree import inside, read_text_inside
    from gitops_bot.engine.recipe import recipe_problems

    root = repo_dir(args.repo)
    files = [f.strip("/") for f in args.files] or _default_files(root)
    if not files:
        print(f"nothing to validate: no {CONFIG} and no {RECIPES_DIR}/*.yaml in {root}")
        return 0
    problems: list[str] = []
    for name in files:
        if not inside(root, name).is_file():
            raise UserError(f"{name}: no such file in {root}")
        kind = args.kind or ("recipe" if name.startswith(RECIPES_DIR + "/") else "config")
        try:
            text = read_text_inside(root, name)
            found = config_problems(text, name) if kind == "config" else recipe_problems(text, name)
        except UserError as exc:  # not YAML, not UTF-8, an alias bomb: one line for the file
            found = [exc.message]
        problems += found
        print(f"{name}: {'ok' if not found else f'{len(found)} problem' + 's' * (len(found) > 1)} ({kind})")
    for line in problems:
        print(line)
    return 1 if problems else 0


def _default_files(root) -> list[str]:
    from gitops_bot.domain.worktree import inside

    folder = inside(root, RECIPES_DIR)
    recipes = sorted(f"{RECIPES_DIR}/{p.name}" for p in folder.glob("*.y*ml")) if folder.is_dir() else []
    return ([CONFIG] if inside(root, CONFIG).is_file() else []) + recipes
