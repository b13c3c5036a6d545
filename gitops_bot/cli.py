"""The command line: `gitops-bot recipes | components | plan | apply | check | pr | action | config`.

Exit codes: 0 success; 1 with --exit-code when there are changes; 2 bad input (one line on
stderr, nothing written); 3 internal error. Each command is one module of gitops_bot.commands,
in the explicit registry below; heavy modules (GitPython, PyGithub, ruamel, hcl2) are imported
only by the commands that use them, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from types import ModuleType
from typing import Sequence

from gitops_bot import __version__
from gitops_bot.commands import action, apply, check, components, config, plan, pr, recipes
from gitops_bot.errors import UserError

# Command name -> module with add_parser(sub) and run(args) -> exit code.
COMMANDS: dict[str, ModuleType] = {
    "recipes": recipes,
    "components": components,
    "check": check,
    "plan": plan,
    "apply": apply,
    "pr": pr,
    "action": action,
    "config": config,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gitops-bot",
        description="Repo-wide refactorings of GitOps monorepos with byte-minimal diffs.")
    parser.add_argument("--version", action="version", version=f"gitops-bot {__version__}")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print its traceback (also GITOPS_BOT_DEBUG=1)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `gitops-bot` console script."""
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    # key=value parameters may follow options (`plan r --repo x key=value`); argparse stops
    # collecting positionals at the first option, so gather the rest here.
    stray = [x for x in extra if x.startswith("-") or not hasattr(args, "params")]
    if stray:
        parser.error(f"unrecognized arguments: {' '.join(stray)}")
    if extra:
        args.params = [*args.params, *extra]
    try:
        return COMMANDS[args.command].run(args)
    except UserError as exc:
        print(f"gitops-bot: error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # anything else is a bug: say so, with the type, and exit 3
        if args.debug or os.environ.get("GITOPS_BOT_DEBUG") == "1":
            traceback.print_exc()
        print(f"gitops-bot: internal error: {type(exc).__name__}: {exc} (--debug shows where)", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
