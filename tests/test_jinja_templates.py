"""A cluster template rendered by makejinja (onedr0p/cluster-template): the repository holds
`.yaml.j2` templates whose actions are written `#{ var }#` and `#% if %#`, so every template is
valid YAML whose actions are comments. A removal edits them as YAML, keeping those comments; a
template's relative entry (`./localpv.yaml`) names what its sibling template (`localpv.yaml.j2`)
renders; a namespace folder named for the component (`localpv-system/`) goes whole with it. A
template written with Jinja's own `{{ }}` is not YAML until rendered: it is only listed."""

from __future__ import annotations

import json

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

APPS = "templates/config/kubernetes/apps"
REPOS = "templates/config/kubernetes/flux/meta/repositories/helm"
PATCH = "templates/config/kubernetes/bootstrap/talos/patches/global/machine-kubelet.yaml.j2"


def kustomization(*resources: str, extra: str = "") -> str:
    return ("---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
            + "".join(f"  - {r}\n" for r in resources) + extra)


NAMESPACE_EXTRAS = "components:\n  - ../../flux/components/namespace\n"


def kubelet_patch(*mounts: str) -> str:
    return ("machine:\n  kubelet:\n"
            + ("    extraMounts:\n" if mounts else "")
            + "".join(f"      - destination: {m}\n        type: bind\n        source: {m}\n"
                      f"        options:\n          - bind\n          - rw\n" for m in mounts)
            + "    nodeIP:\n      validSubnets:\n        - #{ node_network }#\n")


def app(name: str) -> dict[str, str]:
    return {
        f"{name}/ks.yaml.j2": ("---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                               f"metadata:\n  name: &app {name}\nspec:\n"
                               f"  path: ./kubernetes/apps/{name}-system/{name}/app\n"
                               "  #% if cloudflare_enabled %#\n  timeout: 5m\n  #% endif %#\n"),
        f"{name}/app/kustomization.yaml.j2": kustomization("./helmrelease.yaml"),
        f"{name}/app/helmrelease.yaml.j2": ("---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\n"
                                            f"metadata:\n  name: {name}\nspec:\n  values:\n"
                                            "    address: #{ cluster_api_addr }#\n"),
    }


TREE = {
    **{f"{APPS}/localpv-system/{p}": t for p, t in app("localpv").items()},
    f"{APPS}/localpv-system/kustomization.yaml.j2": kustomization("./localpv/ks.yaml", extra=NAMESPACE_EXTRAS),
    **{f"{APPS}/kube-system/{p}": t for n in ("reloader", "spegel") for p, t in app(n).items()},
    f"{APPS}/kube-system/kustomization.yaml.j2": kustomization("./reloader/ks.yaml", "./spegel/ks.yaml",
                                                               extra=NAMESPACE_EXTRAS),
    **{f"{APPS}/network/{p}": t for p, t in app("cloudflared").items()},
    f"{APPS}/network/kustomization.yaml.j2": kustomization("./cloudflared/ks.yaml", extra=NAMESPACE_EXTRAS),
    f"{REPOS}/kustomization.yaml.j2": kustomization("./cilium.yaml", "./localpv.yaml", "./stakater.yaml"),
    **{f"{REPOS}/{r}.yaml.j2": (f"---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\n"
                                f"metadata:\n  name: {r}\nspec:\n  url: https://{r}.example.com/charts\n")
       for r in ("cilium", "localpv", "stakater")},
    PATCH: kubelet_patch("/var/localpv/local", "/var/mnt/extra"),
    # rendered with Jinja's own delimiters: not YAML as written
    "templates/scripts/values.yaml.j2": "storage:\n{% if csi %}\n  driver: localpv\n{% endif %}\n",
    "makejinja.toml": "[makejinja]\ninputs = [\"./templates/config\"]\noutput = \"./\"\n",
}


def test_a_component_goes_from_the_templates_as_from_yaml(tmp_path, capsys):
    write_tree(tmp_path, TREE)
    assert main(["plan", "remove-service", "service=localpv", "--repo", str(tmp_path), "--format", "json"]) == 0
    residue = {(f["path"], f["text"]) for f in json.loads(capsys.readouterr().out)["residue"]}
    assert ("templates/scripts/values.yaml.j2", "driver: localpv") in residue
    assert main(["apply", "remove-service", "service=localpv", "--repo", str(tmp_path)]) == 0
    after = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    expected = {p: t for p, t in TREE.items()
                if not p.startswith(f"{APPS}/localpv-system/") and p != f"{REPOS}/localpv.yaml.j2"}
    expected[f"{REPOS}/kustomization.yaml.j2"] = kustomization("./cilium.yaml", "./stakater.yaml")
    expected[PATCH] = kubelet_patch("/var/mnt/extra")
    assert after == expected
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=localpv", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_the_last_mount_takes_its_key_and_the_templates_comments_stay(tmp_path):
    tree = {**TREE, PATCH: kubelet_patch("/var/localpv/local")}
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=localpv", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / PATCH).read_text() == kubelet_patch()  # `#{ node_network }#` kept as written


def test_a_namespace_folder_holding_other_apps_stays(tmp_path):
    tree = {**TREE, **{f"{APPS}/localpv-system/{p}": t for p, t in app("backup").items()},
            f"{APPS}/localpv-system/kustomization.yaml.j2": kustomization("./localpv/ks.yaml", "./backup/ks.yaml",
                                                                          extra=NAMESPACE_EXTRAS)}
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=localpv", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / APPS / "localpv-system/kustomization.yaml.j2").read_text() == \
        kustomization("./backup/ks.yaml", extra=NAMESPACE_EXTRAS)
    assert (tmp_path / APPS / "localpv-system/backup/ks.yaml.j2").exists()
    assert not (tmp_path / APPS / "localpv-system/localpv").exists()
