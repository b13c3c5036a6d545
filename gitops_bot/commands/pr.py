"""`gitops-bot pr`: run a recipe on the base branch and open or update its pull request."""

from __future__ import annotations

import argparse
import re

from gitops_bot.commands.common import add_recipe_arguments, load_config, repo_dir
from gitops_bot.errors import UserError

HELP = """\
Run a recipe exactly as `plan` does, on the up-to-date base branch (in a temporary worktree; your
checkout is not touched), and deliver it as a pull request:

  - one commit `chore(gitops): <title>` on the branch gitops-bot/<recipe>/<parameters>, pushed to
    the origin remote (--commit api: created through GitHub's git data API instead, so GitHub
    signs it and shows it Verified); re-runs update the same branch and PR instead of opening another;
  - a branch someone else pushed to is never overwritten (the PR gets a comment; --recreate
    replaces it); a PR a human closed is never reopened; the base branch is never committed to;
  - no change closes an open bot PR with a comment, and opens nothing.

Settings come from the GitHub Actions environment: GITHUB_TOKEN (needs contents: write,
pull-requests: write, issues: write), GITHUB_REPOSITORY (owner/name, or --repo-slug) and
GITHUB_API_URL (default https://api.github.com).

Exit codes: 0 done (opened, updated, up to date, closed, nothing to do); 1 stopped for a human
(someone else's commits on the branch, a PR a human closed); 2 bad input or GitHub error."""


def add_parser(sub) -> None:
    p = sub.add_parser("pr", help="run a recipe on the base branch and open or update its pull request",
                       description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_recipe_arguments(p, "the local clone (default: current directory); pushes go to its origin")
    p.add_argument("--base", help="base branch (default: the repository's default branch)")
    p.add_argument("--draft", action="store_true", help="open the PR as a draft")
    p.add_argument("--label", action="append", default=[], metavar="L", help="label to add (repeatable)")
    p.add_argument("--reviewer", action="append", default=[], metavar="U", help="reviewer to request (repeatable)")
    p.add_argument("--repo-slug", metavar="OWNER/NAME", help="GitHub repository (default: $GITHUB_REPOSITORY)")
    p.add_argument("--recreate", action="store_true",
                   help="replace the bot branch even when someone else pushed commits to it")
    p.add_argument("--author", metavar="'NAME <EMAIL>'",
                   help="commit author and committer (default: gitops-bot <gitops-bot@users.noreply.github.com>); "
                        "git commits only")
    p.add_argument("--commit", choices=("git", "api"),
                   help="git: commit locally and push (default, or pull_requests.commit in .gitops-bot.yaml); "
                        "api: create the commit through GitHub's API, so GitHub signs it (Verified)")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.delivery.pr import Options, deliver
    from gitops_bot.engine.recipe import find_recipe, parse_params

    root = repo_dir(args.repo)
    recipe = find_recipe(args.recipe, root)
    config = load_config(root)
    params = recipe.check_params(parse_params(args.params, recipe.positional), config.recipe_defaults.get(recipe.name))
    options = Options(base=args.base, draft=args.draft or config.draft, labels=args.label or config.labels,
                      reviewers=args.reviewer or config.reviewers, slug=args.repo_slug, recreate=args.recreate,
                      author=author(args.author), branch_prefix=config.branch_prefix,
                      commit=args.commit or config.commit or "git")
    if options.commit == "api" and args.author:
        raise UserError("--author is for git commits: GitHub signs an API commit only when it authors it itself")
    outcome = deliver(root, recipe, params, options, config=config)
    print(f"{outcome.action}: {outcome.url or '-'}" + (f" ({outcome.detail})" if outcome.detail else ""))
    return outcome.exit_code


def author(value: str | None) -> tuple[str, str] | None:
    """`--author 'Name <email>'` as (name, email); None when not given."""
    if value is None:
        return None
    m = re.fullmatch(r"\s*(.+?)\s*<([^<>\s]+@[^<>\s]+)>\s*", value)
    if not m:
        raise UserError(f"--author {value!r}: expected 'Name <email>'")
    return m.group(1), m.group(2)
