"""Settings that exist only for the removed component and never name it (data/companions.yaml):
onedr0p's cluster-template removed kubelet-csr-approver and, in the same commit, the Talos
kubelet's `rotate-server-certificates: true` whose certificates it approved. The bot lists such a
setting with why (removing it changes how metrics-server reaches the kubelets: the user's call)
and edits nothing for it."""

from __future__ import annotations

import json

import pytest

from gitops_bot.cli import main
from gitops_bot.ops import companions

from .conftest import tree_bytes, write_tree

APP = "kubernetes/apps/kube-system/kubelet-csr-approver"
TREE = {
    f"{APP}/ks.yaml": ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
                       "  name: kubelet-csr-approver\nspec:\n"
                       "  path: ./kubernetes/apps/kube-system/kubelet-csr-approver/app\n"),
    f"{APP}/app/helmrelease.yaml": ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n"
                                    "  name: kubelet-csr-approver\nspec:\n  chart:\n    spec:\n"
                                    "      chart: kubelet-csr-approver\n"),
    "kubernetes/apps/kube-system/kustomization.yaml": ("resources:\n  - ./kubelet-csr-approver/ks.yaml\n"
                                                       "  - ./metrics-server/ks.yaml\n"),
    "kubernetes/apps/kube-system/metrics-server/ks.yaml": "kind: Kustomization\nmetadata:\n  name: metrics-server\n",
    "talos/patches/global/kubelet.yaml": ("machine:\n  kubelet:\n    extraArgs:\n"
                                          "      rotate-server-certificates: true\n    nodeIP:\n"
                                          "      validSubnets:\n        - 10.0.0.0/24\n"),
    "kubeadm/kubelet-config.yaml": "kind: KubeletConfiguration\nserverTLSBootstrap: true\n",
    # a key holding another entry too stays out of it
    "talos/patches/two.yaml": ("machine:\n  kubelet:\n    extraArgs:\n      feature-gates: X=true\n"
                               "      rotate-server-certificates: true\n"),
    # look-alikes: the setting turned off, and another key that contains it
    "talos/patches/other.yaml": "machine:\n  kubelet:\n    extraArgs:\n      rotate-server-certificates: false\n",
    "notes/flags.txt": "--no-rotate-server-certificates=true is not a kubelet flag\n",
}


def _plan(root, capsys, *params):
    code = main(["plan", "remove-service", *params, "--repo", str(root), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def test_the_setting_made_for_the_component_is_listed_never_edited(tmp_path, capsys):
    write_tree(tmp_path, TREE)
    code, report = _plan(tmp_path, capsys, "service=kubelet-csr-approver")
    kept = {(r["path"], r["line"]): r["reason"] for r in report["residue"]
            if "is for kubelet-csr-approver" in r["reason"]}
    # the Talos patch's `extraArgs:` holds only the setting: listed to go with it
    assert set(kept) == {("talos/patches/global/kubelet.yaml", 3), ("talos/patches/global/kubelet.yaml", 4),
                         ("kubeadm/kubelet-config.yaml", 2), ("talos/patches/two.yaml", 5)}
    assert kept[("talos/patches/global/kubelet.yaml", 3)] == (
        "kept: holds only rotate-server-certificates: true is for kubelet-csr-approver (line 4): it goes with it")
    assert kept[("talos/patches/global/kubelet.yaml", 4)].startswith(
        "kept: rotate-server-certificates: true is for kubelet-csr-approver: the kubelet asks for serving "
        "certificates that the removed approver signed")
    assert {f["path"] for f in report["files"]} == {f"{APP}/ks.yaml", f"{APP}/app/helmrelease.yaml",
                                                    "kubernetes/apps/kube-system/kustomization.yaml"}
    assert code == 0
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=kubelet-csr-approver", "--repo", str(tmp_path)]) == 0
    capsys.readouterr()
    after = tree_bytes(tmp_path)
    assert {p for p in before if after.get(p) != before[p]} == {
        f"{APP}/ks.yaml", f"{APP}/app/helmrelease.yaml", "kubernetes/apps/kube-system/kustomization.yaml"}


def test_a_scope_and_another_component_list_nothing(tmp_path, capsys):
    write_tree(tmp_path, TREE)
    _code, scoped = _plan(tmp_path, capsys, "service=kubelet-csr-approver", "paths=kubernetes/**")
    assert not [r for r in scoped["residue"] if "is for" in r["reason"]]
    _code, other = _plan(tmp_path, capsys, "service=metrics-server")
    assert not [r for r in other["residue"] if "is for" in r["reason"]]


@pytest.mark.parametrize(("line", "found"), [
    ("      rotate-server-certificates: true", True),
    ('      "rotate-server-certificates": "true"', True),
    ("    - --rotate-server-certificates=true", True),
    ("rotate-server-certificates = true", True),
    ("      rotate-server-certificates: false", False),
    ("      rotate-server-certificates: true-ish", False),
    ("      x-rotate-server-certificates: true", False),
])
def test_the_forms_a_setting_is_written_in(line, found):
    setting = next(c for c in companions.catalogue() if c.key == "rotate-server-certificates")
    assert bool(setting.pattern.search(line)) is found
