"""set-version `from=`: only occurrences now at the named old version(s) move; occurrences of the
same tool at other versions (an example pinned on purpose to an older minor, a role default the
inventory overrides) stay and are listed in the residue with their line and reason. Constructed
before/after trees byte for byte, each at its own precision, for the catalogue (Kubernetes minor,
k3s with build metadata) and a toolchain (Go), look-alikes that never move, a second run that
changes nothing, and the grammar."""

from __future__ import annotations


import pytest

from gitops_bot.domain.versions import is_from, parse_from

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

# path -> (before, after) for `tool=kubernetes version=1.30 from=1.29`
KUBERNETES = {
    "patterns/a/main.tf": (
        'module "eks" {\n  cluster_name    = local.name\n  cluster_version = "1.29"\n}\n',
        'module "eks" {\n  cluster_name    = local.name\n  cluster_version = "1.30"\n}\n'),
    "patterns/blue/main.tf": (  # deliberately on an older minor: kept, listed
        'module "eks" {\n  cluster_version = "1.26" # N, green is N+1\n}\n',
        'module "eks" {\n  cluster_version = "1.26" # N, green is N+1\n}\n'),
    "patterns/b/variables.tf": (
        'variable "cluster_version" {\n  type    = string\n  default = "1.29"\n}\n\n'
        'variable "other_version" {\n  default = "1.29"\n}\n',
        'variable "cluster_version" {\n  type    = string\n  default = "1.30"\n}\n\n'
        'variable "other_version" {\n  default = "1.29"\n}\n'),
    "live/cluster.tf": (
        'locals {\n  cluster_version = {\n    live    = "1.29"\n    sandbox = "1.28"\n  }\n}\n',
        'locals {\n  cluster_version = {\n    live    = "1.30"\n    sandbox = "1.28"\n  }\n}\n'),
}


def _tree(which):
    return {path: pair[which] for path, pair in KUBERNETES.items()}


def test_only_the_occurrences_at_the_old_version_move(tmp_path, capsys):
    repo = write_tree(tmp_path, _tree(0))
    assert run(repo, "tool=kubernetes", "version=1.30", "from=1.29") == 0
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(_tree(1).items())}
    code, second = report(repo, capsys, "tool=kubernetes", "version=1.30", "from=1.29")
    assert code == 0 and second["files"] == []  # a second run changes nothing


def test_the_others_are_listed_with_line_and_reason(tmp_path, capsys):
    repo = write_tree(tmp_path, _tree(0))
    code, result = report(repo, capsys, "tool=kubernetes", "version=1.30", "from=1.29")
    assert code == 0
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("live/cluster.tf", 4, "kept: Terraform attribute (map) 1.28 is not from=1.29"),
        ("patterns/blue/main.tf", 2, "kept: Terraform attribute 1.26 is not from=1.29"),
    ]


def test_without_from_every_occurrence_moves(tmp_path):
    repo = write_tree(tmp_path, _tree(0))
    assert run(repo, "tool=kubernetes", "version=1.30") == 0
    assert 'cluster_version = "1.30" # N' in (repo / "patterns/blue/main.tf").read_text()
    assert 'sandbox = "1.30"' in (repo / "live/cluster.tf").read_text()


def test_several_old_versions(tmp_path):
    repo = write_tree(tmp_path, _tree(0))
    assert run(repo, "tool=kubernetes", "version=1.30", "from=1.29,1.28") == 0
    assert 'sandbox = "1.30"' in (repo / "live/cluster.tf").read_text()
    assert '"1.26"' in (repo / "patterns/blue/main.tf").read_text()


# k3s: the cluster's version moves; a role default on another version stays
K3S_BEFORE = {
    "ansible/group_vars/all.yml": "k3s_version: v1.29.1+k3s2\n",
    "ansible/roles/k3s/defaults/main.yml": "k3s_version: v1.24.7+k3s1\n",
    "system-upgrade/plan.yaml": ("apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: server\n"
                                 "spec:\n  version: v1.29.1+k3s2\n"),
    "k3d.yaml": "apiVersion: k3d.io/v1alpha4\nkind: Simple\nimage: rancher/k3s:v1.29.1-k3s2\n",
}


