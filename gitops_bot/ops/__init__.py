"""Recipe operations, in an explicit registry: a recipe step `op: NAME` runs OPERATIONS[NAME].

An operation (ops/base.Operation) declares its arguments here and runs as `run(state, args)` of
its module, imported when a step runs it: a set-version run never loads the removal's editors,
nor a removal the version lookups. It reads and writes files through `state.tree` and records
refusals, validations and names whose leftovers are residue. A new operation is one module, one
entry here, and its tests.
"""

from __future__ import annotations

from gitops_bot.ops.base import Operation

OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    Operation("delete_paths", "gitops_bot.ops.delete_paths", required=("name",), optional=("paths",),
              description="delete the folders and files of a component's own footprint"),
    Operation("remove_references", "gitops_bot.ops.remove_references", required=("name",),
              optional=("paths", "switch"), description="remove every structural reference to a component"),
    Operation("check_references", "gitops_bot.ops.check_references",
              description="list every reference or import left pointing at a deleted path"),
    Operation("list_companions", "gitops_bot.ops.companions", required=("name",), optional=("paths",),
              description="list the settings that exist only for the removed component (data/companions.yaml)"),
    Operation("move_values_to_params", "gitops_bot.ops.move_values_to_params",
              required=("env", "values", "apps", "key"), optional=("prefer",),
              description="move per-service values into ArgoCD Application parameters"),
    Operation("set_version", "gitops_bot.ops.set_version",
              optional=("tool", "image", "chart", "github", "provider", "module", "pypi", "version", "to", "digest",
                        "paths", "from", "prerelease", "repo", "bump_chart"),
              description="move every recognised occurrence of a tool's, image's, chart's, GitHub project's, "
                          "Terraform provider's or module's version"),
    Operation("pin_versions", "gitops_bot.ops.pin_versions",
              optional=("tool", "image", "github", "provider", "module", "to", "version", "paths", "prerelease",
                        "actions", "digest"),
              description="pin floating references"),
    Operation("set_param", "gitops_bot.ops.set_param", required=("name",),
              optional=("value", "apps", "env", "unset", "paths"),
              description="set, add or remove one ArgoCD Application Helm parameter"),
    Operation("set_value", "gitops_bot.ops.set_value", required=("file", "key", "value"),
              description="set one scalar in a YAML values file or a Terraform file"),
    Operation("allow_source", "gitops_bot.ops.allow_source", optional=("repo", "project"),
              description="permit repositories in ArgoCD AppProjects' sourceRepos"),
    Operation("add_pod_annotation", "gitops_bot.ops.add_pod_annotation", required=("key", "value", "workloads"),
              optional=("paths",), description="add one annotation to the pod template of named workloads"),
    Operation("mesh_mode", "gitops_bot.ops.mesh_mode", required=("to",),
              description="switch Istio's data-plane mode (ambient or sidecar) where it is mechanical"),
)}
