"""mesh-mode and the mesh-mode-consistency check beyond the golden trees: a switch there and back
restores every line it rewrote, a referenced ztunnel release is refused, the check fires on a
half-done switch in every format and stays quiet on a consistent repository."""

from __future__ import annotations

import json
import shutil

import pytest

from gitops_bot.cli import main

from .conftest import EXAMPLE, ROOT, tree_bytes

FIXTURE = ROOT / "tests" / "fixtures" / "mesh-mode"
RULE = ("--rule", "mesh-mode-consistency")


@pytest.fixture
def repo(tmp_path):
    shutil.copytree(FIXTURE, tmp_path / "repo")
    return tmp_path / "repo"


def run(capsys, *argv):
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_there_and_back_restores_every_rewritten_line(repo):
    before = tree_bytes(repo)
    assert main(["apply", "mesh-mode", "to=sidecar", "--repo", str(repo)]) == 0
    assert main(["apply", "mesh-mode", "to=ambient", "--repo", str(repo)]) == 0
    after = tree_bytes(repo)
    removed = {"terraform/mesh.tf"}  # the ztunnel release and the HBONE rule are not written back
    assert {p: b for p, b in after.items() if p not in removed} == {p: b for p, b in before.items() if p not in removed}


def test_a_referenced_ztunnel_release_is_refused(repo):
    tf = repo / "terraform" / "mesh.tf"
    tf.write_text(tf.read_text() + '\noutput "ztunnel" {\n  value = helm_release.ztunnel.status\n}\n')
    assert main(["apply", "mesh-mode", "to=sidecar", "--repo", str(repo)]) == 1
    assert 'resource "helm_release" "ztunnel"' in tf.read_text()
    assert "15008" not in tf.read_text()  # the HBONE rule still goes


def test_the_check_fires_on_a_half_done_switch(repo, capsys):
    namespaces = repo / "k8s" / "namespaces.yaml"
    namespaces.write_text(namespaces.read_text().replace("istio.io/dataplane-mode: ambient",
                                                         "istio-injection: enabled"))
    code, out = run(capsys, "check", "--repo", str(repo), "--format", "json", *RULE)
    problems = json.loads(out)["problems"]
    assert code == 1 and [(p["path"], p["line"]) for p in problems] == [("k8s/namespaces.yaml", 6)]
    assert problems[0]["fix"] == "gitops-bot plan mesh-mode to=ambient"


@pytest.mark.parametrize("fmt, expected", [
    ("text", "k8s/namespaces.yaml:6: warning: namespace label states Istio sidecar mode"),
    ("github", "::warning file=k8s/namespaces.yaml,line=6,title=mesh-mode-consistency::"),
    ("sarif", '"ruleId": "mesh-mode-consistency"'),
])
def test_the_check_in_every_format(repo, capsys, fmt, expected):
    namespaces = repo / "k8s" / "namespaces.yaml"
    namespaces.write_text(namespaces.read_text().replace("istio.io/dataplane-mode: ambient",
                                                         "istio-injection: enabled"))
    code, out = run(capsys, "check", "--repo", str(repo), "--format", fmt, *RULE)
    assert code == 1 and expected in out


def test_the_check_is_quiet_on_a_consistent_repository(repo, capsys):
    assert run(capsys, "check", "--repo", str(repo), *RULE) == (0, "no problems\n")
    assert run(capsys, "check", "--repo", str(EXAMPLE), *RULE) == (0, "no problems\n")
    assert main(["apply", "mesh-mode", "to=sidecar", "--repo", str(repo)]) == 0
    capsys.readouterr()
    assert run(capsys, "check", "--repo", str(repo), *RULE) == (0, "no problems\n")


def test_a_bad_mode_exits_2(repo, capsys):
    before = tree_bytes(repo)
    assert main(["apply", "mesh-mode", "to=proxyless", "--repo", str(repo)]) == 2
    assert "does not match" in capsys.readouterr().err and tree_bytes(repo) == before
