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


TERRAFORM = ROOT / "tests" / "fixtures" / "mesh-mode-terraform"


@pytest.fixture
def tf_repo(tmp_path):
    shutil.copytree(TERRAFORM, tmp_path / "tf")
    return tmp_path / "tf"


def test_terraform_there_and_back_restores_every_label_quoting_a_bare_key(tf_repo):
    before = tree_bytes(tf_repo)
    assert main(["apply", "mesh-mode", "to=ambient", "--repo", str(tf_repo)]) == 0
    assert main(["apply", "mesh-mode", "to=sidecar", "--repo", str(tf_repo)]) == 0
    after = tree_bytes(tf_repo)
    # `istio.io/dataplane-mode` must be quoted in HCL, so the way back keeps the quotes
    quoted = before["namespaces/main.tf"].replace(b'      istio-injection                = "enabled"',
                                                  b'      "istio-injection"              = "enabled"')
    assert after == {**before, "namespaces/main.tf": quoted}


def test_terraform_labels_gated_or_commented_out_state_nothing(tf_repo, capsys):
    code, out = run(capsys, "plan", "mesh-mode", "to=ambient", "--repo", str(tf_repo), "--format", "json")
    report = json.loads(out)
    diff = "".join(f["diff"] for f in report["files"])
    assert code == 0 and diff.count('+      "istio-injection"') == 0 and "disabled" not in diff
    residue = {(r["path"], r["line"]) for r in report["residue"]}
    assert {("namespaces/main.tf", 36), ("namespaces/main.tf", 45), ("namespaces/main.tf", 54)} <= residue
    assert not any("fluent-bit" in r["text"] for r in report["residue"])  # a plain sidecar container
    assert not any("no namespace is labelled" in r["reason"] for r in report["residue"])


def test_the_check_reads_terraform_labels(tf_repo, capsys):
    assert run(capsys, "check", "--repo", str(tf_repo), *RULE) == (0, "no problems\n")
    ns = tf_repo / "namespaces" / "main.tf"
    ns.write_text(ns.read_text().replace('{ "istio-injection" = "enabled", team', '{ "istio.io/dataplane-mode" = '
                                                                               '"ambient", team'))
    code, out = run(capsys, "check", "--repo", str(tf_repo), "--format", "json", *RULE)
    problems = json.loads(out)["problems"]
    assert code == 1 and [(p["path"], p["line"]) for p in problems] == [("namespaces/main.tf", 15)]
    assert problems[0]["fix"] == "gitops-bot plan mesh-mode to=sidecar"


def test_switching_to_ambient_says_when_nothing_installs_ztunnel(tf_repo, repo, capsys):
    code, out = run(capsys, "plan", "mesh-mode", "to=ambient", "--repo", str(tf_repo), "--format", "json")
    assert any(r["reason"].startswith("nothing installs ztunnel") for r in json.loads(out)["residue"])
    (tf_repo / "istio" / "ztunnel.tf").write_text('resource "helm_release" "ztunnel" {\n  name  = "ztunnel"\n'
                                                  '  chart = "ztunnel"\n}\n')
    code, out = run(capsys, "plan", "mesh-mode", "to=ambient", "--repo", str(tf_repo), "--format", "json")
    assert not any(r["reason"].startswith("nothing installs ztunnel") for r in json.loads(out)["residue"])
    code, out = run(capsys, "plan", "mesh-mode", "to=ambient", "--repo", str(repo), "--format", "json")
    assert not any(r["reason"].startswith("nothing installs ztunnel") for r in json.loads(out)["residue"])
