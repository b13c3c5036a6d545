"""Catalogue entries oauth2-proxy, dex, external-secrets and talos (its Plans by name), and the
release link text whose v prefix differs from its URL's (`[7.10.0](.../releases/tag/v7.10.0)`): constructed before/after
trees byte for byte, look-alikes at the same version that never move (another project's release
link, an image of another repository, another chart), a second run that changes nothing, and the
lines left to a human listed with their reason."""

from __future__ import annotations


import pytest


from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree

README_BEFORE = (
    "| Component | Version |\n|---|---|\n"
    "| OAuth2-Proxy | [7.10.0](https://github.com/oauth2-proxy/oauth2-proxy/releases/tag/v7.10.0) |\n"
    "| Dex | [v2.43.1](https://github.com/dexidp/dex/releases/tag/2.43.1) |\n"
    "| Other | [7.10.0](https://github.com/acme/oauth2-proxy/releases/tag/v7.10.0) |\n")

# tool -> (version, {path: (before, after)})
CASES = {
    "oauth2-proxy": ("v7.14.3", {
        "README.md": (README_BEFORE, README_BEFORE.replace(
            "[7.10.0](https://github.com/oauth2-proxy/oauth2-proxy/releases/tag/v7.10.0)",
            "[7.14.3](https://github.com/oauth2-proxy/oauth2-proxy/releases/tag/v7.14.3)")),
        "common/oauth2-proxy/deployment.yaml": (
            "spec:\n  containers:\n    - image: quay.io/oauth2-proxy/oauth2-proxy:v7.13.0\n"
            "    - image: quay.io/acme/oauth2-proxy:v7.13.0\n",
            "spec:\n  containers:\n    - image: quay.io/oauth2-proxy/oauth2-proxy:v7.14.3\n"
            "    - image: quay.io/acme/oauth2-proxy:v7.13.0\n"),
        "scripts/sync-oauth2-proxy.sh": (
            '#!/bin/bash\nOAUTH2_PROXY_RELEASE="v7.10.0" # Must be a release\n',
            '#!/bin/bash\nOAUTH2_PROXY_RELEASE="v7.14.3" # Must be a release\n'),
    }),
    "dex": ("v2.45.0", {
        "README.md": (README_BEFORE, README_BEFORE.replace(
            "[v2.43.1](https://github.com/dexidp/dex/releases/tag/2.43.1)",
            "[v2.45.0](https://github.com/dexidp/dex/releases/tag/2.45.0)")),
        "common/dex/deployment.yaml": (
            "spec:\n  containers:\n    - image: ghcr.io/dexidp/dex:v2.44.0\n"
            "    - image: ghcr.io/dexidp/dex-extra:v2.44.0\n",
            "spec:\n  containers:\n    - image: ghcr.io/dexidp/dex:v2.45.0\n"
            "    - image: ghcr.io/dexidp/dex-extra:v2.44.0\n"),
    }),
    "external-secrets": ("0.9.17", {
        "system/external-secrets/Chart.yaml": (
            "apiVersion: v2\nname: external-secrets\nversion: 0.0.0\ndependencies:\n"
            "  - name: external-secrets\n    version: 0.9.16\n    repository: https://charts.external-secrets.io\n"
            "  - name: reloader\n    version: 0.9.16\n    repository: https://stakater.github.io/stakater-charts\n",
            "apiVersion: v2\nname: external-secrets\nversion: 0.0.0\ndependencies:\n"
            "  - name: external-secrets\n    version: 0.9.17\n    repository: https://charts.external-secrets.io\n"
            "  - name: reloader\n    version: 0.9.16\n    repository: https://stakater.github.io/stakater-charts\n"),
        "crds/kustomization.yaml": (
            "resources:\n- https://raw.githubusercontent.com/external-secrets/external-secrets/v0.9.16/deploy/crds/"
            "bundle.yaml\n",
            "resources:\n- https://raw.githubusercontent.com/external-secrets/external-secrets/v0.9.17/deploy/crds/"
            "bundle.yaml\n"),
    }),
    "talos": ("v1.9.6", {
        "setup/talos/talconfig.yaml": (
            "clusterName: home\ntalosVersion: v1.9.5\nkubernetesVersion: v1.9.5\n",
            "clusterName: home\ntalosVersion: v1.9.6\nkubernetesVersion: v1.9.5\n"),
        "system-upgrade/talos-plan.yaml": (
            "apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: talos\n"
            "  namespace: system-upgrade\nspec:\n  version: v1.9.5\n  concurrency: 1\n",
            "apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: talos\n"
            "  namespace: system-upgrade\nspec:\n  version: v1.9.6\n  concurrency: 1\n"),
        "system-upgrade/kubernetes-plan.yaml": (  # the Kubernetes Plan: its version is not Talos's, its image is
            "apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: kubernetes\nspec:\n"
            "  version: v1.9.5\n  upgrade:\n    image: ghcr.io/siderolabs/talosctl:v1.9.5\n",
            "apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: kubernetes\nspec:\n"
            "  version: v1.9.5\n  upgrade:\n    image: ghcr.io/siderolabs/talosctl:v1.9.6\n"),
    }),
}


