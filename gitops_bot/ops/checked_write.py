"""The write step the version operations share: splice the edits into a file, check that the
result still parses as its kind, and write it, or refuse it with the reason (nothing is written
half-checked)."""

from __future__ import annotations

from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.edit import still_valid
from gitops_bot.ops.state import RunState
from gitops_bot.text.splice import Cut, splice


def write_checked(state: RunState, path: str, text: str, kind: str, cuts: list[Cut]) -> None:
    """Splice `cuts` into the file, verify the result re-parses, write it (or refuse it): the one
    write step of the open targets, of the Flux-substituted versions and of pin-versions."""
    if not cuts:
        return
    result = splice(text, cuts)
    problem = still_valid(kind, text, result)
    if problem:
        state.refused.append(Finding(path, 1, "", f"edit refused: {problem}", Kind.UNVERIFIED))
        state.validation.append(Validation(path, "re-parse", False, problem))
        return
    state.tree.write(path, result)
    state.validation.append(Validation(path, "re-parse", True))
