"""The operation contract: what a recipe step `op: NAME` runs, and the arguments it takes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from gitops_bot.ops.state import RunState


@dataclass(frozen=True)
class Operation:
    """One recipe operation: `run(state, args)` reads and writes files through `state.tree`
    and records refusals, validations and residue names in `state`. It declares the arguments a
    step must give (`required`) and may give (`optional`); a recipe step with any other
    argument is refused when the recipe is loaded."""

    name: str
    run: Callable[[RunState, dict[str, str]], None]
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    description: str = ""

    def check_args(self, args: dict[str, str]) -> str | None:
        """Why a step's arguments do not fit this operation, or None."""
        missing = [a for a in self.required if a not in args]
        if missing:
            return f"needs {', '.join(missing)}"
        unknown = sorted(set(args) - set(self.required) - set(self.optional))
        if unknown:
            accepted = ", ".join((*self.required, *self.optional)) or "none"
            return f"has no argument {', '.join(unknown)} (arguments: {accepted})"
        return None
