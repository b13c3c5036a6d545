"""The command line: `gitops-bot recipes | plan | apply | check | pr | action`.

Exit codes: 0 success; 1 with --exit-code when there are changes; 2 bad input (one line on
stderr, nothing written); 3 internal error. Heavy modules (GitPython, PyGithub, ruamel, hcl2) are
imported only by the commands that use them, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from . import __version__
from .errors import UserError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gitops-bot",
        description="Repo-wide refactorings of GitOps monorepos with byte-minimal diffs.")
    parser.add_argument("--version", action="version", version=f"gitops-bot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("recipes", help="list the recipes and their parameters")
    p.add_argument("--repo", default=".", help="repository whose .gitops-bot/recipes/ to include")

    p = sub.add_parser("check", help="report problems in the repository (read-only; exit 1 when any)")
    p.add_argument("--repo", default=".", help="repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    p.add_argument("--rule", action="append", metavar="RULE", help="run only this rule (repeatable)")

    for name, help_text in (("plan", "show the change a recipe would make (writes nothing)"),
                            ("apply", "write the change to the working tree (no commit)")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("recipe", help="recipe name (see `gitops-bot recipes`)")
        p.add_argument("params", nargs="*", metavar="key=value", help="recipe parameters")
        p.add_argument("--repo", default=".", help="repository root (default: current directory)")
        if name == "plan":
            p.add_argument("--format", choices=("text", "json"), default="text")
            p.add_argument("--exit-code", action="store_true",
                           help="exit 1 when the recipe would change something")
            p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p = sub.add_parser("pr", help="run a recipe on the base branch and open or update its pull request",
                       description=PR_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("recipe", help="recipe name (see `gitops-bot recipes`)")
    p.add_argument("params", nargs="*", metavar="key=value", help="recipe parameters")
    p.add_argument("--repo", default=".", help="the local clone (default: current directory); pushes go to its origin")
    p.add_argument("--base", help="base branch (default: the repository's default branch)")
    p.add_argument("--draft", action="store_true", help="open the PR as a draft")
    p.add_argument("--label", action="append", default=[], metavar="L", help="label to add (repeatable)")
    p.add_argument("--reviewer", action="append", default=[], metavar="U", help="reviewer to request (repeatable)")
    p.add_argument("--repo-slug", metavar="OWNER/NAME", help="GitHub repository (default: $GITHUB_REPOSITORY)")
    p.add_argument("--recreate", action="store_true",
                   help="replace the bot branch even when someone else pushed commits to it")
    p.add_argument("--author", metavar="'NAME <EMAIL>'",
                   help="commit author and committer (default: gitops-bot <gitops-bot@users.noreply.github.com>)")
    sub.add_parser("action", help="the GitHub Action's entry point (reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH)")
    return parser


PR_HELP = """\
Run a recipe exactly as `plan` does, on the up-to-date base branch (in a temporary worktree; your
checkout is not touched), and deliver it as a pull request:

  - one commit `chore(gitops): <title>` on the branch gitops-bot/<recipe>/<parameters>, pushed to
    the origin remote; re-runs update the same branch and PR instead of opening another;
  - a branch someone else pushed to is never overwritten (the PR gets a comment; --recreate
    replaces it); a PR a human closed is never reopened; the base branch is never committed to;
  - no change closes an open bot PR with a comment, and opens nothing.

