"""set-version to a version older than every version it finds: a typo (`1.2.0` for `1.22.0`)
looks like that, and so does a deliberate rollback (3 of the corpus's 82 set-version cases). The
change is made, and the residue asks the reviewer to confirm it. A version older than only some
of those found, one equal at its own precision, and a run that names the versions to move
(from=) are not judged."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main

from .conftest import write_tree

CHART = "apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - name: cert-manager\n    version: {v}\n"


def _plan(tmp_path, capsys, *params) -> tuple[int, dict]:
    code = main(["plan", "set-version", *params, "--repo", str(tmp_path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_a_downgrade_is_made_and_listed_for_the_reviewer(tmp_path, capsys):
    write_tree(tmp_path, {"Chart.yaml": CHART.format(v="v1.16.2"),
                          "deploy/app.yaml": "image: quay.io/jetstack/cert-manager-controller:v1.16.2\n"})
    code, report = _plan(tmp_path, capsys, "chart=cert-manager", "version=1.1.6")
    assert code == 0 and [f["path"] for f in report["files"]] == ["Chart.yaml"]
    downgrades = [(r["path"], r["line"], r["reason"]) for r in report["residue"] if "downgrade" in r["reason"]]
    assert downgrades == [("Chart.yaml", 6, "version=1.1.6 is older than every version found (v1.16.2 x1): "
                                           "a downgrade; check it is meant")]


@pytest.mark.parametrize(("files", "params"), [
    # older than one version found, not than every one: a repository on two versions
    ({"a/Chart.yaml": CHART.format(v="1.16.2"), "b/Chart.yaml": CHART.format(v="1.14.0")},
     ["chart=cert-manager", "version=1.15.0"]),
    # the same version at the asked precision: Kubernetes 1.30 where 1.30.2 is written
    ({"cluster.tf": 'variable "v" {\n  default = "1.30.2"\n}\nmodule "eks" {\n  cluster_version = "1.29"\n}\n'},
     ["tool=kubernetes", "version=1.30"]),
    # from= names the versions to move: the user chose them
    ({"cluster.tf": 'module "eks" {\n  cluster_version = "1.30"\n}\n'},
     ["tool=kubernetes", "version=1.28", "from=1.30"]),
])
def test_what_is_not_a_downgrade_is_not_listed_as_one(tmp_path, capsys, files, params):
    write_tree(tmp_path, files)
    code, report = _plan(tmp_path, capsys, *params)
    assert code in (0, 1) and report["files"]
    assert not [r for r in report["residue"] if "downgrade" in r["reason"]]
