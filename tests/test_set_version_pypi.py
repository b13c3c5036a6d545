"""set-version pypi=NAME: every requirement on one Python package (requirements files, pip install
lines in workflows, shell and Dockerfiles, pyproject dependency strings) moves to the version, its
operator kept. Constructed before/after trees byte for byte; look-alikes that never move (a longer
package name, another package at the same version, an upper bound); a bound the new version would
break, versions outside from= and prose listed with line and reason; a second run that changes
nothing; bad parameters."""

from __future__ import annotations


import pytest

from gitops_bot.domain.python_packages import is_name, requirements

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

FORMS = {
    ".github/workflows/test.yaml": (
        "jobs:\n  t:\n    steps:\n      - run: |\n          pip3 install -U \"kfp>=2.15.0\"\n"
        "          pip3 install \"kfp-server-api>=2.15.0\" 'istio==2.15.0'\n",
        "jobs:\n  t:\n    steps:\n      - run: |\n          pip3 install -U \"kfp>=2.15.1\"\n"
        "          pip3 install \"kfp-server-api>=2.15.0\" 'istio==2.15.0'\n"),
    "requirements.txt": (
        "KFP[kubernetes]==2.15.0  # the SDK\nmy-kfp==2.15.0\nrequests>=2.31.0\n",
        "KFP[kubernetes]==2.15.1  # the SDK\nmy-kfp==2.15.0\nrequests>=2.31.0\n"),
    "pyproject.toml": (
        "[project]\nname = \"pipelines\"\ndependencies = [\"kfp ~= 2.15.0\", \"kfp_kubernetes>=1.0\"]\n",
        "[project]\nname = \"pipelines\"\ndependencies = [\"kfp ~= 2.15.1\", \"kfp_kubernetes>=1.0\"]\n"),
    "Dockerfile": (
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir kfp==2.15.0 && kfp --version\n",
        "FROM python:3.12-slim\nRUN pip install --no-cache-dir kfp==2.15.1 && kfp --version\n"),
}


def test_every_requirement_moves_and_nothing_else(tmp_path, capsys):
    repo = write_tree(tmp_path, {p: pair[0] for p, pair in FORMS.items()})
    assert run(repo, "pypi=kfp", "version=2.15.1") == 0
    assert tree_bytes(repo) == {p: pair[1].encode() for p, pair in sorted(FORMS.items())}
    code, second = report(repo, capsys, "pypi=kfp", "version=2.15.1")
    assert code == 0 and second["files"] == []


@pytest.mark.parametrize("path", sorted(FORMS))
def test_each_form_alone(tmp_path, path):
    before, after = FORMS[path]
    repo = write_tree(tmp_path, {path: before})
    assert run(repo, "pypi=kfp", "version=2.15.1") == 0
    assert tree_bytes(repo) == {path: after.encode()}


def test_bounds_from_and_prose_are_listed(tmp_path, capsys):
    before = {"ci.sh": "pip install \"kfp>=1.8.23,<2.0.0\"\npip install kfp==2.13.0\npip install \"kfp>=2.15.0\"\n",
              "README.md": "Install `kfp==2.15.0`.\n\nThe KFP SDK 2.15.0 is needed.\n"}
    repo = write_tree(tmp_path, before)
    code, result = report(repo, capsys, "pypi=kfp", "version=2.15.1", "from=2.15.0")
    assert code == 0 and [f["path"] for f in result["files"]] == ["ci.sh"]
    assert [(r["path"], r["line"], r["reason"]) for r in result["residue"]] == [
        ("README.md", 1, "requirement in documentation: not changed"),
        ("README.md", 3, "names package kfp next to 2.15.0 in no recognised form: not changed"),
        ("ci.sh", 1, "kept: the requirement's bound <2.0.0 excludes 2.15.1"),
        ("ci.sh", 2, "kept: ==2.13.0 is not from=2.15.0"),
    ]
    assert run(repo, "pypi=kfp", "version=2.15.1", "from=2.15.0") == 0
    assert (repo / "ci.sh").read_text() == before["ci.sh"].replace(">=2.15.0", ">=2.15.1")


@pytest.mark.parametrize("params", [["pypi=kfp;rm", "version=2.15.1"], ["pypi=kfp", "version=latest"],
                                    ["pypi=kfp", "version=2.15.1", "from=x"]])
def test_bad_parameters_exit_2_and_leave_the_tree(tmp_path, params):
    before = {p: pair[0] for p, pair in FORMS.items()}
    repo = write_tree(tmp_path, before)
    assert run(repo, *params) == 2
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(before.items())}


def test_the_domain_functions():
    assert is_name("kfp") and is_name("kfp-server-api") and not is_name("kfp;") and not is_name("-kfp")
    found = requirements("a kfp.server_API==1.0.0 b", "kfp-server-api", "1.1.0")
    assert [(r.operator, r.version) for r in found] == [("==", "1.0.0")]
    assert requirements("kfp<3,>=2.0.0", "kfp", "2.1.0") == []  # the first clause is an upper bound: nothing moves
