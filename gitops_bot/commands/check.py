"""`gitops-bot check`: report problems in the repository (read-only; exit 1 when any)."""

from __future__ import annotations

import argparse
import sys

from gitops_bot import console
from gitops_bot.commands.common import load_config, repo_dir


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="report problems in the repository (read-only; exit 1 when any)")
    p.add_argument("--repo", default=".", help="repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    p.add_argument("--rule", action="append", metavar="RULE", help="run only this rule (repeatable)")
    p.add_argument("--baseline", metavar="FILE",
                   help="accept the problems a saved `check --format json` output lists (by rule, path, message)")
    p.add_argument("--fail-on", choices=("error", "warning", "never"), default="warning",
                   help="exit 1 when a problem of this severity or worse remains (default: warning, i.e. any)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gitops_bot.checks.render import render
    from gitops_bot.engine.check import check_repo, not_in_baseline, unsuppressed

    root = repo_dir(args.repo)
    problems = unsuppressed(root, check_repo(root, args.rule, config=load_config(root)))
    if args.baseline:
        problems = not_in_baseline(problems, Path(args.baseline))
    sys.stdout.write(render(problems, args.format, color=console.use_color(sys.stdout)))
    failing = {"error": ("error",), "warning": ("error", "warning"), "never": ()}[args.fail_on]
    return 1 if any(p.severity in failing for p in problems) else 0
