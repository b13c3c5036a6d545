"""`gitops-bot check`: report problems in the repository (read-only; exit 1 when any)."""

from __future__ import annotations

import argparse
import os
import sys

from gitops_bot.commands.common import load_config, repo_dir


def add_parser(sub) -> None:
    p = sub.add_parser("check", help="report problems in the repository (read-only; exit 1 when any)")
    p.add_argument("--repo", default=".", help="repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                   help="github: workflow annotations (10 per kind, GitHub's cap) and every problem in the job "
                        "summary ($GITHUB_STEP_SUMMARY); sarif: SARIF 2.1.0 for code scanning")
    p.add_argument("--rule", action="append", metavar="RULE", help="run only this rule (repeatable)")
    p.add_argument("--baseline", metavar="FILE",
                   help="accept the problems a saved `check --format json` output lists (by rule, path, message)")
    p.add_argument("--fail-on", choices=("error", "warning", "never"), default="warning",
                   help="exit 1 when a problem of this severity or worse remains (default: warning, i.e. any)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from gitops_bot.checks.render import render, summary
    from gitops_bot.engine.check import checked, failing

    root = repo_dir(args.repo)
    problems, reader = checked(root, args.rule, load_config(root), Path(args.baseline) if args.baseline else None)
    sys.stdout.write(render(problems, args.format, reader))
    if args.format == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as out:
            out.write(summary(problems))
    return 1 if failing(problems, args.fail_on) else 0
