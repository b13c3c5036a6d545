"""Recipe operations, in an explicit registry: a recipe step `op: NAME` calls OPERATIONS[NAME].

An operation is `run(state: RunState, args: dict[str, str]) -> None`: it reads and writes files
through `state.tree` and records refusals, validations and names whose leftovers are residue.
"""

from __future__ import annotations

from typing import Callable

from gitops_bot.ops import (
    delete_paths,
    move_values_to_params,
    pin_versions,
    remove_references,
    set_version,
)
from gitops_bot.ops.state import RunState

Operation = Callable[[RunState, dict[str, str]], None]

OPERATIONS: dict[str, Operation] = {
    "delete_paths": delete_paths.run,
    "remove_references": remove_references.run,
    "move_values_to_params": move_values_to_params.run,
    "set_version": set_version.run,
    "pin_versions": pin_versions.run,
}

# Arguments each operation requires (checked when a recipe is loaded).
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "delete_paths": ("name",),
    "remove_references": ("name",),
    "move_values_to_params": ("env", "values", "apps", "key"),
    "set_version": ("tool", "version"),
    "pin_versions": (),
}
