"""A file holding only the component's manifests is the component's, whatever its own name (a
NetworkPolicy named `video-ui-ingress` in `configs/network-policies.yaml`): remove-service deletes
it and its kustomization entry (issue 12: the footprint knows the component's own files from their
content, not only from their names). A kustomization that loses its only entry keeps its list
key, empty."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree

RELEASE = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: video-ui\n"
POLICY = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: video-ui-ingress\n"
          "spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: video-ui\n")
ISSUER = "apiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata:\n  name: letsencrypt\n"
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"


def _repo(tmp_path, configs: dict[str, str]) -> None:
    write_tree(tmp_path, {
        "infra/controllers/kustomization.yaml": KUSTOMIZATION + "  - video-ui.yaml\n  - cert-manager.yaml\n",
        "infra/controllers/video-ui.yaml": RELEASE,
        "infra/controllers/cert-manager.yaml": RELEASE.replace("video-ui", "cert-manager"),
        **{f"infra/configs/{p}": t for p, t in configs.items()},
    })


def _apply(tmp_path) -> int:
    return main(["apply", "remove-service", "service=video-ui", "--repo", str(tmp_path)])


def test_a_file_of_only_its_manifests_goes_with_its_kustomization_entries(tmp_path):
    _repo(tmp_path, {"kustomization.yaml": KUSTOMIZATION + "  - cluster-issuers.yaml\n  - network-policies.yaml\n",
                     "cluster-issuers.yaml": ISSUER, "network-policies.yaml": POLICY})
    assert _apply(tmp_path) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files == {
        "infra/controllers/kustomization.yaml": KUSTOMIZATION + "  - cert-manager.yaml\n",
        "infra/controllers/cert-manager.yaml": RELEASE.replace("video-ui", "cert-manager"),
        "infra/configs/kustomization.yaml": KUSTOMIZATION + "  - cluster-issuers.yaml\n",
        "infra/configs/cluster-issuers.yaml": ISSUER,
    }
    before = tree_bytes(tmp_path)
    assert _apply(tmp_path) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_a_kustomization_left_without_entries_keeps_its_key(tmp_path):
    # a Flux Kustomization builds the folder by its path: the folder stays, its list emptied
    _repo(tmp_path, {"kustomization.yaml": KUSTOMIZATION + "  - network-policies.yaml\n",
                     "network-policies.yaml": POLICY})
    (tmp_path / "clusters").mkdir()
    (tmp_path / "clusters/configs.yaml").write_text("kind: Kustomization\nspec:\n  path: ./infra/configs\n")
    assert _apply(tmp_path) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files["infra/configs/kustomization.yaml"] == KUSTOMIZATION
    assert "infra/configs/network-policies.yaml" not in files


def test_look_alikes_stay(tmp_path):
    # a file with another manifest beside the component's loses only the component's document;
    # a manifest named with more than one word after the name (`video-ui-ingress-extra`) is
    # another thing, and a manifest only selecting the component's pods is not named for it
    shared = POLICY + "---\n" + ISSUER
    other = POLICY.replace("video-ui-ingress", "video-ui-ingress-extra")
    selector = POLICY.replace("name: video-ui-ingress", "name: default-deny")
    _repo(tmp_path, {"kustomization.yaml": KUSTOMIZATION + "  - shared.yaml\n  - other.yaml\n  - selector.yaml\n",
                     "shared.yaml": shared, "other.yaml": other, "selector.yaml": selector})
    _apply(tmp_path)
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files["infra/configs/shared.yaml"] == ISSUER
    assert files["infra/configs/other.yaml"] == other and files["infra/configs/selector.yaml"] == selector
    assert files["infra/configs/kustomization.yaml"] == KUSTOMIZATION + "  - shared.yaml\n  - other.yaml\n" \
                                                      "  - selector.yaml\n"


# -- custom resources of the component's own API group ------------------------------------------
PIPELINE = "apiVersion: flowkit.dev/v1\nkind: Pipeline\nmetadata:\n  name: main\nspec:\n  tasks: []\n"
TRIGGER = "apiVersion: triggers.flowkit.dev/v1beta1\nkind: EventListener\nmetadata:\n  name: push\n"


def _flowkit_repo(tmp_path, extra: dict[str, str]) -> None:
    write_tree(tmp_path, {
        "platform/flowkit/kustomization.yaml": KUSTOMIZATION + "  - install.yaml\n",
        "platform/flowkit/install.yaml": RELEASE.replace("video-ui", "flowkit"),
        **extra,
    })


def test_a_file_of_only_its_custom_resources_goes(tmp_path):
    # `.ci/` pipelines the component ran: every document is of its API group (flowkit.dev or a
    # group under that domain), which its CRDs define; without them the objects cannot exist
    _flowkit_repo(tmp_path, {".ci/main.yaml": PIPELINE, ".ci/hooks.yaml": PIPELINE + "---\n" + TRIGGER,
                             "README.md": "# Lab\n"})
    assert main(["apply", "remove-service", "service=flowkit", "--repo", str(tmp_path)]) == 0
    assert {p: b.decode() for p, b in tree_bytes(tmp_path).items()} == {"README.md": "# Lab\n"}


def test_custom_resource_look_alikes_stay(tmp_path):
    # the name as a group's first label under another domain (flowkit.example.com is example's
    # group), a file mixing a resource of its group with something else, and a manifest whose
    # kind merely spells the name: not the component's files
    foreign = PIPELINE.replace("flowkit.dev/v1", "flowkit.example.com/v1")
    mixed = PIPELINE + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
    kind_only = "apiVersion: example.com/v1\nkind: Flowkit\nmetadata:\n  name: other\n"
    extra = {"ci/foreign.yaml": foreign, "ci/mixed.yaml": mixed, "ci/kind.yaml": kind_only}
    _flowkit_repo(tmp_path, extra)
    main(["apply", "remove-service", "service=flowkit", "--repo", str(tmp_path)])
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert files["ci/foreign.yaml"] == foreign and files["ci/kind.yaml"] == kind_only
    assert "ci/mixed.yaml" in files and "name: settings" in files["ci/mixed.yaml"]
