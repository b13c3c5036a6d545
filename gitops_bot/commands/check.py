"""`gitops-bot check`: report problems in the repository (read-only; exit 1 when any)."""

from __future__ import annotations

import argparse
import sys

from gitops_bot.commands.common import load_config, repo_dir


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="report problems in the repository (read-only; exit 1 when any)")
    p.add_argument("--repo", default=".", help="repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    p.add_argument("--rule", action="append", metavar="RULE", help="run only this rule (repeatable)")


def run(args: argparse.Namespace) -> int:
    from gitops_bot.checks.render import render
    from gitops_bot.engine.check import check_repo

    root = repo_dir(args.repo)
    problems = check_repo(root, args.rule, config=load_config(root))
    sys.stdout.write(render(problems, args.format))
    return 1 if problems else 0
