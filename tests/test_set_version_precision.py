"""set-version for versions that are not X.Y.Z: a minor-only Kubernetes version (`version=1.23`)
in its Terraform, terraform-docs and EKS forms, and k3s versions with build metadata
(`v1.27.1+k3s1`) in the install script, Ansible vars, system-upgrade-controller Plans and the
k3s image. Constructed before/after trees compared byte for byte, look-alikes that stay (another
variable's `1.22`, a chart version), the precision rule (a patch-level occurrence is listed, not
moved, by a minor-only version), a second run that changes nothing, and the grammar."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.versions import builtin_tools, is_tool_version

from .conftest import tree_bytes, write_tree

# path -> (before, after) for `tool=kubernetes version=1.23`
KUBERNETES = {
    "examples/a/main.tf": (
        'module "eks_blueprints" {\n  source = "../.."\n\n  cluster_name    = local.name\n'
        '  cluster_version = "1.22"\n  chart_version   = "1.22"\n}\n',
        'module "eks_blueprints" {\n  source = "../.."\n\n  cluster_name    = local.name\n'
        '  cluster_version = "1.23"\n  chart_version   = "1.22"\n}\n'),
    "examples/b/main.tf": (  # an example left behind on an older minor moves too
        'module "eks" {\n  cluster_version                 = "1.21" # needs 1.21+\n'
        '  cluster_endpoint_private_access = true\n}\n',
        'module "eks" {\n  cluster_version                 = "1.23" # needs 1.21+\n'
        '  cluster_endpoint_private_access = true\n}\n'),
    "examples/b/variables.tf": (
        'variable "eks_cluster_version" {\n  description = "EKS Cluster version"\n'
        '  type        = string\n  default     = "1.22"\n}\n\n'
        'variable "addon_version" {\n  description = "Add-on version (i.e.: `1.22`)"\n  default     = "1.22"\n}\n',
        'variable "eks_cluster_version" {\n  description = "EKS Cluster version"\n'
        '  type        = string\n  default     = "1.23"\n}\n\n'
        'variable "addon_version" {\n  description = "Add-on version (i.e.: `1.22`)"\n  default     = "1.22"\n}\n'),
    "variables.tf": (
        'variable "cluster_version" {\n'
        '  description = "Kubernetes `<major>.<minor>` version to use for the EKS cluster (i.e.: `1.22`)"\n'
        '  type        = string\n  default     = "1.22"\n}\n',
        'variable "cluster_version" {\n'
        '  description = "Kubernetes `<major>.<minor>` version to use for the EKS cluster (i.e.: `1.23`)"\n'
        '  type        = string\n  default     = "1.23"\n}\n'),
    "vpc/eks/cluster.tf": (
        'locals {\n  # one version per cluster\n  cluster_version = {\n    live    = "1.22"\n'
        '    manager = "1.22"\n  }\n  addon_kube_proxy_version = "v1.22.10-eksbuild.1"\n}\n',
        'locals {\n  # one version per cluster\n  cluster_version = {\n    live    = "1.23"\n'
        '    manager = "1.23"\n  }\n  addon_kube_proxy_version = "v1.22.10-eksbuild.1"\n}\n'),
    "README.md": (
        "## Inputs\n\n| Name | Description | Type | Default | Required |\n|---|---|---|---|:---:|\n"
        "| <a name=\"input_addon_version\"></a> [addon\\_version](#input\\_addon\\_version) | Add-on version "
        "(i.e.: `1.22`) | `string` | `\"1.22\"` | no |\n"
        "| <a name=\"input_cluster_version\"></a> [cluster\\_version](#input\\_cluster\\_version) | Kubernetes "
        "`<major>.<minor>` version to use for the EKS cluster (i.e.: `1.22`) | `string` | `\"1.22\"` | no |\n"
        "\n```hcl\ncluster_version = \"1.22\"\n```\n",
        "## Inputs\n\n| Name | Description | Type | Default | Required |\n|---|---|---|---|:---:|\n"
        "| <a name=\"input_addon_version\"></a> [addon\\_version](#input\\_addon\\_version) | Add-on version "
        "(i.e.: `1.22`) | `string` | `\"1.22\"` | no |\n"
        "| <a name=\"input_cluster_version\"></a> [cluster\\_version](#input\\_cluster\\_version) | Kubernetes "
        "`<major>.<minor>` version to use for the EKS cluster (i.e.: `1.23`) | `string` | `\"1.23\"` | no |\n"
        "\n```hcl\ncluster_version = \"1.22\"\n```\n"),
    "eksctl/cluster.yaml": (
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: demo\n  region: eu-west-1\n"
        "  version: \"1.22\"  # EKS\n  tags:\n    version: \"1.22\"\naddons:\n  - name: kube-proxy\n"
        "    version: \"1.22\"\n",
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: demo\n  region: eu-west-1\n"
        "  version: \"1.23\"  # EKS\n  tags:\n    version: \"1.22\"\naddons:\n  - name: kube-proxy\n"
        "    version: \"1.22\"\n"),
}
KUBERNETES_UNCHANGED = {
    # an example of another version than the default (or of a variable with none) says no version
    # of the variable's (eks-blueprints-addons kept `(i.e.: `1.24`)` when its tests went 1.26 -> 1.25)
    "modules/addons/variables.tf": 'variable "cluster_version" {\n  description = "Kubernetes version (i.e.: `1.24`)"'
                                   '\n  type        = string\n}\n',
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.22.0\nappVersion: \"1.22\"\n",
    "other.tf": 'variable "node_group_version" {\n  default = "1.22"\n}\n\nlocals {\n  my_cluster_versions = "1.22"\n}\n',
}


def run(repo, *params, command="apply", recipe="set-version"):
    return main([command, recipe, *params, "--repo", str(repo)])


def report(repo, capsys, *params, recipe="set-version"):
    capsys.readouterr()
    code = run(repo, *params, "--format", "json", command="plan", recipe=recipe)
    return code, json.loads(capsys.readouterr().out)


def _trees(forms, unchanged, which):
    return {**{p: pair[which] for p, pair in forms.items()}, **unchanged}


def _expected(files):
    return {p: t.encode() for p, t in sorted(files.items())}


def test_a_minor_only_kubernetes_version_moves_every_terraform_form_and_nothing_else(tmp_path, capsys):
    repo = write_tree(tmp_path, _trees(KUBERNETES, KUBERNETES_UNCHANGED, 0))
    assert run(repo, "tool=kubernetes", "version=1.23") == 0
    assert tree_bytes(repo) == _expected(_trees(KUBERNETES, KUBERNETES_UNCHANGED, 1))
    code, second = report(repo, capsys, "tool=kubernetes", "version=1.23")
    assert code == 0 and second["files"] == []  # a second run changes nothing


def test_a_minor_version_in_no_recognised_form_is_listed(tmp_path, capsys):
    before = _trees(KUBERNETES, KUBERNETES_UNCHANGED, 0)
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "tool=kubernetes", "version=1.23")
    assert code == 0 and [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("README.md", 9, "looks like kubernetes 1.22 but is not a recognised form")]
    assert tree_bytes(repo) == _expected(before)  # plan writes nothing


@pytest.mark.parametrize("path", sorted(KUBERNETES))
def test_each_kubernetes_form_alone(tmp_path, path):
    before, after = KUBERNETES[path]
    repo = write_tree(tmp_path, {path: before})
    assert run(repo, "tool=kubernetes", "version=1.23") == 0
    assert tree_bytes(repo) == {path: after.encode()}


def test_a_patch_level_occurrence_is_listed_not_moved_by_a_minor_only_version(tmp_path, capsys):
    before = {"kind.yaml": "kind: Cluster\nnodes:\n  - role: control-plane\n    image: kindest/node:v1.22.9\n",
              "main.tf": 'module "eks" {\n  cluster_version = "1.22"\n}\n'}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "tool=kubernetes", "version=1.23")
    assert code == 0 and [f["path"] for f in result["files"]] == ["main.tf"]
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("kind.yaml", 4, "kept: image tag v1.22.9 is written with its patch; version=1.23 names a minor only "
                         "(ask for X.Y.Z to move it)")]
    # a full version moves both, each at its own precision
    assert run(repo, "tool=kubernetes", "version=1.23.4") == 0
    assert (repo / "kind.yaml").read_text().endswith("image: kindest/node:v1.23.4\n")
    assert (repo / "main.tf").read_text() == 'module "eks" {\n  cluster_version = "1.23"\n}\n'


# path -> (before, after) for `tool=k3s version=v1.27.1+k3s1`
K3S = {
    "metal/roles/k3s/defaults/main.yml": (
        "k3s_version: v1.24.9+k3s1\nk3s_config_file: /etc/rancher/k3s/config.yaml\n",
        "k3s_version: v1.27.1+k3s1\nk3s_config_file: /etc/rancher/k3s/config.yaml\n"),
    "metal/k3d-dev.yaml": (
        "apiVersion: k3d.io/v1alpha4\nkind: Simple\nimage: docker.io/rancher/k3s:v1.23.4-k3s1\n",
        "apiVersion: k3d.io/v1alpha4\nkind: Simple\nimage: docker.io/rancher/k3s:v1.27.1-k3s1\n"),
    "system/system-upgrade/plans.yaml": (
        "apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: server\nspec:\n"
        "  concurrency: 1\n  version: v1.24.9+k3s1\n  upgrade:\n    image: rancher/k3s-upgrade\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  version: v1.24.9\n",
        "apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: server\nspec:\n"
        "  concurrency: 1\n  version: v1.27.1+k3s1\n  upgrade:\n    image: rancher/k3s-upgrade\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  version: v1.24.9\n"),
    "scripts/install.sh": (
        "#!/bin/sh\ncurl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=\"v1.24.9+k3s1\" sh -\n",
        "#!/bin/sh\ncurl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=\"v1.27.1+k3s1\" sh -\n"),
}
K3S_UNCHANGED = {"apps/values.yaml": "image:\n  repository: rancher/k3s-upgrade\n  tag: v1.24.9-k3s1\n"
                                     "kubernetes_version: v1.24.9\n"}


def test_a_k3s_version_with_build_metadata_moves_every_form(tmp_path, capsys):
    repo = write_tree(tmp_path, _trees(K3S, K3S_UNCHANGED, 0))
    assert run(repo, "tool=k3s", "version=v1.27.1+k3s1") == 0
    assert tree_bytes(repo) == _expected(_trees(K3S, K3S_UNCHANGED, 1))
    code, second = report(repo, capsys, "tool=k3s", "version=v1.27.1+k3s1")
    assert code == 0 and second["files"] == []


def test_a_k3s_image_tag_and_a_plan_at_the_same_version_are_no_drift(tmp_path, capsys):
    repo = write_tree(tmp_path, _trees(K3S, K3S_UNCHANGED, 1))
    capsys.readouterr()
    assert main(["check", "--repo", str(repo), "--format", "json", "--rule", "version-drift"]) == 0
    (repo / "metal/k3d-dev.yaml").write_text(K3S["metal/k3d-dev.yaml"][0])  # v1.23.4-k3s1: drift
    capsys.readouterr()
    assert main(["check", "--repo", str(repo), "--format", "json", "--rule", "version-drift"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["path"], p["line"]) for p in problems] == [("metal/k3d-dev.yaml", 3)]


@pytest.mark.parametrize("path", sorted(K3S))
def test_each_k3s_form_alone(tmp_path, path):
    before, after = K3S[path]
    repo = write_tree(tmp_path, {path: before})
    assert run(repo, "tool=k3s", "version=v1.27.1+k3s1") == 0
    assert tree_bytes(repo) == {path: after.encode()}


@pytest.mark.parametrize("version", ["1.23", "v1.23", "1.23.4", "v1.23.4-rc.1"])
def test_the_grammar_accepts_minor_and_full_versions_for_every_tool(version):
    assert is_tool_version(version, builtin_tools()["kubernetes"])


@pytest.mark.parametrize("version", ["v1.27.1+k3s1", "1.27.1+k3s1.2"])
def test_build_metadata_only_for_a_tool_whose_forms_have_it(version):
    assert is_tool_version(version, builtin_tools()["k3s"])
    assert not is_tool_version(version, builtin_tools()["kubernetes"])


@pytest.mark.parametrize("version", ["v1.27.1+k3s1;rm", "v1.27.1+k3s1$(id)", "v1.27.1+", "1.23.", "1", "1.23+k3s1",
                                     "v1.27.1+k3s1 x", "v1.27.1+k3s1`"])
def test_the_grammar_rejects_anything_else(version):
    assert not is_tool_version(version, builtin_tools()["k3s"])


def test_a_bad_version_exits_2_and_changes_nothing(tmp_path):
    before = {"main.tf": 'module "eks" {\n  cluster_version = "1.22"\n}\n'}
    repo = write_tree(tmp_path, before)
    assert run(repo, "tool=kubernetes", "version=1.23+k3s1") == 2
    assert run(repo, "tool=kubernetes", "version=1.23;id") == 2
    assert tree_bytes(repo) == _expected(before)


PLAN = ("apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: {name}\n  namespace: system-upgrade\n"
        "spec:\n  concurrency: 1\n  {pin}\n  serviceAccountName: system-upgrade\n")
CHANNEL = "channel: https://update.k3s.io/v1-release/channels/v1.23"


def test_pin_versions_replaces_a_plans_release_channel_by_the_version(tmp_path, capsys):
    before = {"plans/server.yaml": PLAN.format(name="server", pin=CHANNEL),
              "plans/agent.yaml": PLAN.format(name="agent", pin=CHANNEL + "  # follow the channel"),
              "other.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  " + CHANNEL + "\n"}
    repo = write_tree(tmp_path, before)
    assert run(repo, "tool=k3s", "version=v1.25.4+k3s1", recipe="pin-versions") == 0
    assert tree_bytes(repo) == _expected({
        **before, "plans/server.yaml": PLAN.format(name="server", pin="version: v1.25.4+k3s1"),
        "plans/agent.yaml": PLAN.format(name="agent", pin="version: v1.25.4+k3s1  # follow the channel")})
    code, second = report(repo, capsys, "tool=k3s", "version=v1.25.4+k3s1", recipe="pin-versions")
    assert code == 0 and second["files"] == []
    # another tool's pin leaves the k3s channel alone; build metadata is k3s's only
    repo2 = write_tree(tmp_path / "r2", {"plans/server.yaml": PLAN.format(name="server", pin=CHANNEL)})
    assert run(repo2, "tool=kubernetes", "version=1.25.4", recipe="pin-versions") == 0
    assert run(repo2, "tool=kubernetes", "version=1.25.4+k3s1", recipe="pin-versions") == 2
    assert (repo2 / "plans/server.yaml").read_text() == PLAN.format(name="server", pin=CHANNEL)
