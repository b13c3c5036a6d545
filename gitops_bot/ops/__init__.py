"""Recipe operations, in an explicit registry: a recipe step `op: NAME` runs OPERATIONS[NAME].

An operation (ops/base.Operation) declares its arguments and runs as `run(state, args)`: it reads
and writes files through `state.tree` and records refusals, validations and names whose
leftovers are residue. A new operation is one module, one line here, and its tests.
"""

from __future__ import annotations

from gitops_bot.ops import (
    add_pod_annotation,
    allow_source,
    check_references,
    companions,
    delete_paths,
    mesh_mode,
    move_values_to_params,
    pin_versions,
    remove_references,
    set_param,
    set_value,
    set_version,
)
from gitops_bot.ops.base import Operation

OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    delete_paths.OPERATION,
    remove_references.OPERATION,
    check_references.OPERATION,
    companions.OPERATION,
    move_values_to_params.OPERATION,
    set_version.OPERATION,
    pin_versions.OPERATION,
    set_param.OPERATION,
    set_value.OPERATION,
    allow_source.OPERATION,
    add_pod_annotation.OPERATION,
    mesh_mode.OPERATION,
)}