def test_a_build_metadata_version_and_its_image_tag_spelling(tmp_path, capsys):
    repo = write_tree(tmp_path, K3S_BEFORE)
    assert run(repo, "tool=k3s", "version=v1.29.4+k3s1", "from=v1.29.1+k3s2") == 0
    assert tree_bytes(repo) == {
        "ansible/group_vars/all.yml": b"k3s_version: v1.29.4+k3s1\n",
        "ansible/roles/k3s/defaults/main.yml": b"k3s_version: v1.24.7+k3s1\n",
        "k3d.yaml": b"apiVersion: k3d.io/v1alpha4\nkind: Simple\nimage: rancher/k3s:v1.29.4-k3s1\n",
        "system-upgrade/plan.yaml": (b"apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: server\n"
                                     b"spec:\n  version: v1.29.4+k3s1\n"),
    }
    code, result = report(repo, capsys, "tool=k3s", "version=v1.29.4+k3s1", "from=v1.29.4+k3s1")
    assert code == 0 and result["files"] == []
    assert [(r["path"], r["line"]) for r in result["residue"]] == [("ansible/roles/k3s/defaults/main.yml", 1)]


def test_a_toolchain_at_its_own_precision(tmp_path, capsys):
    before = {
        "go.mod": "module example.com/app\n\ngo 1.21\n\nrequire golang.org/x/net v0.21.0\n",
        "Dockerfile": "FROM golang:1.21.6-alpine AS build\nFROM istio/proxyv2:1.21.6\n",
        "legacy/go.mod": "module example.com/legacy\n\ngo 1.19\n",
    }
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "tool=go", "version=1.22.1", "from=1.21.6")
    assert code == 0 and [f["path"] for f in result["files"]] == ["Dockerfile", "go.mod"]
    assert ("legacy/go.mod", 3) in [(r["path"], r["line"]) for r in result["residue"]]
    assert run(repo, "tool=go", "version=1.22.1", "from=1.21.6") == 0
    assert tree_bytes(repo) == {
        "Dockerfile": b"FROM golang:1.22.1-alpine AS build\nFROM istio/proxyv2:1.21.6\n",
        "go.mod": b"module example.com/app\n\ngo 1.22\n\nrequire golang.org/x/net v0.21.0\n",
        "legacy/go.mod": b"module example.com/legacy\n\ngo 1.19\n",
    }


@pytest.mark.parametrize("params", [["tool=kubernetes", "version=1.30", "from=1.29;rm"],
                                    ["tool=kubernetes", "version=1.30", "from=latest"],
                                    ["image=acme/api", "version=1.2.3", "from=1.2.2"]])
def test_bad_from_is_one_line_and_exit_2(tmp_path, capsys, params):
    repo = write_tree(tmp_path, _tree(0))
    capsys.readouterr()
    assert run(repo, *params) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "from=" in err[0]
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(_tree(0).items())}


@pytest.mark.parametrize("written, olds, expected", [
    ("1.29", ("1.29",), True), ("v1.29", ("1.29",), True), ("1.17", ("1.17.5",), True),
    ("1.29.3", ("1.29",), True), ("1.29.1+k3s2", ("v1.29.1+k3s2",), True), ("1.29.1+k3s2", ("1.29.1",), True),
    ("1.2", ("1.29",), False), ("1.29", ("1.2",), False), ("1.24.7+k3s1", ("v1.29.1+k3s2",), False),
    ("1.290", ("1.29",), False),
])
def test_is_from(written, olds, expected):
    assert is_from(written, olds) is expected


def test_parse_from():
    assert parse_from("") == ()
    assert parse_from("1.29, v1.28.3") == ("1.29", "v1.28.3")
    with pytest.raises(ValueError):
        parse_from("1.29,")
