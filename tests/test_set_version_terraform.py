"""set-version's (and pin-versions') Terraform targets: `provider=NAMESPACE/NAME` (the
required_providers constraint, and the terraform-docs rows of the README beside each module) and
`module=SOURCE` (a registry module's `version`, a GitHub source's `?ref=`). Constructed
before/after trees compared byte for byte, look-alikes that must not move, rows that are listed
instead of changed, a second run that changes nothing, and the parameter contract."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.domain.terraform_refs import admits, is_constraint

from .conftest import tree_bytes, write_tree

VERSIONS_TF = """\
terraform {
  required_version = ">= 1.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "{aws}" # pinned ahead of 6.0
    }
    helm = {
      source  = "hashicorp/helm"
      version = ">= 3.72"
    }
    awscc = {
      source  = "registry.terraform.io/hashicorp/awscc"
      version = ">= 3.72"
    }
  }
}
"""

README = """\
# Blueprint

<!-- BEGIN_TF_DOCS -->
## Requirements

| Name | Version |
|------|---------|
| <a name="requirement_terraform"></a> [terraform](#requirement\\_terraform) | >= 1.0 |
| <a name="requirement_aws"></a> [aws](#requirement\\_aws) | {aws} |
| <a name="requirement_helm"></a> [helm](#requirement\\_helm) | >= 3.72 |

## Providers

| Name | Version |
|------|---------|
| <a name="provider_aws"></a> [aws](#provider\\_aws) | {aws} |
| <a name="provider_aws.ecr"></a> [aws.ecr](#provider\\_aws.ecr) | {aws} |
| <a name="provider_awscc"></a> [awscc](#provider\\_awscc) | >= 3.72 |
<!-- END_TF_DOCS -->
"""

# a provider spelled with its registry host, one without source (hashicorp/aws by Terraform's
# default), the pre-0.13 shorthand, and another namespace's `aws` that is not hashicorp/aws
MODULE_TF = """\
terraform {
  required_providers {
    aws = {
      source  = "registry.terraform.io/HashiCorp/aws"
      version = "{aws}"
      configuration_aliases = [aws.virginia]
    }
  }
}
"""
IMPLIED_TF = 'terraform {\n  required_providers {\n    aws = {\n      version = "{aws}"\n    }\n  }\n}\n'
SHORTHAND_TF = 'terraform {\n  required_providers {\n    aws = "{aws}"\n  }\n}\n'
OTHER_TF = ('terraform {\n  required_providers {\n    aws = {\n      source  = "acme/aws"\n'
            '      version = ">= 3.72"\n    }\n  }\n}\n')


def _tree(aws_old: str, aws_new: str | None = None) -> dict[str, str]:
    new = aws_new or aws_old
    return {
        "blueprints/a/versions.tf": VERSIONS_TF.replace("{aws}", new),
        "blueprints/a/README.md": README.replace("{aws}", new),
        "modules/b/versions.tf": MODULE_TF.replace("{aws}", new),
        "modules/c/versions.tf": IMPLIED_TF.replace("{aws}", new),
        "modules/d/versions.tf": SHORTHAND_TF.replace("{aws}", new),
        "vendor/acme/versions.tf": OTHER_TF,
        "docs/notes.md": f"We used hashicorp/aws {aws_old} for a while.\n",
    }


def run(repo, *params, command="apply", recipe="set-version"):
    return main([command, recipe, *params, "--repo", str(repo)])


def report(repo, capsys, *params, recipe="set-version"):
    capsys.readouterr()
    code = run(repo, *params, "--format", "json", command="plan", recipe=recipe)
    return code, json.loads(capsys.readouterr().out)


def _expected(before: dict[str, str], after: dict[str, str]) -> dict[str, bytes]:
    """The after-tree: the files that must change from `after`, every other file as before."""
    return {p: (after[p] if p in after else before[p]).encode() for p in sorted(before)}


@pytest.mark.parametrize("recipe", ["set-version", "pin-versions"])
def test_a_provider_constraint_moves_in_every_module_and_readme_and_nothing_else(tmp_path, capsys, recipe):
    before = _tree(">= 3.72")
    repo = write_tree(tmp_path, before)
    assert run(repo, "provider=hashicorp/aws", "version=~> 5.95", recipe=recipe) == 0
    changed = _tree(">= 3.72", "~> 5.95")
    del changed["docs/notes.md"], changed["vendor/acme/versions.tf"]
    assert tree_bytes(repo) == _expected(before, changed)
    code, second = report(repo, capsys, "provider=hashicorp/aws", "version=~> 5.95", recipe=recipe)
    assert code == 0 and second["files"] == []  # a second run changes nothing
    assert [(r["path"], r["line"]) for r in second["residue"]] == [("docs/notes.md", 1)]


def test_the_constraint_is_written_exactly_as_given(tmp_path):
    before = {"versions.tf": VERSIONS_TF.replace("{aws}", "~> 4.0")}
    repo = write_tree(tmp_path, before)
    assert run(repo, "provider=hashicorp/aws", "version=>= 4.0, < 6.0") == 0
    assert (repo / "versions.tf").read_text() == VERSIONS_TF.replace("{aws}", ">= 4.0, < 6.0")


def test_an_exact_version_moves_pins_and_ranges_that_exclude_it_not_ranges_that_admit_it(tmp_path, capsys):
    # eks-workshop-v2 moved its labs' base from 5.99.1 to 5.100.0 and its cluster root kept
    # `>= 4.67.0`: a range that admits the version is that root's own policy (pin-versions pins it)
    before = {"base/versions.tf": VERSIONS_TF.replace("{aws}", "5.99.1"),
              "cluster/versions.tf": VERSIONS_TF.replace("{aws}", ">= 4.67.0"),
              "legacy/versions.tf": VERSIONS_TF.replace("{aws}", "~> 4.0")}
    repo = write_tree(tmp_path, before)
    assert run(repo, "provider=hashicorp/aws", "version=5.100.0") == 0
    assert tree_bytes(repo) == _expected(before, {"base/versions.tf": VERSIONS_TF.replace("{aws}", "5.100.0"),
                                                  "legacy/versions.tf": VERSIONS_TF.replace("{aws}", "5.100.0")})
    code, second = report(repo, capsys, "provider=hashicorp/aws", "version=5.100.0")
    assert code == 0 and second["files"] == []
    assert [(r["path"], r["line"], r["reason"]) for r in second["residue"]] == [
        ("cluster/versions.tf", 7, "required_providers version: '>= 4.67.0' already admits 5.100.0: not narrowed "
                                   "to it (pin-versions pins a range)")]


@pytest.mark.parametrize(("constraint", "version", "admitted"), [
    (">= 4.67.0", "5.100.0", True), ("~> 5.95", "5.100.0", True), ("~> 5.95", "6.0.0", False),
    ("~> 5.95.1", "5.95.9", True), ("~> 5.95.1", "5.96.0", False), (">= 4.0, < 6.0", "5.1", True),
    (">= 4.0, < 6.0", "6.0.0", False), ("!= 5.1.0", "5.1.0", False), ("5.99.1", "5.100.0", False),
    (">= 1.0", "1.2.0-rc1", None)])
def test_a_constraint_admits_a_version_by_terraforms_rules(constraint, version, admitted):
    assert admits(constraint, version) is admitted


def test_another_providers_same_constraint_is_a_lookalike_that_stays(tmp_path):
    # helm and awscc share the old constraint; acme/aws shares the local name: none moves
    before = {"versions.tf": VERSIONS_TF.replace("{aws}", "~> 5.95"), "vendor/versions.tf": OTHER_TF}
    repo = write_tree(tmp_path, before)
    assert run(repo, "provider=hashicorp/aws", "version=~> 5.95") == 0
    assert tree_bytes(repo) == _expected(before, {})
    assert run(repo, "provider=hashicorp/awscc", "version=~> 1.0") == 0
    assert (repo / "versions.tf").read_text() == VERSIONS_TF.replace("{aws}", "~> 5.95").replace(
        'awscc"\n      version = ">= 3.72"', 'awscc"\n      version = "~> 1.0"')


def test_readme_rows_that_do_not_document_the_constraint_are_listed_not_changed(tmp_path, capsys):
    # a Providers row holding the lock file's version, and a second stale copy of the generated
    # section (terraform-docs replaces the first only)
    readme = (README.replace('| {aws} |\n| <a name="provider_aws.ecr"', '| 5.38.0 |\n| <a name="provider_aws.ecr"')
              + "<!-- BEGIN_TF_DOCS -->\n| <a name=\"requirement_aws\"></a> [aws](#requirement\\_aws) | {aws} |\n"
                "<!-- END_TF_DOCS -->\n")
    before = {"versions.tf": VERSIONS_TF.replace("{aws}", ">= 3.72"), "README.md": readme.replace("{aws}", ">= 3.72")}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "provider=hashicorp/aws", "version=~> 5.95")
    assert code == 0
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("README.md", 16, "terraform-docs provider row '5.38.0' not the constraint the module declares (>= 3.72): "
                          "not changed"),
        ("README.md", 21, "terraform-docs requirement row '>= 3.72' outside the terraform-docs section "
                          "(BEGIN_TF_DOCS/END_TF_DOCS): not changed"),
    ]
    assert run(repo, "provider=hashicorp/aws", "version=~> 5.95") == 0
    after = readme.replace("{aws}", "~> 5.95").replace(
        '[aws](#requirement\\_aws) | ~> 5.95 |\n<!-- END', '[aws](#requirement\\_aws) | >= 3.72 |\n<!-- END')
    assert (repo / "README.md").read_text() == after


def test_a_readme_without_a_module_beside_it_is_not_touched(tmp_path):
    before = {"versions.tf": VERSIONS_TF.replace("{aws}", ">= 3.72"),
              "other/README.md": README.replace("{aws}", ">= 3.72")}
    repo = write_tree(tmp_path, before)
    assert run(repo, "provider=hashicorp/aws", "version=~> 5.95") == 0
    assert tree_bytes(repo) == _expected(before, {"versions.tf": VERSIONS_TF.replace("{aws}", "~> 5.95")})


def test_paths_limit_the_provider_change(tmp_path):
    before = _tree(">= 3.72")
    repo = write_tree(tmp_path, before)
    assert run(repo, "provider=hashicorp/aws", "version=~> 5.95", "paths=modules/b/**") == 0
    assert tree_bytes(repo) == _expected(before, {"modules/b/versions.tf": MODULE_TF.replace("{aws}", "~> 5.95")})


MODULES_TF = """\
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 19.0"

  cluster_name = "demo"
}

module "irsa" {
  source  = "registry.terraform.io/terraform-aws-modules/eks/aws//modules/karpenter"
  version = "19.21.0"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 19.0"
}

module "fork" {
  source  = "acme/eks/aws"
  version = "~> 19.0"
}

module "ingress" {
  source = "github.com/acme/terraform-ingress?ref=1.8.12"
}

module "ingress_git" {
  source = "git::https://github.com/acme/terraform-ingress.git//modules/nginx?ref=1.8.12"
}

module "other" {
  source = "github.com/acme/terraform-ingress-extra?ref=1.8.12"
}
"""


MODULES_README = """\
## Modules

| Name | Source | Version |
|------|--------|---------|
| <a name="module_eks"></a> [eks](#module\\_eks) | terraform-aws-modules/eks/aws | {eks} |
| <a name="module_fork"></a> [fork](#module\\_fork) | acme/eks/aws | ~> 19.0 |
| <a name="module_vpc"></a> [vpc](#module\\_vpc) | terraform-aws-modules/vpc/aws | ~> 19.0 |
"""


def test_a_registry_module_version_moves_in_its_blocks_and_readme_rows_only(tmp_path, capsys):
    repo = write_tree(tmp_path, {"main.tf": MODULES_TF, "README.md": MODULES_README.replace("{eks}", "~> 19.0"),
                                 "NOTES.md": "terraform-aws-modules/eks/aws 19.21.0 needs a new IAM role\n"})
    code, result = report(repo, capsys, "module=terraform-aws-modules/eks/aws", "version=~> 20.0")
    assert code == 0 and [(r["path"], r["line"]) for r in result["residue"]] == [("NOTES.md", 1)]
    assert run(repo, "module=terraform-aws-modules/eks/aws", "version=~> 20.0") == 0
    assert (repo / "main.tf").read_text() == MODULES_TF.replace(
        '  version = "~> 19.0"\n\n  cluster', '  version = "~> 20.0"\n\n  cluster').replace(
        '"19.21.0"', '"~> 20.0"')
    assert (repo / "README.md").read_text() == MODULES_README.replace("{eks}", "~> 20.0")
    code, second = report(repo, capsys, "module=terraform-aws-modules/eks/aws", "version=~> 20.0")
    assert code == 0 and second["files"] == []


def test_pinning_moves_floating_constraints_and_never_an_exact_pin(tmp_path, capsys):
    """pin-versions module=: `~> 21.0` becomes the pin; blocks already pinned to another exact
    version (`"21.15"`, `"21.15.1"`, newer than the one asked) stay and are listed, where
    set-version moves them (eks-workshop-v2's karpenter and hybrid-node-role submodules)."""
    tf = ('module "eks" {\n  source  = "terraform-aws-modules/eks/aws"\n  version = "~> 21.0"\n}\n\n'
          'module "karpenter" {\n  source  = "terraform-aws-modules/eks/aws//modules/karpenter"\n'
          '  version = "21.15"\n}\n\n'
          'module "node_role" {\n  source  = "terraform-aws-modules/eks/aws//modules/hybrid-node-role"\n'
          '  version = "= 21.15.1"\n}\n')
    repo = write_tree(tmp_path, {"main.tf": tf})
    code, result = report(repo, capsys, "module=terraform-aws-modules/eks/aws", "version=21.0.9", recipe="pin-versions")
    assert code == 0 and len(result["files"]) == 1
    assert [(r["line"], r["reason"]) for r in result["residue"]] == [
        (8, 'module version: already pinned to 21.15: not changed (set-version moves a pin)'),
        (13, 'module version: already pinned to = 21.15.1: not changed (set-version moves a pin)')]
    assert run(repo, "module=terraform-aws-modules/eks/aws", "version=21.0.9", recipe="pin-versions") == 0
    assert (repo / "main.tf").read_text() == tf.replace('"~> 21.0"', '"21.0.9"')
    assert run(repo, "module=terraform-aws-modules/eks/aws", "version=21.0.9") == 0  # set-version moves every one
    assert (repo / "main.tf").read_text().count('"21.0.9"') == 3


def test_pinning_adds_a_version_to_a_block_that_floats(tmp_path, capsys):
    """bank-of-anthos pinned its sql-db module blocks, which had no version, by adding
    `version = "~> 20.0.0"` after the source, the `=` aligned as terraform fmt aligns; set-version
    lists such a block (it moves versions, it does not add pins)."""
    tf = ('# production instance\nmodule "db" {\n  source = "GoogleCloudPlatform/sql-db/google//modules/postgresql"\n'
          '\n  project_id = var.project_id\n}\n')
    repo = write_tree(tmp_path, {"env.tf": tf})
    assert run(repo, "module=GoogleCloudPlatform/sql-db/google", "version=~> 20.0.0") == 0
    assert (repo / "env.tf").read_text() == tf
    assert run(repo, "module=GoogleCloudPlatform/sql-db/google", "version=~> 20.0.0", recipe="pin-versions") == 0
    assert (repo / "env.tf").read_text() == tf.replace(
        '  source = "GoogleCloudPlatform/sql-db/google//modules/postgresql"\n',
        '  source  = "GoogleCloudPlatform/sql-db/google//modules/postgresql"\n  version = "~> 20.0.0"\n')
    code, second = report(repo, capsys, "module=GoogleCloudPlatform/sql-db/google", "version=~> 20.0.0",
                          recipe="pin-versions")
    assert code == 0 and second["files"] == []


def test_a_github_module_source_moves_its_ref_like_github_does(tmp_path, capsys):
    repo = write_tree(tmp_path, {"main.tf": MODULES_TF})
    assert run(repo, "module=github.com/acme/terraform-ingress", "version=1.8.13") == 0
    assert (repo / "main.tf").read_text() == MODULES_TF.replace(
        "terraform-ingress?ref=1.8.12", "terraform-ingress?ref=1.8.13").replace(
        "nginx?ref=1.8.12", "nginx?ref=1.8.13")
    code, second = report(repo, capsys, "module=git::https://github.com/acme/terraform-ingress.git", "version=1.8.13")
    assert code == 0 and second["files"] == []


@pytest.mark.parametrize("text", ["~> 5.95", ">= 5.34", ">= 4.0, < 6.0", "1.2.3", "= 1.2.3", "!= 2.0", ">=4.0,<6.0",
                                  "~> 1.0.0-beta1"])
def test_constraint_grammar_accepts(text):
    assert is_constraint(text)


@pytest.mark.parametrize("text", ["", " ~> 5.95", "~> 5.95 ", "~>  5.95", "=> 5", "~> 5.x", "latest", ">= 4.0,, < 6",
                                  "~> 5.95; rm -rf /", '~> 5.95"', "v5.95", "~> 5.95\n", ">= 1.2.3.4"])
def test_constraint_grammar_refuses(text):
    assert not is_constraint(text)


@pytest.mark.parametrize("params, message", [
    (["provider=hashicorp/aws", "tool=istio", "version=1.2.3"], "(given: tool, provider)"),
    (["provider=hashicorp/aws", "module=terraform-aws-modules/eks/aws", "version=1.2.3"],
     "(given: provider, module)"),
    (["provider=hashicorp/aws"], "needs version="),
    (["provider=aws", "version=~> 5.0"], "is not a Terraform provider (NAMESPACE/NAME)"),
    (["provider=hashicorp/aws", "version=5.x"], "is not a Terraform version constraint"),
    (["module=terraform-aws-modules/eks", "version=~> 1.0"], "is neither a registry module"),
    (["module=terraform-aws-modules/eks/aws", "version=latest"], "is not a Terraform version constraint"),
    (["module=github.com/acme/terraform-ingress", "version=~> 1.0"], "is not a version tag"),
    (["module=github.com/acme/terraform-ingress?ref=1.8.12", "version=1.8.13"], "does not match"),
])
def test_parameter_contract(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"versions.tf": VERSIONS_TF.replace("{aws}", ">= 3.72")})
    assert run(repo, *params, command="plan") == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize("params, message", [
    (["provider=hashicorp/aws", "tool=istio", "version=~> 5.0"], "one target"),
    (["tool=istio", "paths=x/"], "matches no file in the repository"),
    (["tool=istio", "to=aws-ia/addons/aws"], "takes to= with module= only"),
    (["actions=commit", "provider=hashicorp/aws", "version=~> 5.0"], "actions= applies to GitHub Actions"),
])
def test_pin_versions_parameter_contract(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"versions.tf": VERSIONS_TF.replace("{aws}", ">= 3.72")})
    assert run(repo, *params, command="plan", recipe="pin-versions") == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


FORK_TF = """\
module "addons" {
  source = "github.com/fork/terraform-aws-addons?ref=my-branch"

  cluster_name = "demo"
}

module "addons_counted" {
  count  = 1
  source = "git::https://github.com/fork/terraform-aws-addons.git?ref=v0.9.0"
  name   = "x"
}

module "addons_sub" {
  source = "github.com/fork/terraform-aws-addons//modules/irsa?ref=my-branch"
}

module "upstream" {
  source  = "github.com/upstream/terraform-aws-addons?ref=my-branch"
}
"""

FORK_TF_AFTER = """\
module "addons" {
  source  = "aws-ia/addons/aws"
  version = "~> 1.0"

  cluster_name = "demo"
}

module "addons_counted" {
  count   = 1
  source  = "aws-ia/addons/aws"
  version = "~> 1.0"
  name    = "x"
}

module "addons_sub" {
  source = "github.com/fork/terraform-aws-addons//modules/irsa?ref=my-branch"
}

module "upstream" {
  source  = "github.com/upstream/terraform-aws-addons?ref=my-branch"
}
"""


@pytest.mark.parametrize("recipe", ["pin-versions", "set-version"])
def test_a_forks_branch_moves_to_the_registry_module_aligned_as_terraform_fmt_aligns(tmp_path, capsys, recipe):
    params = ("module=github.com/fork/terraform-aws-addons", "to=aws-ia/addons/aws", "version=~> 1.0")
    repo = write_tree(tmp_path, {"main.tf": FORK_TF, "other.tf": FORK_TF.replace("fork/", "someone/")})
    code, result = report(repo, capsys, *params, recipe=recipe)
    assert code == 1  # the //subdir source is refused: no registry equivalent can be derived
    assert [(r["path"], r["line"]) for r in result["refused"]] == [("main.tf", 14)]
    assert run(repo, *params, recipe=recipe) == 1
    assert tree_bytes(repo) == {"main.tf": FORK_TF_AFTER.encode(),
                                "other.tf": FORK_TF.replace("fork/", "someone/").encode()}
    code, second = report(repo, capsys, *params, recipe=recipe)
    assert [f["path"] for f in second["files"]] == []  # a second run changes nothing


def test_a_registry_module_moves_to_another_with_its_version_set(tmp_path):
    before = 'module "eks" {\n  source  = "acme/eks/aws"\n  version = "~> 1.0"\n}\n'
    repo = write_tree(tmp_path, {"main.tf": before})
    assert run(repo, "module=acme/eks/aws", "to=terraform-aws-modules/eks/aws", "version=~> 20.0") == 0
    assert (repo / "main.tf").read_text() == (
        'module "eks" {\n  source  = "terraform-aws-modules/eks/aws"\n  version = "~> 20.0"\n}\n')


@pytest.mark.parametrize("params, message", [
    (["module=github.com/fork/addons", "to=github.com/aws-ia/addons", "version=~> 1.0"], "is not a registry module"),
    (["module=github.com/fork/addons", "to=aws-ia/addons/aws", "version=main"],
     "is not a Terraform version constraint"),
    (["module=fork/addons", "to=aws-ia/addons/aws", "version=~> 1.0"], "is neither a registry module"),
    (["github=fork/addons", "to=aws-ia/addons/aws", "version=v1.0.0"], "to= applies to image= only"),
])
def test_module_move_parameter_contract(tmp_path, capsys, params, message):
    repo = write_tree(tmp_path, {"main.tf": FORK_TF})
    assert run(repo, *params, command="plan") == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_version_that_is_no_literal_or_missing_is_reported_not_changed(tmp_path, capsys):
    before = {"versions.tf": VERSIONS_TF.replace('"{aws}"', "var.aws_version"),
              "main.tf": 'module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n}\n'}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "provider=hashicorp/aws", "version=~> 5.95")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("versions.tf", 7, "required_providers version: 'var.aws_version' is not a literal constraint: not changed")]
    code, result = report(repo, capsys, "module=terraform-aws-modules/eks/aws", "version=~> 20.0")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("main.tf", 2, "module without version: floats to the newest release: not changed")]
    assert tree_bytes(repo) == _expected(before, {})


def test_an_unparsable_file_is_residue_and_does_not_stop_the_run(tmp_path, capsys):
    before = {"broken/versions.tf": 'terraform {\n  required_providers {\n    aws = {\n      version = ">= 3.72"\n',
              "ok/versions.tf": VERSIONS_TF.replace("{aws}", ">= 3.72")}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "provider=hashicorp/aws", "version=~> 5.95")
    assert code == 0 and [f["path"] for f in result["files"]] == ["ok/versions.tf"]
    assert [(r["path"], r["reason"].split(" (")[0]) for r in result["residue"]] == [
        ("broken/versions.tf", "not parsable as HCL")]
