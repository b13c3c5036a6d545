"""Flux's example layout, `apps/base/<app>` with `apps/production/<app>` and `apps/staging/<app>`
overlays (mischavandenburg/homelab): the folders under `apps/` are environments, the components
are one level down, so `remove-service homarr` removes the app from every environment instead
of refusing `homarr` as "part of the repository's structure". Two services that both have `cmd/`
and `internal/` folders stay two components."""

from __future__ import annotations

import pytest

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree


def kustomization(*resources: str) -> str:
    return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + \
        "".join(f"  - {r}\n" for r in resources)


TREE = {
    **{f"apps/base/{app}/{f}": f"kind: Deployment\nmetadata:\n  name: {app}\n"
       for app in ("homarr", "linkding", "mealie") for f in ("deployment.yaml",)},
    **{f"apps/{env}/{app}/kustomization.yaml": kustomization(f"../../base/{app}")
       for env in ("production", "staging") for app in ("homarr", "linkding", "mealie")},
    "apps/production/kustomization.yaml": kustomization("homarr", "linkding", "mealie"),
    "apps/staging/kustomization.yaml": kustomization("homarr", "linkding"),
}


def test_an_app_goes_from_the_base_and_every_environment(tmp_path):
    write_tree(tmp_path, TREE)
    assert main(["apply", "remove-service", "service=homarr", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert not [p for p in files if "homarr" in p]
    assert files["apps/production/kustomization.yaml"] == kustomization("linkding", "mealie")
    assert files["apps/staging/kustomization.yaml"] == kustomization("linkding")
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=homarr", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_services_sharing_folder_names_stay_components(tmp_path, capsys):
    tree = {f"services/{s}/{d}/main.go": "package main\n" for s in ("video", "board") for d in ("cmd", "internal")}
    tree["services/video/go.mod"] = "module video\n"
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=video", "--repo", str(tmp_path)]) == 0
    assert sorted(tree_bytes(tmp_path)) == ["services/board/cmd/main.go", "services/board/internal/main.go"]


def test_a_sub_component_in_its_apps_layout_folder_is_its_own(tmp_path):
    """budimanjojo/home-cluster's `immich/base/typesense/` is immich-typesense's folder: the
    app's layout folder (`base`) between the app and the sub-component's folder does not hide it."""
    tree = {
        "cluster/apps/immich/base/kustomization.yaml": "resources:\n  - ./helmrelease.yaml\n  - ./typesense\n",
        "cluster/apps/immich/base/helmrelease.yaml": "kind: HelmRelease\nmetadata:\n  name: immich-server\n",
        "cluster/apps/immich/base/typesense/kustomization.yaml": "resources:\n  - ./helmrelease.yaml\n",
        "cluster/apps/immich/base/typesense/helmrelease.yaml":
            "kind: HelmRelease\nmetadata:\n  name: immich-typesense\n",
    }
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=immich-typesense", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert sorted(files) == ["cluster/apps/immich/base/helmrelease.yaml", "cluster/apps/immich/base/kustomization.yaml"]
    assert files["cluster/apps/immich/base/kustomization.yaml"] == "resources:\n  - ./helmrelease.yaml\n"


@pytest.mark.parametrize("layer", ["app/", ""])
def test_an_apps_own_kustomize_components_are_parts_of_it_not_components(tmp_path, layer):
    """ricsanfre/pi-cluster lays each platform app out as `[app/]base`, `[app/]overlays/<env>` and
    `[app/]components/<part>` (kustomize Components: backup, monitor, route). Those parts are the
    app's: `remove-service longhorn` removes the app instead of refusing `longhorn` as "a folder
    holding 3 components". (A repository's `kustomize/components/` beside `kustomize/base` alone
    are its own components: test_remove_feature_switch.)"""
    layout = {f"platform/{app}/{layer}{f}": kustomization("../base") if "overlays" in f else f"kind: X\nname: {app}\n"
              for app in ("longhorn", "velero", "minio")
              for f in ("base/kustomization.yaml", "overlays/prod/kustomization.yaml",
                        "components/backup/kustomization.yaml", "components/monitor/kustomization.yaml")}
    flux = f"kind: Kustomization\npath: ./platform/longhorn/{layer}overlays/prod\n"
    write_tree(tmp_path, {**layout, "clusters/prod/longhorn-app.yaml": flux})
    assert main(["apply", "remove-service", "service=longhorn", "--repo", str(tmp_path)]) == 0
    files = tree_bytes(tmp_path)
    assert not [p for p in files if "longhorn" in p] and len(files) == 8
