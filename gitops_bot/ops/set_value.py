"""Operation `set_value`: set one scalar in one file, a YAML values file (a dotted key) or
Terraform (`variable.NAME.default`, `resource.TYPE.NAME.ATTR`, `module.NAME.ATTR`, `locals.NAME`,
a variable's name in a `.tfvars` file).

The chore it replaces: `autoscaling.minReplicas` 2 -> 1 in an environment file, `spot_min_size`
3 -> 2 in Terraform, by hand, with the file's quoting and comments to keep. The editors
(edit/yaml_scalar.py, edit/hcl_scalar.py) change only the value's text and verify the result;
what they will not do (a key under a template expression, a non-literal Terraform expression, a
map where a value is asked) is a refused edit (exit 1) with the reason.
"""

from __future__ import annotations

from gitops_bot.domain.findings import Finding, Kind, Validation
from gitops_bot.domain.scope import repo_path
from gitops_bot.edit import hcl_scalar, yaml_scalar
from gitops_bot.errors import UserError
from gitops_bot.ops.state import RunState

_YAML = (".yaml", ".yml")
_TERRAFORM = (".tf", ".tfvars", ".hcl", ".tofu")


def run(state: RunState, args: dict[str, str]) -> None:
    path, key, value = repo_path(args["file"], "file"), args["key"], args["value"]
    if not path.endswith(_YAML + _TERRAFORM):
        raise UserError(f"file={path}: set-value edits YAML ({', '.join(_YAML)}) and Terraform "
                        f"({', '.join(_TERRAFORM)}) files")
    tree = state.tree
    text = tree.read(path) if tree.listed(path) else None
    if text is None:
        raise UserError(f"file={path} not found (or not text)")
    try:
        if path.endswith(_YAML):
            updated, check = yaml_scalar.set_scalar(text, key, value), yaml_scalar.CHECK
        else:
            updated = hcl_scalar.set_attribute(text, key, value, tfvars=path.endswith(".tfvars"))
            check = hcl_scalar.CHECK
    except (yaml_scalar.SetRefused, hcl_scalar.SetRefused) as exc:
        state.refused.append(Finding(path, 0, key, f"{key} not set: {exc}", Kind.KEPT))
        return
    if updated != text:
        tree.write(path, updated)
        state.validation.append(Validation(path, check, True))
