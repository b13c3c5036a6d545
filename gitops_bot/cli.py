"""The command line: `gitops-bot recipes | components | plan | apply | check | pr | action | config`.

`-q`, `-v` and `--color` are accepted before the command or after it, on every command
(gitops_bot/console.py says what they do).

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

from gitops_bot import __version__, console
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
    _add_output_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    for name in COMMANDS:
        _add_output_options(sub.choices[name])
    return parser


def _add_output_options(p: argparse.ArgumentParser) -> None:
    """-q, -v and --color, on the main parser and on each command's, nested ones included
    (`config validate`). None has a default (main applies them), so that a flag given before
    the command is not reset by the command's parser."""
    default = argparse.SUPPRESS
    for known in p._actions:  # argparse has no public way to list a parser's subcommands
        if isinstance(known, argparse._SubParsersAction):
            for nested in known.choices.values():
                _add_output_options(nested)
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help="print only errors and the result (no progress, no notes)")
    p.add_argument("-v", "--verbose", action="store_true", default=default,
                   help="more detail on stderr: progress even when stderr is not a terminal, each step, a tally")
    p.add_argument("--color", choices=console.COLORS, default=default,
                   help="colour the output: auto (on a terminal, unless NO_COLOR is set), always or never")


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
    quiet, verbose = getattr(args, "quiet", False), getattr(args, "verbose", False)
    if quiet and verbose:
        parser.error("-q and -v exclude each other")
    console.configure(quiet, verbose, getattr(args, "color", "auto"))
    try:
        with console.reporting(" ".join([args.command, *([args.recipe] if getattr(args, "recipe", None) else [])])):
            return COMMANDS[args.command].run(args)
    except UserError as exc:
        print(f"gitops-bot: {console.paint('error:', '31', sys.stderr)} {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # anything else is a bug: say so, with the type, and exit 3
        if args.debug or os.environ.get("GITOPS_BOT_DEBUG") == "1":
            traceback.print_exc()
        print(f"gitops-bot: internal {console.paint('error:', '31', sys.stderr)} {type(exc).__name__}: {exc} "
              "(--debug shows where)", file=sys.stderr)
        return 3
    finally:
        console.configure()  # a caller that runs several commands in one process starts each afresh


if __name__ == "__main__":
    sys.exit(main())
