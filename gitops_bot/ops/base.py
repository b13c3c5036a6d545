"""The operation contract: what a recipe step `op: NAME` runs, and the arguments it takes."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitops_bot.ops.state import RunState


@dataclass(frozen=True)
class Operation:
    """One recipe operation: `run(state, args)` of its module reads and writes files through
    `state.tree` and records refusals, validations and residue names in `state`. It declares the
    arguments a step must give (`required`) and may give (`optional`); a recipe step with any
    other argument is refused when the recipe is loaded. The module is imported when a step
    runs the operation, not when recipes are read."""

    name: str
    module: str  # its `run(state, args)` does the work: gitops_bot.ops.set_version
    required: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    description: str = ""

    def run(self, state: RunState, args: dict[str, str]) -> None:
        """Run the operation on the run's state with a step's (rendered) arguments."""
        importlib.import_module(self.module).run(state, args)

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
