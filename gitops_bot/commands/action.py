"""`gitops-bot action`: the GitHub Action's entry point. The flow lives in
gitops_bot.delivery.action and is imported only when this command runs (`--help` stays fast)."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    sub.add_parser("action", help="the GitHub Action's entry point (reads GITHUB_EVENT_NAME, GITHUB_EVENT_PATH)")


def run(_args: argparse.Namespace) -> int:
    """Route the event this process was started for (from the environment)."""
    from gitops_bot.delivery.action import run_action

    return run_action()
