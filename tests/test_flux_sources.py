"""A Flux source only the component's HelmReleases installed from goes with it (issue 12): the
HelmRepository `kubernetes-sigs-nfd` of node-feature-discovery's release, named for its vendor,
not the app, and its line in the repositories' kustomization (bjw-s-labs/home-ops removed both).
A source another release still uses, or one defined beside other manifests, stays."""

from __future__ import annotations

from gitops_bot.cli import main

from .conftest import tree_bytes, write_tree


def release(name: str, source: str, kind: str = "HelmRepository") -> str:
    return (f"apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\nspec:\n"
            f"  chart:\n    spec:\n      chart: {name}\n      sourceRef:\n        kind: {kind}\n"
            f"        name: {source}\n        namespace: flux-system\n")


def repository(name: str, kind: str = "HelmRepository") -> str:
    return (f"---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
            f"  namespace: flux-system\nspec:\n  url: https://{name}.example.com/charts\n")


TREE = {
    "kubernetes/apps/system/kustomization.yaml": "resources:\n  - ./video-service/ks.yaml\n  - ./auth-service/ks.yaml\n",
    "kubernetes/apps/system/video-service/ks.yaml": "kind: Kustomization\nmetadata:\n  name: video-service\n",
    "kubernetes/apps/system/video-service/app/helmrelease.yaml": release("video-service", "acme-video")
                                                                   + "---\n" + release("video-exporter", "shared"),
    "kubernetes/apps/system/auth-service/ks.yaml": "kind: Kustomization\nmetadata:\n  name: auth-service\n",
    "kubernetes/apps/system/auth-service/app/helmrelease.yaml": release("auth-service", "shared"),
    "kubernetes/flux/repositories/helm/kustomization.yaml": "resources:\n  - acme-video.yaml\n  - shared.yaml\n",
    "kubernetes/flux/repositories/helm/acme-video.yaml": repository("acme-video"),
    "kubernetes/flux/repositories/helm/shared.yaml": repository("shared"),
}


def test_a_source_only_its_releases_used_goes_with_its_kustomization_line(tmp_path):
    write_tree(tmp_path, TREE)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert "kubernetes/flux/repositories/helm/acme-video.yaml" not in files
    assert files["kubernetes/flux/repositories/helm/kustomization.yaml"] == "resources:\n  - shared.yaml\n"
    assert files["kubernetes/flux/repositories/helm/shared.yaml"] == TREE["kubernetes/flux/repositories/helm/shared.yaml"]
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing


def test_a_source_still_named_elsewhere_or_defined_with_others_stays(tmp_path):
    tree = dict(TREE)
    # another release installs from it too
    tree["kubernetes/apps/system/auth-service/app/helmrelease.yaml"] += "---\n" + release("auth-extra", "acme-video")
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "kubernetes/flux/repositories/helm/acme-video.yaml").exists()

    other = tmp_path / "other"
    both = dict(TREE)
    both["kubernetes/flux/repositories/helm/acme-video.yaml"] = repository("acme-video") + repository("acme-extra")
    write_tree(other, both)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(other)]) == 0
    assert (other / "kubernetes/flux/repositories/helm/acme-video.yaml").read_text() == \
        both["kubernetes/flux/repositories/helm/acme-video.yaml"]


def helmfile(*releases: tuple[str, str]) -> str:
    """A bootstrap helmfile with a repository per distinct repo and a release per (name, repo)."""
    repos = sorted({repo for _, repo in releases})
    return ("---\nrepositories:\n" + "".join(f"  - name: {r}\n    url: https://{r}.example.com/charts\n" for r in repos)
            + "releases:\n" + "".join(f"  - name: {n}\n    namespace: kube-system\n    chart: {r}/{n}\n"
                                      for n, r in releases))


