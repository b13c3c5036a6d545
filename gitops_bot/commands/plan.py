"""`gitops-bot plan`: show the change a recipe would make; writes nothing."""

from __future__ import annotations

import argparse
import json
import sys

from gitops_bot.commands.common import add_recipe_arguments, run_from_args


def add_parser(sub) -> None:
    p = sub.add_parser("plan", help="show the change a recipe would make (writes nothing)")
    add_recipe_arguments(p, "repository root (default: current directory)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the recipe would change something")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def run(args: argparse.Namespace) -> int:
    _, changes = run_from_args(args)
    if args.format == "json":
        # One write: json.dump to a stream writes token by token (1.3 s for 29,000 findings).
        sys.stdout.write(json.dumps(changes.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        sys.stdout.write(colorize(changes.diff()) if color else changes.diff())
        sys.stdout.write(("\n" if changes.changed else "") + changes.summary())
    if changes.incomplete:
        return 1
    return 1 if args.exit_code and changes.changed else 0


_COLORS = (("+++", "1"), ("---", "1"), ("+", "32"), ("-", "31"), ("@@", "36"))


def colorize(diff: str) -> str:
    """A unified diff with ANSI colours: headers bold, additions green, removals red."""
    out = []
    for line in diff.splitlines(keepends=True):
        code = next((c for prefix, c in _COLORS if line.startswith(prefix)), None)
        out.append(line if code is None else f"\033[{code}m{line.rstrip(chr(10))}\033[0m\n")
    return "".join(out)
