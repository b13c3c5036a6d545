"""Shell syntax, as `bash -n` judges it: the only parse gitops-bot leaves to another program.

`bash -n` reads the script on stdin and executes nothing (gitops_bot.subprocesses.run_checker:
an empty directory, a scrubbed environment, a timeout). A run checks each script text once:
the verdict is kept with the other parse results of the run (parse/cache.py), so identical
scripts (a Makefile's recipes before and after an edit that left them alone, the same script
in two environments) start one process, not one each.
"""

from __future__ import annotations

from gitops_bot.parse.cache import cached
from gitops_bot.subprocesses import run_checker


def syntax_error(script: str) -> str | None:
    """None when `bash -n` accepts `script`, else the last line of what it reported."""
    return cached("bash -n", script, _check)


def _check(script: str) -> str | None:
    proc = run_checker(["bash", "-n"], script)
    if proc.returncode:
        return (proc.stderr.strip().splitlines() or ["?"])[-1]
    return None