def test_a_bootstrap_helmfile_repository_only_its_release_used_does_not_keep_the_source(tmp_path):
    # onedr0p/home-ops: the HelmRepository `postfinance` is also the bootstrap helmfile's
    # repository of kubelet-csr-approver's release alone; the removal takes the release and the
    # repository entry, so the Flux source goes too
    tree = dict(TREE)
    tree["kubernetes/bootstrap/helmfile.yaml"] = helmfile(("video-service", "acme-video"), ("auth-service", "shared"))
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    files = {p: b.decode() for p, b in tree_bytes(tmp_path).items()}
    assert "kubernetes/flux/repositories/helm/acme-video.yaml" not in files
    assert files["kubernetes/bootstrap/helmfile.yaml"] == helmfile(("auth-service", "shared"))

    # another helmfile release still installs from it: the source stays
    other = tmp_path / "other"
    tree["kubernetes/bootstrap/helmfile.yaml"] = helmfile(("video-service", "acme-video"),
                                                          ("auth-service", "acme-video"))
    write_tree(other, tree)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(other)]) == 0
    assert (other / "kubernetes/flux/repositories/helm/acme-video.yaml").exists()


def test_a_namespace_folder_that_held_only_the_component_is_listed(tmp_path, capsys):
    """A namespace folder whose kustomization listed only the component: budimanjojo deleted it
    with its operator, bjw-s kept `database/` with `resources: []` when its only broker went. The
    list is emptied (the repository's way) and the kustomization listed for the reviewer."""
    folder = "cluster/apps/postgres-operator"
    tree = {
        f"{folder}/kustomization.yaml": "kind: Kustomization\nnamespace: postgres-operator\ncomponents:\n"
                                        "  - ../../components/common\nresources:\n  - ./video-service/ks.yaml\n",
        f"{folder}/video-service/ks.yaml": "kind: Kustomization\nmetadata:\n  name: video-service\n",
        "cluster/apps/media/kustomization.yaml": "kind: Kustomization\nresources:\n  - ./board/ks.yaml\n",
        "cluster/apps/media/board/ks.yaml": "kind: Kustomization\nmetadata:\n  name: board\n",
    }
    write_tree(tmp_path, tree)
    capsys.readouterr()
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / folder / "kustomization.yaml").read_text() == \
        "kind: Kustomization\nnamespace: postgres-operator\ncomponents:\n  - ../../components/common\nresources:\n"
    assert "delete the folder if what it adds (a namespace) goes too" in capsys.readouterr().out

    other = tmp_path / "other"
    tree[f"{folder}/README.md"] = "The Postgres operators.\n"  # not the folder's last file: not listed
    write_tree(other, tree)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(other)]) == 0
    assert "delete the folder if what it adds" not in capsys.readouterr().out


def test_substitution_variables_only_the_component_read_go(tmp_path):
    """joryirving/home-ops removed volsync with the cluster Kustomization's `VOLSYNC_*`
    substitutions, defined in `postBuild.substitute` and passed on in a patch: nothing else read
    them. One a remaining file still reads stays."""
    cluster = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n"
               "  path: ./apps\n  postBuild:\n    substitute:\n      CLUSTER: main\n"
               "      VIDEO_SERVICE_CLASS: fast\n      VIDEO_SERVICE_HOST: video.example.com\n"
               "  patches:\n    - patch: |-\n        kind: Kustomization\n        metadata:\n          name: not-used\n"
               "        spec:\n          postBuild:\n            substitute:\n              CLUSTER: ${CLUSTER}\n"
               "              VIDEO_SERVICE_CLASS: ${VIDEO_SERVICE_CLASS}\n"
               "              VIDEO_SERVICE_HOST: ${VIDEO_SERVICE_HOST}\n")
    tree = {
        "clusters/main/apps.yaml": cluster,
        "apps/kustomization.yaml": "resources:\n  - ./video-service/ks.yaml\n  - ./gateway/route.yaml\n",
        "apps/video-service/ks.yaml": "kind: Kustomization\nmetadata:\n  name: video-service\n"
                                      "spec:\n  storageClassName: ${VIDEO_SERVICE_CLASS}\n",
        "apps/gateway/route.yaml": "kind: HTTPRoute\nspec:\n  hostnames: [\"${VIDEO_SERVICE_HOST}\"]\n",
    }
    write_tree(tmp_path, tree)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert (tmp_path / "clusters/main/apps.yaml").read_text() == cluster.replace(
        "      VIDEO_SERVICE_CLASS: fast\n", "").replace(
        "              VIDEO_SERVICE_CLASS: ${VIDEO_SERVICE_CLASS}\n", "")
    before = tree_bytes(tmp_path)
    assert main(["apply", "remove-service", "service=video-service", "--repo", str(tmp_path)]) == 0
    assert tree_bytes(tmp_path) == before  # a second run changes nothing
