"""pin-versions' `github=OWNER/REPO` target: the project's refs on a release branch become the tag
asked for, in every form github_refs.py reads. Constructed before/after trees byte for byte,
look-alikes left alone (another project, another release branch, the default branch, a commit, a
tag), the residue that lists each ref left, a second run that changes nothing, bad parameters."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

SHA = "0123456789abcdef0123456789abcdef01234567"
RAW = "https://github.com/acme/operator/raw"

# path -> (before, after) for `pin-versions github=acme/operator version=v1.25.2`
FORMS = {
    "crds/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        f"  # {RAW}/release-1.25/config/crd/bases/backups.yaml\n  - ./vendor/backups.yaml\n"
        f"  # {RAW}/release-1.25/config/crd/bases/clusters.yaml\n  - ./vendor/clusters.yaml\n"
        "  - https://raw.githubusercontent.com/acme/operator/release-1.25/config/rbac.yaml\n"
        "  - github.com/acme/operator//config/default?ref=release-1.25\n"
        "  - https://raw.githubusercontent.com/acme/operator-extra/release-1.25/x.yaml\n"
        "  - https://raw.githubusercontent.com/other/operator/release-1.25/y.yaml\n",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
        f"  # {RAW}/v1.25.2/config/crd/bases/backups.yaml\n  - ./vendor/backups.yaml\n"
        f"  # {RAW}/v1.25.2/config/crd/bases/clusters.yaml\n  - ./vendor/clusters.yaml\n"
        "  - https://raw.githubusercontent.com/acme/operator/v1.25.2/config/rbac.yaml\n"
        "  - github.com/acme/operator//config/default?ref=v1.25.2\n"
        "  - https://raw.githubusercontent.com/acme/operator-extra/release-1.25/x.yaml\n"
        "  - https://raw.githubusercontent.com/other/operator/release-1.25/y.yaml\n"),
    "argocd/operator.yaml": (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: operator\nspec:\n"
        "  source:\n    repoURL: https://github.com/acme/operator.git\n    path: config/release\n"
        "    targetRevision: release-1.25  # the branch\n",
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: operator\nspec:\n"
        "  source:\n    repoURL: https://github.com/acme/operator.git\n    path: config/release\n"
        "    targetRevision: v1.25.2  # the branch\n"),
}
# refs of the project that stay, each listed with its reason
LEFT = {
    "monitoring/dashboards.yaml": (
        "dashboards:\n  operator:\n"
        "    url: https://raw.githubusercontent.com/acme/operator/main/docs/dashboard.json\n"
        f"  pinned:\n    url: https://raw.githubusercontent.com/acme/operator/{SHA}/docs/dashboard.json\n"
        "  old:\n    url: https://raw.githubusercontent.com/acme/operator/release-1.24/docs/dashboard.json\n"
        "  tagged:\n    url: https://raw.githubusercontent.com/acme/operator/v1.24.0/docs/dashboard.json\n"),
}


def run(repo, command, *params):
    return main([command, *params, "--repo", str(repo)])


def test_release_branch_refs_become_the_tag(tmp_path, capsys):
    before = {path: b for path, (b, _) in FORMS.items()} | LEFT
    repo = write_tree(tmp_path, before)
    capsys.readouterr()
    # exit 1: an edit is refused (the other release branch)
    assert run(repo, "plan", "pin-versions", "github=acme/operator", "version=v1.25.2", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    left = [(r["path"], r["line"], r["reason"]) for r in report["residue"] + report.get("refused", [])]
    where = "monitoring/dashboards.yaml"
    assert sorted(left) == sorted([
        (where, 3, "raw file URL: on the default branch main: not pinned (its file may not exist at v1.25.2); "
                   "pin it by hand"),
        (where, 5, f"raw file URL: pinned to commit {SHA}: left as it is"),
        (where, 7, "raw file URL: edit refused: v1.25.2 is not a release of branch release-1.24: pin it by hand"),
        (where, 9, "raw file URL: already pinned to v1.24.0: left (set-version github= moves it)"),
    ])
    assert run(repo, "apply", "pin-versions", "github=acme/operator", "version=v1.25.2") == 1
    assert tree_bytes(repo) == {p: a.encode() for p, a in ({p: a for p, (_, a) in FORMS.items()} | LEFT).items()}
    assert run(repo, "apply", "pin-versions", "github=acme/operator", "version=v1.25.2") == 1
    assert tree_bytes(repo) == {p: a.encode() for p, a in ({p: a for p, (_, a) in FORMS.items()} | LEFT).items()}


def test_a_tree_already_pinned_is_a_no_op(tmp_path, capsys):
    repo = write_tree(tmp_path, {path: after for path, (_, after) in FORMS.items()})
    capsys.readouterr()
    assert run(repo, "plan", "pin-versions", "github=acme/operator", "version=v1.25.2", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["residue"] == []
    assert tree_bytes(repo) == {p: a.encode() for p, (_, a) in FORMS.items()}


@pytest.mark.parametrize("params, message", [
    (["github=acme", "version=v1.25.2"], "github='acme' is not a GitHub project (OWNER/REPO)"),
    (["github=acme/operator", "version=release-1.25"], "version='release-1.25' is not a version tag"),
    (["github=acme/operator", "image=nginx", "version=v1.25.2"], "pin-versions takes one target"),
])
def test_bad_parameters_are_one_line_and_change_nothing(tmp_path, capsys, params, message):
    before = {path: b for path, (b, _) in FORMS.items()}
    repo = write_tree(tmp_path, before)
    capsys.readouterr()
    assert run(repo, "apply", "pin-versions", *params) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert tree_bytes(repo) == {p: b.encode() for p, b in before.items()}
