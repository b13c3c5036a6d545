"""set-version through Flux post-build substitution (issue 13): a HelmRelease whose chart
version is `${version}` gets it from the Flux Kustomization that builds its folder, by an inline
`postBuild.substitute` entry or a `substituteFrom` ConfigMap key. stefanprodan/gitops-istio's
Istio bumps edit only the ConfigMap `istio-version`'s `data.version`. Look-alikes: another
chart's release reading a variable of the same name, a Secret source; a variable nobody sets is
listed."""

from __future__ import annotations

from .conftest import set_version as run, set_version_plan as report, tree_bytes, write_tree


def flux_kustomization(name: str, path: str, post_build: str) -> str:
    return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n"
            f"  namespace: flux-system\nspec:\n  interval: 10m0s\n  path: {path}\n  prune: true\n"
            f"  postBuild:\n{post_build}")


def helm_release(name: str, chart: str, version: str) -> str:
    return (f"---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: {name}\nspec:\n"
            f"  chart:\n    spec:\n      version: \"{version}\"\n      chart: {chart}\n")


CONFIG_MAP = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio-version\n  namespace: flux-system\n"
              "data:\n  version: 1.13.3  # the Istio release\n")
TREE = {
    "clusters/prod/istio.yaml": flux_kustomization(
        "istio-system", "./istio/system", "    substituteFrom:\n      - kind: ConfigMap\n        name: istio-version\n"
                                          "      - kind: Secret\n        name: istio-version\n"),
    "clusters/prod/istio-version.yaml": CONFIG_MAP,
    "clusters/prod/mesh.yaml": flux_kustomization(
        "mesh", "./apps/mesh", '    substitute:\n      istio_version: "v1.13.3"\n      version: 6.0.0\n'),
    "istio/system/istio.yaml": helm_release("istio-base", "base", "${version}")
                               + helm_release("istiod", "istiod", "${version:=1.13.3}"),
    "apps/mesh/release.yaml": helm_release("gateway", "gateway", "${istio_version}")
                              + helm_release("podinfo", "podinfo", "${version}"),
    "apps/other/release.yaml": helm_release("cni", "cni", "${cni_version}"),
}


def test_the_substituted_value_moves_where_flux_takes_it_from(tmp_path, capsys):
    repo = write_tree(tmp_path, TREE)
    assert run(repo, "tool=istio", "version=1.18.5") == 0
    expected = dict(TREE)
    expected["clusters/prod/istio-version.yaml"] = CONFIG_MAP.replace("1.13.3", "1.18.5")
    expected["clusters/prod/mesh.yaml"] = TREE["clusters/prod/mesh.yaml"].replace('"v1.13.3"', '"v1.18.5"')
    assert tree_bytes(repo) == {p: t.encode() for p, t in sorted(expected.items())}
    code, second = report(repo, capsys, "tool=istio", "version=1.18.5")
    assert code == 0 and second["files"] == []  # a second run changes nothing
    assert [(r["path"], r["line"], r["reason"]) for r in second["residue"]] == [
        ("apps/other/release.yaml", 9, "istio: the version is ${cni_version}, a Flux substitution whose value was "
                                       "not found: not changed")]


def test_chart_target_follows_the_substitution_too(tmp_path, capsys):
    repo = write_tree(tmp_path, TREE)
    code, plan = report(repo, capsys, "chart=podinfo", "version=6.1.0")
    # the release's `${version}` is not listed as left: its value is what moves
    assert code == 0 and [r["reason"] for r in plan["residue"]] == []
    assert run(repo, "chart=podinfo", "version=6.1.0") == 0
    assert (repo / "clusters/prod/mesh.yaml").read_text() == \
        TREE["clusters/prod/mesh.yaml"].replace("version: 6.0.0", "version: 6.1.0")
    assert (repo / "clusters/prod/istio-version.yaml").read_text() == CONFIG_MAP
