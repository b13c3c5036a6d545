"""set-version refuses a version older than every version it finds (most often a typo: `1.2.0`
for `1.22.0`) with one line and nothing written, unless allow_downgrade=true says it is a
rollback. A version older than only some of those found, one equal at its own precision, and a
run that names the versions to move (from=) are not judged."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

CHART = "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - name: cert-manager\n    version: {v}\n"
TREE = {"Chart.yaml": CHART.format(v="v1.16.2"),
        "deploy/app.yaml": "image: quay.io/jetstack/cert-manager-controller:v1.16.2\n"}


def test_a_downgrade_is_one_line_and_changes_nothing(tmp_path, capsys):
    write_tree(tmp_path, TREE)
    before = tree_bytes(tmp_path)
    assert main(["apply", "set-version", "chart=cert-manager", "version=1.1.6", "--repo", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "version=1.1.6 is older than every version found (v1.16.2 x1)" in err and "allow_downgrade=true" in err
    assert tree_bytes(tmp_path) == before


def test_a_rollback_said_so_is_made(tmp_path):
    write_tree(tmp_path, TREE)
    assert main(["apply", "set-version", "chart=cert-manager", "version=1.15.0", "allow_downgrade=true",
                 "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "Chart.yaml").read_text() == CHART.format(v="v1.15.0")


@pytest.mark.parametrize(("files", "params"), [
    # older than one version found, not than every one: a repository on two versions
    ({"a/Chart.yaml": CHART.format(v="1.16.2"), "b/Chart.yaml": CHART.format(v="1.14.0")},
     ["chart=cert-manager", "version=1.15.0"]),
    # the same version at the asked precision: Kubernetes 1.30 where 1.30.2 is written
    ({"cluster.tf": 'variable "v" {\n  default = "1.30.2"\n}\nmodule "eks" {\n  cluster_version = "1.30"\n}\n'},
     ["tool=kubernetes", "version=1.30"]),
    # from= names the versions to move: the user chose them
    ({"cluster.tf": 'module "eks" {\n  cluster_version = "1.30"\n}\n'},
     ["tool=kubernetes", "version=1.28", "from=1.30"]),
])
def test_what_is_not_judged_a_downgrade_runs(tmp_path, capsys, files, params):
    write_tree(tmp_path, files)
    assert main(["plan", "set-version", *params, "--repo", str(tmp_path), "--format", "json"]) in (0, 1)
    out, err = capsys.readouterr()
    assert "downgrade" not in err and '"files": [' in out