@pytest.mark.parametrize("tool", sorted(CASES))
def test_every_form_moves_and_look_alikes_stay(tmp_path, capsys, tool):
    version, files = CASES[tool]
    repo = write_tree(tmp_path, {p: pair[0] for p, pair in files.items()})
    assert run(repo, f"tool={tool}", f"version={version}") == 0
    assert tree_bytes(repo) == {p: pair[1].encode() for p, pair in sorted(files.items())}
    code, second = report(repo, capsys, f"tool={tool}", f"version={version}")
    assert code == 0 and second["files"] == []


@pytest.mark.parametrize("tool", sorted(CASES))
def test_each_other_tool_leaves_the_tree_alone(tmp_path, capsys, tool):
    """A tool's version run over another tool's files changes nothing there (same versions nearby)."""
    version, files = CASES[tool]
    others = {p: pair[0] for name, (_, f) in CASES.items() if name != tool for p, pair in f.items()
              if p != "README.md"}
    repo = write_tree(tmp_path, others)
    code, result = report(repo, capsys, f"tool={tool}", f"version={version}")
    assert code == 0 and result["files"] == []


def test_a_variable_of_no_known_name_in_a_script_named_for_the_tool_is_listed(tmp_path, capsys):
    repo = write_tree(tmp_path, {"common/dex/deployment.yaml": "image: ghcr.io/dexidp/dex:v2.43.1\n",
                                 "scripts/synchronize-dex-manifests.sh": '#!/bin/bash\nCOMMIT="v2.43.1"\n'})
    code, result = report(repo, capsys, "tool=dex", "version=v2.45.0")
    assert code == 0 and [f["path"] for f in result["files"]] == ["common/dex/deployment.yaml"]
    assert [(r["path"], r["line"]) for r in result["residue"]] == [("scripts/synchronize-dex-manifests.sh", 2)]


def test_a_k3s_plan_named_for_no_tool_is_not_talos_and_still_k3s(tmp_path, capsys):
    plan = ("apiVersion: upgrade.cattle.io/v1\nkind: Plan\nmetadata:\n  name: server\nspec:\n"
            "  version: v1.29.1+k3s2\n")
    repo = write_tree(tmp_path, {"plans.yaml": plan})
    code, result = report(repo, capsys, "tool=talos", "version=v1.9.6")
    assert code == 0 and result["files"] == []
    assert run(repo, "tool=k3s", "version=v1.29.4+k3s1") == 0
    assert (repo / "plans.yaml").read_text() == plan.replace("v1.29.1+k3s2", "v1.29.4+k3s1")


def test_upgrade_plans_in_the_repository_config_is_true_false_or_words(tmp_path, capsys):
    repo = write_tree(tmp_path, {".gitops-bot.yaml": "tools:\n  x:\n    description: X\n    upgrade_plans: 3\n",
                                 "a.yaml": "a: 1\n"})
    capsys.readouterr()
    assert run(repo, "tool=x", "version=1.2.3") == 2
    assert "upgrade_plans" in capsys.readouterr().err
