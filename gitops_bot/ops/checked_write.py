"""The write step the version operations share: splice the edits into a file, check that the
result still parses as its kind, and write it, or refuse it with the reason (nothing is written
half-checked)."""

from __future__ import annotations

from typing import Callable

from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.edit import still_valid
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, splice


def write_checked(state: RunState, path: str, text: str, kind: str, cuts: list[Cut],
                  rescan: Callable[[str], str | None] | None = None) -> None:
    """Splice `cuts` into the file, verify the result re-parses, write it (or refuse it): the one
    write step of the version operations. `rescan`, when given, checks the result further (a
    catalogue tool's: no occurrence left at another version) and says why it is refused."""
    if not cuts:
        return
    result = splice(text, cuts)
    problem = still_valid(kind, text, result) or (rescan(result) if rescan is not None else None)
    check = "re-parse" if rescan is None else "re-parse and re-scan"
    if problem:
        state.refused.append(Finding(path, 1, "", f"edit refused: {problem}", Kind.UNVERIFIED))
        state.validation.append(Validation(path, check, False, problem))
        return
    state.tree.write(path, result)
    state.validation.append(Validation(path, check, True))
