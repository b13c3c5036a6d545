"""The only ways gitops-bot starts another program, and the environment each one gets.

Nothing of the repository the bot edits ever executes. Two kinds of program run:

- **syntax checkers** (`bash -n`): they read a *copy* of the text on stdin, in an empty temporary
  directory, with an allow-listed environment (PATH and a locale; no tokens, no `GITHUB_*`, no
  `BASH_ENV`/`ENV`), in their own process group, and are killed after CHECK_TIMEOUT seconds;
- **git** (through GitPython, for `pr` and `action`): the repository's hooks and fsmonitor are
  switched off for every call, and secrets are removed from its environment (pushes authenticate
  with the credentials git itself is configured with, as actions/checkout sets them up).

A program that is missing is a UserError (exit 2) naming it, never an internal error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from types import ModuleType
from typing import Mapping, Sequence

from gitops_bot.errors import UserError

# PyGithub and GitPython are the `github` extra: only `pr` and `action` import them.
GITHUB_EXTRA = "install gitops-bot with its github extra: pip install 'gitops-bot[github]'"
CHECK_TIMEOUT = 20  # seconds; `bash -n` on the largest real script we know takes 0.05 s
_LOCALE = "C.UTF-8"
# Variables removed from git's environment: anything that can carry a credential or make a
# shell source a file.
_SECRET_RE = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|_KEY$|^GITHUB_|^GH_|^ACTIONS_|^INPUT_"
                        r"|^RUNNER_|^BASH_ENV$|^ENV$|^BASH_FUNC_)", re.IGNORECASE)
# git settings forced on every call: never run the repository's hooks or an fsmonitor program.
_GIT_CONFIG = (("core.hooksPath", os.devnull), ("core.fsmonitor", "false"))


def checker_env() -> dict[str, str]:
    """The whole environment of a syntax checker: a PATH to find it, and a fixed locale."""
    return {"PATH": os.environ.get("PATH", os.defpath), "LC_ALL": _LOCALE, "LANG": _LOCALE}


def run_checker(argv: Sequence[str], text: str) -> subprocess.CompletedProcess[str]:
    """Run a syntax checker on `text` (given on stdin, never as a file of the repository)."""
    program = shutil.which(argv[0], path=checker_env()["PATH"])
    if program is None:
        raise UserError(f"{argv[0]} is not installed: gitops-bot needs it to check the files it edits")
    with tempfile.TemporaryDirectory(prefix="gitops-bot-check-") as empty:
        try:
            return subprocess.run([program, *argv[1:]], input=text, capture_output=True, text=True,
                                  cwd=empty, env=checker_env(), timeout=CHECK_TIMEOUT,
                                  start_new_session=True)
        except subprocess.TimeoutExpired as exc:
            raise UserError(f"{argv[0]} took over {CHECK_TIMEOUT} s to check a file; stopped") from exc


def git_overrides(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """What to lay over the caller's environment for git (GitPython merges its overrides into
    os.environ, so a secret is blanked rather than removed): every secret-looking variable
    emptied, hooks and fsmonitor off, no terminal prompts."""
    env = os.environ if base is None else base
    overrides = {k: "" for k in env if _SECRET_RE.search(k)}
    count = env.get("GIT_CONFIG_COUNT", "0")
    first = int(count) if count.isdigit() else 0
    for i, (key, value) in enumerate(_GIT_CONFIG, start=first):
        overrides[f"GIT_CONFIG_KEY_{i}"] = key
        overrides[f"GIT_CONFIG_VALUE_{i}"] = value
    overrides["GIT_CONFIG_COUNT"] = str(first + len(_GIT_CONFIG))
    overrides["GIT_TERMINAL_PROMPT"] = "0"
    return overrides


def import_git() -> ModuleType:
    """GitPython, imported with the secrets hidden from the environment: its import runs
    `git version` with the process environment, before any override can apply."""
    if "git" in sys.modules:
        return sys.modules["git"]
    import importlib.util

    if importlib.util.find_spec("git") is None:
        raise UserError(f"this command needs GitPython: {GITHUB_EXTRA}")
    hidden = {k: os.environ.pop(k) for k in list(os.environ) if _SECRET_RE.search(k)}
    try:
        import git
    finally:
        os.environ.update(hidden)
    return git