Settings come from the GitHub Actions environment: GITHUB_TOKEN (needs contents: write,
pull-requests: write, issues: write), GITHUB_REPOSITORY (owner/name, or --repo-slug) and
GITHUB_API_URL (default https://api.github.com).

Exit codes: 0 done (opened, updated, up to date, closed, nothing to do); 1 stopped for a human
(someone else's commits on the branch, a PR a human closed); 2 bad input or GitHub error."""


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """`key=value` words into a dict; UserError on anything else."""
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"parameter {item!r} is not key=value")
        if key in params:
            raise UserError(f"parameter {key!r} given twice")
        params[key] = value
    return params


def _repo(path: str) -> Path:
    root = Path(path)
    if not root.is_dir():
        raise UserError(f"--repo {path}: not a directory")
    return root.resolve()


def cmd_recipes(args: argparse.Namespace) -> int:
    from .recipe import available_recipes

    for recipe in available_recipes(_repo(args.repo)).values():
        where = "" if recipe.source.startswith("recipes/") else f"  [{recipe.source}]"
        print(f"{recipe.name}{where}\n    {recipe.description}")
        for p in recipe.parameters:
            need = "required" if p.required else f"default {p.default!r}" if p.default else "optional"
            print(f"    {p.name}=  {p.description} ({need}; pattern {p.pattern})")
    return 0


def _run(args: argparse.Namespace):
    from .engine import run_recipe
    from .journal import pending
    from .recipe import find_recipe

    root = _repo(args.repo)
    recipe = find_recipe(args.recipe, root)
    config = _load_config(root)
    params = recipe.check_params(parse_params(args.params), config.recipe_defaults.get(recipe.name))
    note = pending(root)  # plan only reports it; apply has completed it under its lock by now
    if note:
        print(f"gitops-bot: note: {note}", file=sys.stderr)
    return root, run_recipe(root, recipe, params, config=config)


def _load_config(root: Path):
    """The checkout's `.gitops-bot.yaml`, parsed once per command and passed on (parameter
    defaults, PR settings, and the `tools:` the catalogue is built from)."""
    from .config import load_config

    return load_config(root)


def cmd_plan(args: argparse.Namespace) -> int:
    _, changes = _run(args)
    if args.format == "json":
        json.dump(changes.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        sys.stdout.write(_colorize(changes.diff()) if color else changes.diff())
        sys.stdout.write(("\n" if changes.changed else "") + changes.summary())
    if changes.conflicts:
        return 1
    return 1 if args.exit_code and changes.changed else 0


def cmd_apply(args: argparse.Namespace) -> int:
    from .journal import apply_lock

    # One lock around read, compute and write: a second apply on the tree refuses instead of
    # computing from the same old files and overwriting this one's edits.
    with apply_lock(_repo(args.repo)):
        root, changes = _run(args)
        changes.write(root)
    sys.stdout.write(changes.summary())
    return 1 if changes.conflicts else 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_repo, render

    root = _repo(args.repo)
    problems = check_repo(root, args.rule, config=_load_config(root))
    sys.stdout.write(render(problems, args.format))
    return 1 if problems else 0


def _colorize(diff: str) -> str:
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(f"\033[1m{line.rstrip(chr(10))}\033[0m\n")
        elif line.startswith("+"):
            out.append(f"\033[32m{line.rstrip(chr(10))}\033[0m\n")
        elif line.startswith("-"):
            out.append(f"\033[31m{line.rstrip(chr(10))}\033[0m\n")
        elif line.startswith("@@"):
            out.append(f"\033[36m{line.rstrip(chr(10))}\033[0m\n")
        else:
            out.append(line)
    return "".join(out)


def cmd_pr(args: argparse.Namespace) -> int:
    from .pr import Options, deliver
    from .recipe import find_recipe

    root = _repo(args.repo)
    recipe = find_recipe(args.recipe, root)
    config = _load_config(root)
    params = recipe.check_params(parse_params(args.params), config.recipe_defaults.get(recipe.name))
    options = Options(base=args.base, draft=args.draft or config.draft, labels=args.label or config.labels,
                      reviewers=args.reviewer or config.reviewers, slug=args.repo_slug, recreate=args.recreate,
                      author=_author(args.author), branch_prefix=config.branch_prefix)
    outcome = deliver(root, recipe, params, options, config=config)
    print(f"{outcome.action}: {outcome.url or '-'}" + (f" ({outcome.detail})" if outcome.detail else ""))
    return outcome.exit_code


def _author(value: str | None) -> tuple[str, str] | None:
    if value is None:
        return None
    import re

    m = re.fullmatch(r"\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*", value)
    if not m:
        raise UserError(f"--author {value!r}: expected 'Name <email>'")
    return m.group(1), m.group(2)


def cmd_action(_args: argparse.Namespace) -> int:
    from .action import run_action

    return run_action()


COMMANDS = {"recipes": cmd_recipes, "plan": cmd_plan, "apply": cmd_apply, "check": cmd_check, "pr": cmd_pr,
            "action": cmd_action}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gitops-bot` console script."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # key=value parameters may follow options (`plan r --repo x key=value`); argparse stops
    # collecting positionals at the first option, so gather the rest here.
    stray = [x for x in extra if x.startswith("-") or "=" not in x or not hasattr(args, "params")]
    if stray:
        parser.error(f"unrecognized arguments: {' '.join(stray)}")
    if extra:
        args.params = [*args.params, *extra]
    try:
        return COMMANDS[args.command](args)
    except UserError as exc:
        print(f"gitops-bot: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # anything else is a bug: say so, with the type, and exit 3
        print(f"gitops-bot: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
